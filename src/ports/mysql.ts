/**
 * The local MySQL, as the shell uses it: one session, reopened when broken, and the statements
 * the election's effects, the fence, the poller and the leader's duties run on it. Each
 * operation is one step of src/mysql; the daemon's sessions run them on the real server.
 */
import type { RaftOptions } from "../raft/mod.ts";

type PositionComparator = RaftOptions["comparator"];

/** What the poller reads: enough for the core's observation and `cluster status`. */
export interface MysqlSample<Status extends SampledStatus = SampledStatus> {
  status: Status;
  /** Executed plus received (see `receivedPosition` in src/node/local_mysql.ts). */
  position: string;
  /** Seconds since the server started; goes down when mysqld restarted behind our back. */
  uptime: number;
}

/** The part of the server's status the shell itself reads. */
export interface SampledStatus {
  readOnly: boolean;
  replica: {
    ioRunning: boolean;
    sqlRunning: boolean;
    /** Transactions received and not applied; null or absent when not known. */
    backlogTransactions?: number | null;
    /** `Last_IO_Error`: error 1236 says the source refused our position (diverged histories). */
    lastIoError: string;
  } | null;
}

/** A source to replicate from. */
export interface ReplicationSource {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Acknowledge semi-sync (voters only: idle members must not count). */
  semiSyncAck: boolean;
}

/** How waiting for the relay log to be applied ended. */
export interface CatchUpReport {
  reached: boolean;
  /** The received position that was waited for ("" when the server is not a replica). */
  position: string;
  waitedMs: number;
  /** Why it was not reached, one line. */
  reason?: string;
}

/** How far the SQL thread got, between the waits of a catch-up. */
export interface CatchUpProgress {
  /** The executed position. */
  applied: string;
  /** Transactions received and not applied; null when not known. */
  backlog: number | null;
  sqlRunning: boolean;
  /** The SQL thread's last error, "" if none. */
  sqlError: string;
}

export interface CatchUpOptions {
  deadlineMs: number;
  /** How often `onProgress` is told how far the SQL thread got. */
  reportEveryMs?: number;
  /** Returns false to end the wait early (the election no longer needs it). */
  onProgress?(progress: CatchUpProgress): boolean;
}

/** A leader's semi-sync as the server reports it. */
export interface LeaderSemiSyncSample {
  /** Commits wait for acknowledgements (Rpl_semi_sync_master_status). */
  acking: boolean;
  /** Replicas connected as semi-sync replicas. */
  clients: number;
  /** Sessions waiting for an acknowledgement now. */
  waiting: number;
}

/**
 * How a fence attempt went. `acksPending`: sessions wait for acknowledgements, which only a hard
 * stop ends without acknowledging them; `sessionLost`: the held session was gone before it was
 * needed (a new one may still fence); `failed`: anything else, MySQL may still be writable.
 */
export type FenceAttempt =
  | { ok: true; elapsedMs: number; killed: number }
  | { ok: false; failure: "acksPending" | "sessionLost" | "failed"; error: string };

export interface MysqlSession<Handle = unknown> {
  /** The open handle, reconnecting if needed (operators' own statements run on it). */
  get(): Promise<Handle>;
  /** Thread id of the open session (fences spare the agent's own), or null. */
  readonly threadId: number | null;
  /** Drops the session (after a failure that may have left it in an unknown state). */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** Another session to the same server, with the same login and deadlines. */
  sibling(): MysqlSession<Handle>;

  /** read_only (and super_read_only) on or off; the accounts read_only does not stop. */
  setReadOnly(on: boolean): Promise<{ exempt: readonly string[] }>;
  /** Applies a sysvar profile (`name=value;...`). */
  applySysvars(profile: string): Promise<void>;
  /**
   * Makes commits this server returns survive a crash restart that truncates (MariaDB's
   * `--init-rpl-role=SLAVE`); says what it changed, or null.
   */
  keepReturnedCommits(): Promise<string | null>;
  /** Whether a replication source is configured. */
  isReplica(): Promise<boolean>;
  /** Stops the replica IO thread (no more acknowledgements to the old source). */
  stopIo(): Promise<void>;
  /** Stops replication and forgets the source. */
  resetReplica(): Promise<void>;
  /** Executed plus received: the position the election compares. */
  receivedPosition(comparator: PositionComparator): Promise<string>;
  /** The poller's reading. */
  sample(comparator: PositionComparator): Promise<MysqlSample>;
  /** Replicates from `source` (semi-sync replica role). */
  changeMaster(source: ReplicationSource): Promise<void>;
  /** Waits, on a connection of its own, until the received relay log is applied. */
  catchUp(options: CatchUpOptions): Promise<CatchUpReport>;
  /** Ends binlog dump threads of hosts outside `allowedHosts` (none when it is empty). */
  killForeignReplicas(allowedHosts: readonly string[]): Promise<string[]>;
  /** Ends every binlog dump thread: the replicas reconnect and negotiate semi-sync anew. */
  killReplicaConnections(): Promise<string[]>;
  /** The leader's semi-sync for `voters` voters: AFTER_SYNC, no timeout. */
  setLeaderSemiSync(voters: number): Promise<{ applied: number; shortfall?: string }>;
  /** Acknowledgements this server waits for with `voters` voters. */
  appliedWaitCount(voters: number): Promise<number>;
  readLeaderSemiSync(): Promise<LeaderSemiSyncSample>;
  /** Purges binary logs before what every member still needs; the file purged up to, or null. */
  purgeBinlogs(memberFiles: readonly string[]): Promise<string | null>;
  /** Read-only with client sessions ended within `budgetMs`, sparing `keepThreadIds`. */
  fence(options: { budgetMs: number; keepThreadIds: readonly number[] }): Promise<FenceAttempt>;
}
