/**
 * The lease watchdog: a timer of its own, outside the event loop, so a loop held by a slow
 * statement, a slow disk or a bug cannot keep MySQL writable past the lease. From the moment
 * MySQL is made writable until a fence is confirmed, it checks the lease (as of the loop's last
 * transition) every half tick. When no fence has started since the lease ended, it fences (a
 * read-only statement on a session held for it, then a hard stop): half a tick after the lease
 * end if the loop is held by a job that began before it, a whole tick after otherwise (an idle
 * loop fences at its next tick). A healthy loop fences within one tick of the lease end itself;
 * the watchdog keeps that bound (src/raft/lease.ts) when the loop cannot.
 */
import { log } from "../log/mod.ts";
import type { Clock, Timer } from "../ports/mod.ts";
import type { FenceOutcome } from "./local_fence.ts";

export interface LeaseWatchdogDeps {
  /** The local monotonic clock (ms) and its timers. */
  clock: Clock;
  tickMs: number;
  /** Lease end on that clock (-Infinity once this node stopped leading). */
  leaseEnd(): number;
  /** When the loop's current job began; null while the loop is idle. */
  loopBusySince(): number | null;
  fence(): Promise<FenceOutcome>;
}

export class LeaseWatchdog {
  #timer: Timer | undefined;
  /** MySQL may be writable: made so, and no fence confirmed since. */
  #guarding = false;
  /** When the latest fence started since the guard began; null: none. */
  #fenceStartedAt: number | null = null;
  /** After a failed fence (the hard stop was tried too), the next attempt waits a little. */
  #retryAt = Number.NEGATIVE_INFINITY;
  /** Counts guards: a fence that ends after a newer promote began speaks for an older one. */
  #generation = 0;
  #firing: Promise<void> | null = null;
  /** How often the watchdog fenced (the loop was late). */
  fired = 0;

  constructor(readonly d: LeaseWatchdogDeps) {}

  /** MySQL is about to become writable: guard it until a fence is confirmed. */
  guard(): void {
    this.#generation++;
    this.#guarding = true;
    this.#fenceStartedAt = null;
    this.#timer ??= this.d.clock.every(Math.max(1, this.d.tickMs / 2), () => this.check());
  }

  /**
   * A fence started (the loop's own): no need to fence for the lease end it answers. Returns the
   * token its outcome is reported with (`fenceDone`).
   */
  fenceStarted(): number {
    this.#fenceStartedAt = this.d.clock.now();
    return this.#generation;
  }

  /**
   * How the fence started with `token` ended. Confirmed: MySQL is read-only (or stopped) until
   * the next promote, unless a promote began meanwhile (that guard stays). Failed: it no longer
   * counts as started, so the watchdog fences again (escalating to the hard stop) after a pause.
   */
  fenceDone(token: number, ok: boolean): void {
    if (token !== this.#generation) return;
    if (ok) {
      this.#guarding = false;
      this.#timer?.cancel();
      this.#timer = undefined;
      return;
    }
    this.#fenceStartedAt = null;
    this.#retryAt = this.d.clock.now() + 1000;
  }

  /** One check (the timer's; exposed for tests). */
  check(): Promise<void> {
    if (!this.#guarding || this.#firing !== null) return this.#firing ?? Promise.resolve();
    const end = this.d.leaseEnd();
    const now = this.d.clock.now();
    const busySince = this.d.loopBusySince();
    const held = busySince !== null && busySince < end;
    const late = now >= end + (held ? this.d.tickMs / 2 : this.d.tickMs);
    const due = late && now >= this.#retryAt;
    const loopFencing = this.#fenceStartedAt !== null && this.#fenceStartedAt >= end;
    if (!due || loopFencing) return Promise.resolve();
    const over = Number.isFinite(end) ? `${Math.round(now - end)} ms ago` : "(no longer leader)";
    log("node").error`lease ended ${over} and the event loop has not fenced: fencing now`;
    this.fired++;
    const token = this.fenceStarted();
    this.#firing = this.d.fence().then((outcome) => this.fenceDone(token, outcome.ok))
      .finally(() => this.#firing = null);
    return this.#firing;
  }

  stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#guarding = false;
    return this.#firing ?? Promise.resolve();
  }
}
