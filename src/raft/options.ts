/**
 * What the election core needs to know, in milliseconds of the local monotonic clock. The daemon
 * builds this from xenon.json once; the core never reads configuration itself.
 */
import { ConfigError } from "../lib/errors.ts";
import type { PositionComparator } from "../gtid/types.ts";

export interface RaftOptions {
  /** This node's endpoint (`host:port`), its identity in peers.json and in messages. */
  readonly self: string;
  /** Leader heartbeat period (xenon.json `raft.heartbeat-timeout`). */
  readonly heartbeatMs: number;
  /** Minimum election timeout (`raft.election-timeout`): followers wait at least this long. */
  readonly electionTimeoutMs: number;
  /** Peer RPC timeout (`rpc.request-timeout`): replies older than this are not waited for. */
  readonly requestTimeoutMs: number;
  /** Longest the daemon takes to fence (kill connections + read_only), enforced by the daemon. */
  readonly fenceBudgetMs: number;
  /** Period of the daemon's tick events; fencing can start up to one tick late. */
  readonly tickMs: number;
  /** Bound on the rate difference of any two monotonic clocks, e.g. 0.01 = 1 %. */
  readonly clockDriftBound: number;
  /**
   * How long a new leader's catch-up may go without its SQL thread applying anything before it
   * steps back (catch_up.ts): a stalled apply, not a slow one. Progress is seen per transaction,
   * so a single transaction applying longer than this counts as stalled.
   */
  readonly catchUpStallMs: number;
  /** The hard bound on a catch-up that keeps making progress (catch_up.ts says why 60 s). */
  readonly catchUpLimitMs: number;
  /** `raft.super-idle`: this node never votes and never campaigns. */
  readonly superIdle: boolean;
  /** A cluster with a single voter may elect itself without `raft trytoleader`. */
  readonly allowSingleVoterSelfElection: boolean;
  /** Compares replication positions; the only way the core looks at GTIDs. */
  readonly comparator: PositionComparator;
  /**
   * The most replicas this flavor's semi-sync can wait for, and why (MariaDB: one, it has no
   * wait-count variable); absent: no limit. Voters beyond what it covers are refused.
   */
  readonly semiSyncWaitLimit?: { readonly count: number; readonly why: string };
  /** Seed of the core's own pseudo-random sequence (election jitter). */
  readonly seed: number;
  /** TEST ONLY: followers grant votes within the lease and leaders never fence on lease loss. */
  readonly unsafeDisableLease?: boolean;
  /** TEST ONLY: votes ignore replication positions. */
  readonly unsafeDisableVoteGtidCheck?: boolean;
  /** TEST ONLY: a leader handing over releases its lease at once, without fencing. */
  readonly unsafeSkipHandOverFence?: boolean;
  /** TEST ONLY (the shell, src/node): catch-up reports the relay log applied at once. */
  readonly unsafeSkipCatchUp?: boolean;
  /** TEST ONLY (the shell, src/node): promote skips the lease re-check before read_only OFF. */
  readonly unsafeSkipPromoteLeaseCheck?: boolean;
  /** TEST ONLY (the shell, src/node): promote leaves innodb_flush_log_at_trx_commit at 1. */
  readonly unsafeSkipCommitFlush?: boolean;
}

/** xenon's defaults: 1 s heartbeat, 3 s election timeout, 1 s request timeout. */
export const DEFAULT_TIMERS = {
  heartbeatMs: 1000,
  electionTimeoutMs: 3000,
  requestTimeoutMs: 1000,
  fenceBudgetMs: 500,
  tickMs: 100,
  clockDriftBound: 0.01,
  catchUpStallMs: 6000,
  catchUpLimitMs: 60000,
} as const;

export type RaftTimers = Pick<
  RaftOptions,
  | "heartbeatMs"
  | "electionTimeoutMs"
  | "requestTimeoutMs"
  | "fenceBudgetMs"
  | "tickMs"
  | "clockDriftBound"
  | "catchUpStallMs"
  | "catchUpLimitMs"
>;

export function raftOptions(
  self: string,
  comparator: PositionComparator,
  overrides: Partial<RaftOptions> = {},
): RaftOptions {
  return {
    self,
    comparator,
    ...DEFAULT_TIMERS,
    superIdle: false,
    allowSingleVoterSelfElection: false,
    seed: hashText(self),
    ...overrides,
  };
}

/** A stable 32-bit seed from a string (FNV-1a), so each node jitters differently by default. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Throws a ConfigError naming the first timer that makes leases unsafe or unusable. */
export function validateTimers(t: RaftTimers): void {
  const positive: (keyof RaftTimers)[] = [
    "heartbeatMs",
    "electionTimeoutMs",
    "requestTimeoutMs",
    "tickMs",
    "catchUpStallMs",
    "catchUpLimitMs",
  ];
  for (const key of positive) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) {
      throw new ConfigError(`raft timer ${key} must be a positive number of ms, got ${t[key]}`);
    }
  }
  if (t.catchUpLimitMs < t.catchUpStallMs) {
    throw new ConfigError(
      `raft catchUpLimitMs ${t.catchUpLimitMs} ms must not be below catchUpStallMs ` +
        `${t.catchUpStallMs} ms`,
    );
  }
  if (!(t.fenceBudgetMs >= 0)) {
    throw new ConfigError(`raft fenceBudgetMs must be >= 0 ms, got ${t.fenceBudgetMs}`);
  }
  if (!(t.clockDriftBound >= 0 && t.clockDriftBound < 0.5)) {
    throw new ConfigError(`raft clockDriftBound must be in [0, 0.5), got ${t.clockDriftBound}`);
  }
  const leaseMs = leaseMsFor(t);
  if (leaseMs <= t.heartbeatMs) {
    const need = minimumElectionTimeout(t);
    throw new ConfigError(
      `election-timeout ${t.electionTimeoutMs} ms is too short for heartbeat-timeout ` +
        `${t.heartbeatMs} ms: the leader lease would be ${Math.floor(leaseMs)} ms, not longer ` +
        `than one heartbeat; raise election-timeout to at least ${need} ms`,
    );
  }
}

/** Leader lease on the leader's own clock, counted from a heartbeat's send time (lease.ts). */
export function leaseMsFor(t: RaftTimers): number {
  const newLeaderEarliest = t.electionTimeoutMs / (1 + t.clockDriftBound);
  const fencedBy = newLeaderEarliest - t.heartbeatMs; // one heartbeat of margin
  return (fencedBy - t.fenceBudgetMs) * (1 - t.clockDriftBound) - t.tickMs;
}

function minimumElectionTimeout(t: RaftTimers): number {
  // Solve leaseMsFor(t) > heartbeatMs for electionTimeoutMs, rounded up to the next 100 ms.
  const needed = ((t.heartbeatMs + t.tickMs) / (1 - t.clockDriftBound) + t.fenceBudgetMs +
    t.heartbeatMs) * (1 + t.clockDriftBound);
  return Math.ceil((needed + 1) / 100) * 100;
}
