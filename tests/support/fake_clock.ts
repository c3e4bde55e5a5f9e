/**
 * A clock the test moves: `advance(ms)` runs every timer that falls due on the way, in time
 * order, each with `now()` at its due time. Nothing runs on its own.
 */
import type { Clock, Timer } from "../../src/ports/mod.ts";

interface Scheduled {
  due: number;
  /** 0 for a one-shot timer. */
  everyMs: number;
  run: () => void;
  cancelled: boolean;
}

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

  /** Timers not cancelled and not yet run (a repeating one counts until cancelled). */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running what falls due (bounded: 100,000 runs). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let runs = 0; runs < 100_000; runs++) {
      const next = this.#timers.filter((t) => !t.cancelled && t.due <= end)
        .sort((a, b) => a.due - b.due)[0];
      if (next === undefined) break;
      this.#now = next.due;
      if (next.everyMs > 0) next.due += next.everyMs;
      else next.cancelled = true;
      next.run();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = end;
  }

  #schedule(ms: number, everyMs: number, run: () => void): Timer {
    const timer: Scheduled = { due: this.#now + Math.max(0, ms), everyMs, run, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => timer.cancelled = true };
  }
}
