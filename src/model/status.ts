/**
 * A read-only snapshot of one node, taken by the daemon whenever asked. The HTTP health
 * endpoints, `/metrics` and `raft explain` are computed from it, so they always agree.
 */
import type { FailoverForecast } from "./forecast.ts";
import type { RaftStateName } from "./mod.ts";

export interface NodeStatus {
  endpoint: string;
  role: RaftStateName;
  /** ViewID. */
  term: number;
  /** EpochID. */
  epoch: number;
  /** "" when this node knows no leader. */
  leader: string;
  /** Why the node is in its role (the election core's reason). */
  reason: string;
  voters: string[];
  idlePeers: string[];
  /** Leader only: whether a majority acknowledged recently enough, and for how long still. */
  lease: { valid: boolean; remainingMs: number } | null;
  /** Leader only: relay log applied and MySQL made writable. */
  writable: boolean;
  mysql: {
    alive: boolean;
    /** null while unknown (MySQL down). */
    readOnly: boolean | null;
    ioRunning: boolean;
    sqlRunning: boolean;
    secondsBehindMaster: number | null;
    /** Bytes of relay log received but not applied, when the flavor tells; else null. */
    relayBacklogBytes: number | null;
    /** Transactions received but not applied; null when not known. */
    relayBacklogTransactions: number | null;
    /** Transactions per second the SQL thread applied lately; null when not known. */
    applyRate: number | null;
    /** gtid_current_pos (MariaDB) or gtid_executed (MySQL). */
    position: string;
    lastError: string;
  };
  semiSync: {
    /** Leader: rpl_semi_sync_master_status (acking); null on followers or when unknown. */
    acking: boolean | null;
    clients: number | null;
    waitCount: number | null;
    /** Monotonic ms since commits have waited for acks without any arriving; null = not blocked. */
    blockedForMs: number | null;
  };
  counters: {
    leaderChanges: number;
    electionsStarted: number;
    electionsWon: number;
    votesGranted: Record<string, number>;
    votesDenied: Record<string, number>;
    heartbeatAcks: number;
    heartbeatMisses: number;
    /** Fences that could not make MySQL read-only by SQL (each escalated to a hard stop). */
    fenceFailures: number;
    mysqldRestarts: number;
  };
  /** Seconds since the daemon started. */
  uptimeSeconds: number;
  /** How long a failover to this node would take now; null on the leader (no failover to it). */
  failoverForecast: FailoverForecast | null;
}
