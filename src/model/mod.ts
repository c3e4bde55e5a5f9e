/**
 * The RPC contract between daemons and the CLI: every method the daemon serves, with its request
 * and result types. Names keep the original's `Service.Method` (inventory §3.17) so each call is
 * traceable to xenon's; fields are our own JSON (the original's gob wire is not reproduced).
 * Both sides import this table, so a method's shape is declared once.
 */
import type { FailoverRecord } from "../recorder/mod.ts";
import type {
  CheckStreamRequest,
  DoBackupRequest,
  DonorBackupStatus,
  RebuildRequest,
  RebuildStatus,
} from "./backup.ts";

export type * from "./backup.ts";

/** xenon's raft roles, as the CLI prints them. */
export const RAFT_STATES = [
  "FOLLOWER",
  "CANDIDATE",
  "LEADER",
  "IDLE",
  "INVALID",
  "LEARNER",
  "STOPPED",
] as const;
export type RaftStateName = typeof RAFT_STATES[number];

/** `NodeRPC.*`: membership as this node sees it. */
export interface NodesResult {
  epochId: number;
  viewId: number;
  state: RaftStateName;
  /** The leader this node follows ("" when none). */
  leader: string;
  /** Voters, self included. */
  peers: string[];
  idlePeers: string[];
}

/** Voters then idle members, each once, in the order the node reports them (the original's list). */
export function membersOf(
  nodes: { readonly peers: readonly string[]; readonly idlePeers: readonly string[] },
): string[] {
  return [...new Set([...nodes.peers, ...nodes.idlePeers])];
}

export interface NodesChange {
  nodes: string[];
  /** `cluster add|remove --force`: past the refusals that protect acknowledged writes. */
  force?: boolean;
}

/** What a membership change or HA command did, in one line for the CLI to print. */
export interface ActionResult {
  ok: boolean;
  reason: string;
}

/** `RaftRPC.Status`: the original's counters plus what xenon adds. */
export interface RaftStatusResult {
  state: RaftStateName;
  leader: string;
  viewId: number;
  epochId: number;
  idleCount: number;
  /** Why this node is in its state (the core's reason). */
  reason: string;
  stats: {
    leaderPromotes: number;
    leaderDegrades: number;
    leaderGetHeartbeatRequests: number;
    leaderGetVoteRequests: number;
    leaderPurgeBinlogs: number;
    leaderPurgeBinlogFails: number;
    lessHeartbeatAcks: number;
    candidatePromotes: number;
    candidateDegrades: number;
    /** Seconds in the current state. */
    stateUptimes: number;
    /** "" or "WaitUntilAfterGTID" while a new leader applies its relay log. */
    raftMysqlStatus: string;
  };
  purgeBinlogEnabled: boolean;
  checkSemiSyncEnabled: boolean;
}

/** `ServerRPC.Status`: the config the daemon runs with (no secrets) and its uptime. */
export interface ServerStatusResult {
  config: {
    logLevel: string;
    backupDir: string;
    backupIOPSLimits: number;
    xtrabackupBinDir: string;
    mysqldBaseDir: string;
    mysqldDefaultsFile: string;
    mysqlHost: string;
    mysqlPort: number;
    mysqlReplUser: string;
    mysqlPingTimeout: number;
    raftDataDir: string;
    raftHeartbeatTimeout: number;
    raftElectionTimeout: number;
    raftRPCRequestTimeout: number;
    raftStartVipCommand: string;
    raftStopVipCommand: string;
  };
  uptimeSeconds: number;
}

/** The replication fields the original reads from SHOW SLAVE STATUS (§3.11), per node. */
export interface ReplicationStatus {
  masterLogFile: string;
  readMasterLogPos: number;
  relayMasterLogFile: string;
  slaveIoRunning: boolean;
  slaveIoRunningText: string;
  slaveSqlRunning: boolean;
  slaveSqlRunningText: string;
  /** MySQL: Retrieved_Gtid_Set; MariaDB: gtid_io_pos. */
  retrievedGtidSet: string;
  /** MySQL: gtid_executed; MariaDB: gtid_current_pos. */
  executedGtidSet: string;
  secondsBehindMaster: string;
  slaveSqlRunningState: string;
  /**
   * Received but not applied: relay log bytes (same source binlog only) and transactions. Absent
   * from peers that do not report them (the Go original); null when not known.
   */
  relayBacklogBytes?: number | null;
  relayBacklogTransactions?: number | null;
  /** How long a failover to this node would take now (model/forecast.ts); null: unknown. */
  failoverForecastSeconds?: number | null;
  lastError: string;
  lastIoError: string;
  lastSqlError: string;
}

