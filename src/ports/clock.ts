/**
 * Time, as the shell sees it: a monotonic clock the election core's times are on, the wall clock
 * for what people read, and timers that can be cancelled. The daemon runs on the system's; a
 * test or the simulator runs on one it advances itself.
 */

/** A scheduled callback; cancelling twice, or after it ran, does nothing. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (never jumps with the wall clock). */
  now(): number;
  /** Wall-clock milliseconds since the epoch. */
  wallNow(): number;
  /** Runs `run` once, `ms` from now. */
  after(ms: number, run: () => void): Timer;
  /** Runs `run` every `ms` until cancelled. */
  every(ms: number, run: () => void): Timer;
}
