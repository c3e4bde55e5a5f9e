/**
 * The election core: a pure Raft+ state machine (xenon's FOLLOWER, CANDIDATE, LEADER, IDLE,
 * INVALID, LEARNER, STOPPED) with GTID-decided votes, leases and fencing.
 */
export { initialState, metaOf, step } from "./step.ts";
export type { Effect, Transition } from "./effects.ts";
export type { AdminCommand, MysqlObservation, RaftEvent } from "./events.ts";
export type * from "./messages.ts";
export {
  decodePeersJson,
  emptyMeta,
  encodePeersJson,
  type MysqldRun,
  type PersistedMeta,
  type PersistedMode,
} from "./meta.ts";
export {
  DEFAULT_TIMERS,
  hashText,
  leaseMsFor,
  type RaftOptions,
  raftOptions,
  type RaftTimers,
  validateTimers,
} from "./options.ts";
export { type LeaseArithmetic, leaseArithmetic, leaseEndOf, leaseOf } from "./lease.ts";
export { majority, semiSyncWaitCount } from "../lib/quorum.ts";
export { nextRandom } from "./random.ts";
export type { Campaign, Leadership, PendingVote, RaftState, Role } from "./state.ts";
export { explainNode, type Explanation, type PeerData } from "./explain.ts";
export { dryRunFailover, type DryRunVerdict } from "./dry_run.ts";
export { dataRefusal } from "./vote.ts";
export { ONE_VOTER_CHANGE } from "./admin.ts";
