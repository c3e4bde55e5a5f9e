/**
 * The mysqld monitor: every interval, if this instance's mysqld_safe and mysqld are both gone it
 * starts them again. Statuses and names are the original's (RUNNING, NOTRUNNING, SHUTDOWNING,
 * UNKNOW; monitor ON/OFF). Ticks never overlap, and a graceful shutdown is not undone: after
 * `Mysqld.shutdown()` the server stays down until `Mysqld.start()` is called.
 */
import { oneLine } from "../lib/errors.ts";
import { Periodic, runtimeTimers, type Timers } from "../lib/periodic.ts";
import type { Mysqld } from "./supervisor.ts";

/** The original's mysqld status words (UNKNOW is its spelling). */
export type MysqldStatus = "RUNNING" | "NOTRUNNING" | "SHUTDOWNING" | "UNKNOW";

/** What the monitor observed or did, for the daemon's log. */
export type MonitorEvent =
  | { kind: "restarted" }
  | { kind: "restart-failed"; error: string };

/** Monitor options. */
export interface MonitorOptions {
  /** `mysqld-monitor-interval`. @default 1000 */
  intervalMs?: number;
  onEvent?: (event: MonitorEvent) => void;
  /** Its clock (the daemon's Clock port). @default the runtime's timers */
  timers?: Timers;
}

/** Watches one mysqld and restarts it when dead. */
export class MysqldMonitor {
  readonly #mysqld: Mysqld;
  readonly #onEvent: (event: MonitorEvent) => void;
  readonly #checks: Periodic;
  #status: MysqldStatus = "UNKNOW";
  /** Restarts done by this monitor (the original's MysqldStarts). */
  starts = 0;

  constructor(mysqld: Mysqld, options: MonitorOptions = {}) {
    this.#mysqld = mysqld;
    const timers = options.timers ?? runtimeTimers;
    this.#checks = new Periodic(timers, options.intervalMs ?? 1000, () => this.#check());
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** "ON" while monitoring. */
  get info(): "ON" | "OFF" {
    return this.#checks.running ? "ON" : "OFF";
  }

  /** The mysqld status as xenon reports it: UNKNOW while the monitor is off. */
  get status(): MysqldStatus {
    if (!this.#checks.running) return "UNKNOW";
    return this.#mysqld.shuttingDown ? "SHUTDOWNING" : this.#status;
  }

  /** Starts monitoring (first check at once). Idempotent. */
  start(): void {
    this.#checks.start();
  }

  /** Stops monitoring and waits for a check in progress. Idempotent. */
  async stop(): Promise<void> {
    await this.#checks.stop();
    this.#status = "UNKNOW";
  }

  async #check(): Promise<void> {
    if (this.#mysqld.shuttingDown || this.#mysqld.killing) return;
    if (this.#mysqld.isRunning()) {
      this.#status = "RUNNING";
      return;
    }
    this.#status = "NOTRUNNING";
    if (!this.#checks.running || this.#mysqld.stoppedOnPurpose) return;
    try {
      await this.#mysqld.start();
      this.starts++;
      this.#status = "RUNNING";
      this.#onEvent({ kind: "restarted" });
    } catch (error) {
      this.#onEvent({ kind: "restart-failed", error: oneLine(error) });
    }
  }
}