/** `MysqlRPC.Status`. */
export interface MysqlStatusResult {
  status: "ALIVE" | "DEAD";
  /** "" until xenon itself set read-only or read-write, as the original. */
  options: "READONLY" | "READWRITE" | "";
  replication: ReplicationStatus;
  mysqlDowns: number;
}

export type MysqldState = "RUNNING" | "NOTRUNNING" | "SHUTDOWNING" | "UNKNOW";

/** `MysqldRPC.Status`. */
export interface MysqldStatusResult {
  monitorInfo: "ON" | "OFF";
  /** `UNKNOW` while the monitor is off, as the original. */
  mysqldInfo: MysqldState;
  backupInfo: string;
  backupLastError: string;
  stats: { mysqldStarts: number; mysqldStops: number; monitorStarts: number; monitorStops: number };
}

export interface MysqlUser {
  user: string;
  host: string;
  superPriv: string;
}

export interface UserRequest {
  user: string;
  host: string;
  /** Absent for drop and list; never logged. */
  passwd?: string;
  database?: string;
  table?: string;
  privileges?: string;
  ssl?: "YES" | "NO";
}

/** What a node reports about its data and role, for `raft explain` and the failover dry run. */
export interface ExplainPeer {
  endpoint: string;
  role: RaftStateName;
  /** Received position; null when unknown (MySQL down). */
  position: string | null;
  dataTerm: number;
  modeReason: string;
  /** Whether its own checks let it campaign, and why not. */
  promotable: { ok: boolean; reason: string };
}

/** `RaftRPC.Explain`: why this node is in its state and what would make it lead. */
export interface ExplainRequest {
  /** What other nodes reported (their own Explain answers' `self`), to compare against. */
  peers?: ExplainPeer[];
}

export interface ExplainResult {
  self: ExplainPeer;
  term: number;
  leader: string;
  /** Voters, self included. */
  voters: string[];
  /** Position format of this node's server. */
  flavor: "mysql" | "mariadb";
  /** One sentence each, in reading order. */
  lines: string[];
}

/**
 * `RaftRPC.DryRunFailover`: which voter would win an election if the leader failed now, judged
 * by the asked daemon with the core's own vote rule over every member's Explain report.
 */
export interface DryRunFailoverResult {
  /** The leader assumed failed; null when none reported leading. */
  leader: string | null;
  /** The node that would win now, or null when none could. */
  winner: string | null;
  /** One line per node (would win, could win, or why not), then the verdict. */
  lines: string[];
  /** The reports it judged, one per member that answered. */
  nodes: ExplainPeer[];
}

type Empty = Record<string, never>;

