/**
 * A clock the test moves: `advance(ms, settle)` runs every timer that falls due on the way, in
 * time order, each with `now()` at its due time. Nothing runs on its own. `DriftingClock` is one
 * host's view of it: its own rate and offset, and timers that die with the process.
 */
import type { Clock, Timer } from "../../src/ports/mod.ts";

interface Scheduled {
  due: number;
  /** 0 for a one-shot timer. */
  everyMs: number;
  run: () => void;
  cancelled: boolean;
}

/** Most timer runs one `advance` makes (a runaway timer ends the test, not the machine). */
const MAX_RUNS = 100_000;

export class FakeClock implements Clock {
  #now: number;
  #timers: Scheduled[] = [];

  constructor(start = 0, readonly wallStart = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.wallStart + this.#now;
  }

  after(ms: number, run: () => void): Timer {
    return this.#schedule(ms, 0, run);
  }

  every(ms: number, run: () => void): Timer {
    return this.#schedule(ms, Math.max(1, ms), run);
  }

  /**
   * Moves time forward by `ms`, running what falls due (bounded: 100,000 runs) and awaiting
   * `settle` after each, so what a timer started (a node's promise chains) finishes at the time
   * it ran.
   */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.#now + ms;
    for (let runs = 0; runs < MAX_RUNS && this.#runNext(end); runs++) await settle();
    this.#now = end;
  }

  /** Runs the earliest timer due by `end`, moving time to it; false when none is due. */
  #runNext(end: number): boolean {
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    let next: Scheduled | undefined;
    for (const t of this.#timers) {
      if (t.due <= end && (next === undefined || t.due < next.due)) next = t;
    }
    if (next === undefined) return false;
    this.#now = Math.max(this.#now, next.due);
    if (next.everyMs > 0) next.due += next.everyMs;
    else next.cancelled = true;
    next.run();
    return true;
  }

  #schedule(ms: number, everyMs: number, run: () => void): Timer {
    const timer: Scheduled = { due: this.#now + Math.max(0, ms), everyMs, run, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => timer.cancelled = true };
  }
}

/**
 * One host's clock over a shared FakeClock: local = offset + rate × shared time. Its timers run
 * on the shared clock (a local `ms` lasts `ms / rate`); `kill()` drops every one of them, as a
 * process crash does, and later ones never run.
 */
export class DriftingClock implements Clock {
  #rate = 1;
  #offset = 0;
  #dead = false;
  readonly #live = new Set<Timer>();

  constructor(readonly base: FakeClock) {}

  now(): number {
    return this.#offset + this.#rate * this.base.now();
  }

  wallNow(): number {
    return this.base.wallStart + this.now();
  }

  /** From now on the clock runs at `rate`, without a jump (timers already set keep their time). */
  setRate(rate: number): void {
    this.#offset = this.now() - rate * this.base.now();
    this.#rate = rate;
  }

  /** Reads as `other` does and runs at its rate (a restarted process on the same host). */
  follow(other: DriftingClock): void {
    this.#rate = other.#rate;
    this.#offset = other.#offset;
  }

  /** The local clock jumps `ms` ahead at once; no timer runs for it. */
  jump(ms: number): void {
    this.#offset += ms;
  }

  after(ms: number, run: () => void): Timer {
    if (this.#dead) return { cancel: () => {} };
    const timer: Timer = {
      cancel: () => {
        inner.cancel();
        this.#live.delete(timer);
      },
    };
    const inner = this.base.after(Math.max(0, ms) / this.#rate, () => {
      this.#live.delete(timer);
      run();
    });
    this.#live.add(timer);
    return timer;
  }

  /** Each period is measured at the rate of its start. */
  every(ms: number, run: () => void): Timer {
    let current: Timer;
    const next = () => {
      current = this.after(Math.max(1, ms), () => {
        next();
        run();
      });
    };
    next();
    return { cancel: () => current.cancel() };
  }

  kill(): void {
    this.#dead = true;
    for (const t of [...this.#live]) t.cancel();
  }
}
