/**
 * The lease and fencing arithmetic, computed rather than assumed (reliability.md §2.7).
 *
 * Let s be the moment the leader sent the last heartbeat that a majority acknowledged. Every voter
 * in that majority received it at or after s and refuses to vote for anyone else for one minimum
 * election timeout E of its own clock (a candidate's own timer waits as long), so with clock rates
 * within ±ρ no election can complete before s + E/(1+ρ) real time: the earliest a new leader can
 * be writable. The leader must be read-only one heartbeat H before that, and fencing takes up to
 * F once started, and starts up to one tick late: it starts fencing when its own clock reads
 * s + lease, lease = (E/(1+ρ) − H − F)·(1−ρ) − tick.
 */
import { Ctx } from "./context.ts";
import { leaseUntil } from "./leader.ts";
import { leaseMsFor, type RaftOptions, type RaftTimers } from "./options.ts";
import type { RaftState } from "./state.ts";

export interface LeaseArithmetic {
  /** Leader lease on its own clock after the send time of a majority-acked heartbeat. */
  readonly leaseMs: number;
  /** Latest real time (after s) at which the old leader is read-only, connections killed. */
  readonly oldLeaderReadOnlyByMs: number;
  /** Earliest real time (after s) at which any other node can win an election and be writable. */
  readonly newLeaderWritableFromMs: number;
  /** Gap between the two; at least one heartbeat by construction. */
  readonly marginMs: number;
  /** Round trip a heartbeat may take and still renew the lease before it runs out. */
  readonly renewalSlackMs: number;
  /** The same in one line, for docs, `config check` and logs. */
  readonly summary: string;
}

export function leaseArithmetic(t: RaftTimers): LeaseArithmetic {
  const leaseMs = leaseMsFor(t);
  const newLeaderWritableFromMs = t.electionTimeoutMs / (1 + t.clockDriftBound);
  const oldLeaderReadOnlyByMs = (leaseMs + t.tickMs) / (1 - t.clockDriftBound) + t.fenceBudgetMs;
  const marginMs = newLeaderWritableFromMs - oldLeaderReadOnlyByMs;
  const renewalSlackMs = leaseMs - t.heartbeatMs;
  const ms = (x: number) => `${Math.floor(x)} ms`;
  const summary = `lease ${ms(leaseMs)} after each majority-acked heartbeat; old leader ` +
    `read-only by ${ms(oldLeaderReadOnlyByMs)}, earliest new leader writable at ` +
    `${ms(newLeaderWritableFromMs)} (margin ${ms(marginMs)} >= heartbeat ${ms(t.heartbeatMs)}, ` +
    `clock drift bound ${t.clockDriftBound * 100} %); heartbeat acks must return within ` +
    `${ms(renewalSlackMs)} to renew it`;
  return {
    leaseMs,
    oldLeaderReadOnlyByMs,
    newLeaderWritableFromMs,
    marginMs,
    renewalSlackMs,
    summary,
  };
}

/** The leader's lease at `now`: held or not, and for how long still; null on non-leaders. */
export function leaseOf(
  o: RaftOptions,
  state: RaftState,
  now: number,
): { valid: boolean; remainingMs: number } | null {
  if (state.role !== "LEADER" || state.leadership === null) return null;
  const c = new Ctx(o, state, now);
  const left = Math.min(leaseUntil(c) - c.now, c.leaseMs);
  return left > 0
    ? { valid: true, remainingMs: Math.floor(left) }
    : { valid: false, remainingMs: 0 };
}

/** The lease end on the leader's clock as of `state`; -Infinity when not leading. */
export function leaseEndOf(o: RaftOptions, state: RaftState): number {
  if (state.role !== "LEADER" || state.leadership === null) return Number.NEGATIVE_INFINITY;
  return leaseUntil(new Ctx(o, state, state.now));
}