/** Every method: request and result types. */
export interface Methods {
  "NodeRPC.GetNodes": { request: Empty; result: NodesResult };
  "NodeRPC.AddNodes": { request: NodesChange; result: ActionResult };
  "NodeRPC.AddIdleNodes": { request: NodesChange; result: ActionResult };
  "NodeRPC.RemoveNodes": { request: NodesChange; result: ActionResult };
  "NodeRPC.RemoveIdleNodes": { request: NodesChange; result: ActionResult };
  "ServerRPC.Ping": { request: Empty; result: ActionResult };
  "ServerRPC.Status": { request: Empty; result: ServerStatusResult };
  "RaftRPC.Status": { request: Empty; result: RaftStatusResult };
  "RaftRPC.EnablePurgeBinlog": { request: Empty; result: ActionResult };
  "RaftRPC.DisablePurgeBinlog": { request: Empty; result: ActionResult };
  "RaftRPC.EnableCheckSemiSync": { request: Empty; result: ActionResult };
  "RaftRPC.DisableCheckSemiSync": { request: Empty; result: ActionResult };
  /** This node's flight-recorder entries (the last `last`), oldest first. */
  "RaftRPC.History": { request: { last?: number }; result: FailoverRecord[] };
  "RaftRPC.Explain": { request: ExplainRequest; result: ExplainResult };
  "RaftRPC.DryRunFailover": { request: Empty; result: DryRunFailoverResult };
  "HARPC.HAEnable": { request: Empty; result: ActionResult };
  "HARPC.HADisable": { request: Empty; result: ActionResult };
  "HARPC.HASetLearner": { request: Empty; result: ActionResult };
  /** Planned switchover to the called node; the result says the measured write-block time. */
  /** Without `wait`, answers once asked (as the original); with it, once writable or not in time. */
  "HARPC.HATryToLeader": {
    request: { wait?: boolean };
    result: ActionResult & { writeBlockMs?: number };
  };
  "MysqlRPC.Status": { request: Empty; result: MysqlStatusResult };
  "MysqlRPC.SetGlobalSysVar": { request: { varSql: string }; result: ActionResult };
  "MysqldRPC.Status": { request: Empty; result: MysqldStatusResult };
  "MysqldRPC.StartMonitor": { request: Empty; result: ActionResult };
  "MysqldRPC.StopMonitor": { request: Empty; result: ActionResult };
  "MysqldRPC.Start": { request: Empty; result: ActionResult };
  "MysqldRPC.ShutDown": { request: Empty; result: ActionResult };
  "MysqldRPC.Kill": { request: Empty; result: ActionResult };
  "MysqldRPC.IsRunning": { request: Empty; result: { running: boolean } };
  "UserRPC.CreateNormalUser": { request: UserRequest; result: ActionResult };
  "UserRPC.CreateSuperUser": { request: UserRequest; result: ActionResult };
  "UserRPC.CreateUserWithPrivileges": { request: UserRequest; result: ActionResult };
  "UserRPC.DropUser": { request: UserRequest; result: ActionResult };
  "UserRPC.ChangePasword": { request: UserRequest; result: ActionResult };
  "UserRPC.GetUser": { request: Empty; result: { users: MysqlUser[] } };
  /** On the donor: start streaming a hot backup to the target (returns at once). */
  "BackupRPC.DoBackup": { request: DoBackupRequest; result: ActionResult };
  "BackupRPC.Status": { request: Empty; result: DonorBackupStatus };
  /** On the donor: can it back up and reach the target over ssh? Touches nothing. */
  "BackupRPC.Check": { request: CheckStreamRequest; result: ActionResult };
  /** Ends the running stream's whole process tree (on the donor), or forwards to it. */
  "BackupRPC.CancelBackup": { request: Empty; result: ActionResult };
  /** On the node to rebuild (or to receive a backup): starts the job (returns at once). */
  "RebuildRPC.Start": { request: RebuildRequest; result: ActionResult };
  "RebuildRPC.Status": { request: Empty; result: RebuildStatus };
  /** The donor's settings a server restored from its backup must share (--init-config). */
  "BackupRPC.Settings": { request: Empty; result: { settings: Record<string, string> } };
}

export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = Methods[M]["request"];
export type ResultOf<M extends MethodName> = Methods[M]["result"];

/**
 * Calls `method` on the daemon at `endpoint`, bounded by the caller's default deadline or by
 * `timeoutMs` for calls that take longer by nature; throws a one-line RpcError when it fails.
 */
export type CallDaemon = <M extends MethodName>(
  endpoint: string,
  method: M,
  request: RequestOf<M>,
  timeoutMs?: number,
) => Promise<ResultOf<M>>;

/**
 * Election messages between daemons travel one way each (`RaftRPC.Message`): the election core's
 * message plus the sender's MySQL address, which a follower needs to CHANGE MASTER to a new
 * leader. Replication credentials are never sent: every node has them in its own config.
 */
export const RAFT_MESSAGE_METHOD = "RaftRPC.Message";
export interface RaftEnvelope<TMessage> {
  message: TMessage;
  mysql: { host: string; port: number };
}
