/**
 * How fast the local SQL thread applied lately, from the poller's samples: the growth of the
 * applied-transaction count over the last `windowMs` (the failover forecast divides the backlog
 * by it). Unknown until two samples a second apart exist, or after a position could not be read.
 */
import { appliedTransactions } from "../mysql/mod.ts";

const WINDOW_MS = 10_000;
const MIN_SPAN_MS = 1_000;

export class ApplyRate {
  #samples: { at: number; applied: number }[] = [];

  constructor(readonly gtid: "mariadb" | "mysql", readonly windowMs = WINDOW_MS) {}

  /** One poller sample at local time `at` (ms): the executed position, or null (MySQL down). */
  add(at: number, executed: string | null): void {
    const applied = executed === null ? null : appliedTransactions(this.gtid, executed);
    const last = this.#samples.at(-1);
    // Unreadable, or the count went back (a rebuild, a reset): the window starts over.
    if (applied === null || (last !== undefined && applied < last.applied)) {
      this.#samples = applied === null ? [] : [{ at, applied }];
      return;
    }
    this.#samples.push({ at, applied });
    while (this.#samples.length > 2 && at - this.#samples[1].at >= this.windowMs) {
      this.#samples.shift();
    }
  }

  /** Transactions per second over the window, or null while not known. */
  perSecond(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < MIN_SPAN_MS) return null;
    return ((last.applied - first.applied) * 1000) / (last.at - first.at);
  }
}
