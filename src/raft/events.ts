/** Everything that can happen to the core. `now` is the local monotonic clock in ms. */
import type { Message } from "./messages.ts";
import type { MysqldRun, PersistedMeta } from "./meta.ts";

/** What the daemon last read from the local MySQL. */
export interface MysqlObservation {
  readonly alive: boolean;
  /** Slave_IO_Running is Yes: connected, the source accepted our position (not "Connecting"). */
  readonly ioRunning: boolean;
  readonly sqlRunning: boolean;
  /** Received position (executed + relay log); null if it could not be read. */
  readonly position: string | null;
  /** The source refused this replica's position (error 1236): the histories diverged. */
  readonly diverged?: boolean;
  /**
   * Not just unreachable: the mysqld process is gone (the daemon supervises it and saw no
   * process). A leader then cannot commit anything, so it may hand over without waiting out
   * its lease.
   */
  readonly stopped?: boolean;
  /** mysqld started since the previous sample (its uptime went back): replication stopped. */
  readonly restarted?: boolean;
  /**
   * At that start mysqld dropped relay log events its SQL thread had not applied
   * (relay_log_recovery=ON; MariaDB also drops them at every GTID reconnect), acknowledged or
   * not. A daemon that cannot tell that nothing was pending sets it (relay.ts).
   */
  readonly relayLogDiscarded?: boolean;
  /** Which mysqld run this sample is of, where the shell can tell (absent: it cannot). */
  readonly run?: MysqldRun;
  /**
   * Transactions received and not yet applied; null or absent: unknown (an old shell, or the
   * positions could not be read).
   */
  readonly backlog?: number | null;
}

export type AdminCommand =
  | { readonly kind: "enable" }
  | { readonly kind: "disable" }
  | { readonly kind: "setLearner" }
  | { readonly kind: "tryToLead" }
  /** `force`: past the flavor's semi-sync limit (admin.ts says what that risks). */
  | { readonly kind: "addPeer"; readonly endpoint: string; readonly force?: boolean }
  /** `force`: even without a leader (admin.ts says what that risks). */
  | { readonly kind: "removePeer"; readonly endpoint: string; readonly force?: boolean }
  | { readonly kind: "addIdlePeer"; readonly endpoint: string }
  | { readonly kind: "removeIdlePeer"; readonly endpoint: string }
  | { readonly kind: "purgeBinlog"; readonly enabled: boolean }
  | { readonly kind: "checkSemiSync"; readonly enabled: boolean };

export type RaftEvent =
  /** The daemon started (or restarted) with what peers.json held (null: no file). */
  | { readonly type: "start"; readonly now: number; readonly meta: PersistedMeta | null }
  | { readonly type: "tick"; readonly now: number }
  | { readonly type: "message"; readonly now: number; readonly message: Message }
  | { readonly type: "mysql"; readonly now: number; readonly observation: MysqlObservation }
  /**
   * Result of a `freezeReplication` effect: the IO thread is stopped; position as of then.
   * `freeze`: the effect's id (absent: a shell that runs freezes in line, one at a time, answers
   * for the freeze the waiting flow asked for).
   */
  | {
    readonly type: "replicationFrozen";
    readonly now: number;
    readonly freeze?: number;
    readonly position: string | null;
    readonly error?: string;
  }
  /** A `changeMaster` effect failed: replication from `leader` did not start. */
  | {
    readonly type: "changeMasterFailed";
    readonly now: number;
    readonly leader: string;
    readonly error: string;
  }
  /**
   * Result of a `catchUp` effect: relay log applied (ok) or not within the deadline. `term`: the
   * effect's; a result of an earlier term's catch-up is ignored (absent: taken as current).
   */
  | {
    readonly type: "catchUpDone";
    readonly now: number;
    readonly ok: boolean;
    readonly error?: string;
    readonly term?: number;
  }
  /** How far the SQL thread of a `catchUp` of `term` got, reported while it waits. */
  | {
    readonly type: "catchUpProgress";
    readonly now: number;
    readonly term: number;
    /** The executed position. */
    readonly applied: string | null;
    /** Transactions still to apply; null: unknown. */
    readonly backlog: number | null;
    readonly sqlRunning: boolean;
    /** The SQL thread's last error ("" or absent: none). */
    readonly sqlError?: string;
  }
  /**
   * Result of a `fence` effect, reported once the `runLeaderStop` beside it has finished too: ok
   * when MySQL is read-only with client sessions ended, or was stopped hard. A lease is released
   * (hand-over) only after ok, for a fence of the same `term` (the state's term when it ran).
   */
  | {
    readonly type: "fenced";
    readonly now: number;
    readonly term: number;
    readonly ok: boolean;
    readonly error?: string;
    /**
     * This term's leader-start-command and the leader-stop-command beside the fence both ran and
     * exited 0.
     */
    readonly leaderCommandsOk?: boolean;
  }
  /**
   * The shell left MySQL read-only on its own while the core may think it writable: the lease
   * watchdog fenced, or a promote or leader-start-command was skipped or failed. A leader of
   * `term` steps down (fencing again), so it never leads over a read-only MySQL or without its
   * VIP while acks renew its lease.
   */
  | {
    readonly type: "stepDown";
    readonly now: number;
    readonly term: number;
    readonly reason: string;
  }
  | { readonly type: "admin"; readonly now: number; readonly command: AdminCommand }
  | { readonly type: "stop"; readonly now: number };
