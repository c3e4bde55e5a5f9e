/**
 * A job run every interval, one run at a time: the next run is scheduled when the previous one
 * ends, so a slow run (a hung server, a slow peer) delays the next instead of piling runs up.
 * Time comes from the caller: the shell's Clock port, or the runtime's own timers.
 */

/** What a periodic job needs of a clock (the Clock port has it). */
export interface Timers {
  after(ms: number, run: () => void): { cancel(): void };
}

export const runtimeTimers: Timers = {
  after(ms, run) {
    const id = setTimeout(run, ms);
    return { cancel: () => clearTimeout(id) };
  },
};

export class Periodic {
  #timer: { cancel(): void } | undefined;
  #current: Promise<void> | undefined;
  #running = false;
  /** Bumped by each start: a run of an earlier start never schedules into this one. */
  #generation = 0;

  /**
   * `job` handles its own errors (a rejection is the runtime's unhandled rejection).
   * `nextDelayMs`, asked after each run, may bring the next one closer than the interval.
   */
  constructor(
    readonly timers: Timers,
    readonly intervalMs: number,
    readonly job: () => Promise<void>,
    readonly nextDelayMs: () => number = () => intervalMs,
  ) {}

  get running(): boolean {
    return this.#running;
  }

  /** First run `firstDelayMs` from now (at once by default). Idempotent. */
  start(firstDelayMs = 0): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation++;
    this.#schedule(firstDelayMs);
  }

  /** No further run; waits for one in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#current;
  }

  #schedule(ms: number): void {
    const generation = this.#generation;
    this.#timer = this.timers.after(ms, () => {
      this.#current = this.job().finally(() => {
        if (this.#running && this.#generation === generation) this.#schedule(this.nextDelayMs());
      });
    });
  }
}
