/** The core's whole state: plain data, never mutated in place (step returns a new one). */
import type { MysqlObservation } from "./events.ts";
import type { LostRelayLog, MysqldRun, PersistedMeta } from "./meta.ts";

export type Role = "FOLLOWER" | "CANDIDATE" | "LEADER" | "IDLE" | "INVALID" | "LEARNER" | "STOPPED";

/** A campaign: the pre-vote round (changes nothing elsewhere), then the real vote. */
export interface Campaign {
  readonly phase: "preVote" | "freezing" | "vote";
  /** The term asked for (pre-vote: current term + 1, not yet adopted). */
  readonly term: number;
  readonly granted: readonly string[];
  readonly denied: readonly string[];
  readonly deadline: number;
  readonly transfer: boolean;
  readonly position: string | null;
  /** The freeze a candidate's freezing phase waits for (freezeReplication's id). */
  readonly freeze?: number;
  /** The campaign follows a lease release by this leader, whose leader commands both succeeded. */
  readonly handedOverBy?: string;
}

export interface Leadership {
  readonly since: number;
  /** My position when elected: transactions after it are written in this term. */
  readonly startPosition: string | null;
  /** Per voter: send time (leader clock) of the latest heartbeat it acknowledged this term. */
  readonly acks: Readonly<Record<string, number>>;
  readonly positions: Readonly<Record<string, string | null>>;
  /** Per voter: its backlog from its latest heartbeat reply (absent or null: unknown). */
  readonly backlogs?: Readonly<Record<string, number | null>>;
  readonly lastHeartbeatAt: number;
  /** catchingUp: applying relay log; ready: caught up, waiting for a lease; writable: promoted. */
  readonly phase: "catchingUp" | "ready" | "writable";
  readonly catchUpDeadline: number;
  /** How the catch-up went so far, from the shell's reports (absent: none yet). */
  readonly catchUp?: CatchUpTrack;
  /**
   * Voters removed this term that may still replicate from us and ack: they count in the
   * semi-sync wait count until they confirm the removal.
   */
  readonly removing: readonly string[];
  /**
   * When this leader last changed the voters (leader clock); unset: none this term. The next
   * voter change waits until a majority of the voters acked a heartbeat sent after it (admin.ts).
   */
  readonly votersChangedAt?: number;
  /**
   * Voters added this term, and since when: until a majority of the voters before them has
   * acknowledged a heartbeat sent after that (so knows the new membership), an election among
   * those could ignore them, and an ack from them alone is not durable: they count in the
   * semi-sync wait count on top (absent: none).
   */
  readonly adding?: { readonly voters: readonly string[]; readonly since: number };
  /**
   * The leader of the term before, which fenced itself, then released its lease to this node
   * after its own leader-start-command and then its leader-stop-command had succeeded
   * (follower.ts onLeaseReleased): it held what the start takes and gave it back, so
   * leader-start-command may skip its check for another holder.
   */
  readonly handedOverBy?: string;
}

/** A catch-up's progress as the shell reported it (catch_up.ts). */
export interface CatchUpTrack {
  /** When the SQL thread was last seen applying (leader clock). */
  readonly progressAt: number;
  readonly applied: string | null;
  /** The first and the latest report with a known backlog: the apply rate is measured on them. */
  readonly first: BacklogSample | null;
  readonly latest: BacklogSample | null;
}

export interface BacklogSample {
  readonly at: number;
  readonly backlog: number;
}

export interface PendingVote {
  readonly since: number;
  readonly candidate: string;
  readonly term: number;
  readonly position: string;
  readonly dataTerm: number;
  readonly transfer: boolean;
  /** The freeze whose position decides this vote. */
  readonly freeze: number;
}

export interface PromotedData {
  readonly term: number;
  readonly start: string | null;
  readonly before: number;
}

export interface FollowRetry {
  readonly leader: string;
  readonly attempts: number;
  readonly at: number;
}

/** A new leader to follow once the position is frozen (see follower.ts). */
export interface PendingFollow {
  readonly since: number;
  readonly leader: string;
  readonly term: number;
  readonly termStart: string | null;
  readonly leaderPosition: string | null;
  /** The freeze whose position decides whether to follow. */
  readonly freeze: number;
}

/**
 * The durable part (meta.ts) where the core holds it under the same names; `term` (viewId),
 * `epoch` (epochId), `relayLogLost` and `mysqldRun` (never undefined here) follow below.
 */
type DurableFields = Pick<
  PersistedMeta,
  "votedFor" | "peers" | "idlePeers" | "mode" | "modeReason" | "dataTerm" | "source"
>;

export interface RaftState extends DurableFields {
  readonly self: string;
  readonly role: Role;
  readonly term: number;
  readonly epoch: number;
  /**
   * The data term this node took at its own promote, with its position then and the data term
   * before: until it writes, its data is what it was before (vote.ts `votingDataTerm`). Not
   * persisted: after a restart the data term counts as is.
   */
  readonly promotedData: PromotedData | null;
  readonly leader: string | null;
  /** When this node last heard from a live leader (its lease on votes); null = never. */
  readonly leaderContactAt: number | null;
  /**
   * Set at start to one election timeout later: the previous run may have acknowledged a
   * leader's heartbeat just before it died, and that leader's lease counts on this voter
   * refusing votes until then, so it does, as if it had just heard a leader.
   */
  readonly votesHeldUntil: number;
  readonly leaderPosition: string | null;
  /** The current leader's position when elected (from its heartbeats). */
  readonly leaderTermStart: string | null;
  /** The current leader's last heartbeat said it is writable (absent: none heard yet). */
  readonly leaderWritable?: boolean;
  readonly ranking: readonly string[];
  /**
   * The source whose writes this node's MySQL may have acknowledged and then lost with its
   * relay log at a restart (relay.ts); null when its position is complete.
   */
  readonly relayLogLost: LostRelayLog | null;
  /** The mysqld run the relay log state above is of (relay.ts); null until a sample named one. */
  readonly mysqldRun: MysqldRun | null;
  /** The leader this node's replication points at (after changeMaster). */
  readonly replicatingFrom: string | null;
  /**
   * The IO thread was stopped because `replicatingFrom` went quiet (follower.ts); it still
   * points there, and the leader's next heartbeat starts it again.
   */
  readonly quietLeaderStop: boolean;
  /** After a failed CHANGE MASTER to `leader`: how many failed, and no new attempt before `at`. */
  readonly followRetry: FollowRetry | null;
  readonly electionDeadline: number;
  readonly mysql: MysqlObservation;
  readonly campaign: Campaign | null;
  readonly leadership: Leadership | null;
  readonly pendingVote: PendingVote | null;
  readonly pendingFollow: PendingFollow | null;
  /** Ids handed out to freezeReplication effects so far (the last one's id). */
  readonly freezesAsked: number;
  /** A hand-over decided as leader of `term`: the lease goes to `target` once fenced. */
  readonly pendingRelease: { readonly term: number; readonly target: string } | null;
  /** After a failed catch-up, this node waits longer before its next campaign. */
  readonly campaignPenaltyUntil: number;
  readonly purgeBinlog: boolean;
  readonly checkSemiSync: boolean;
  readonly now: number;
  readonly rng: number;
  /** Why the node is in its current role. */
  readonly reason: string;
}

export const UNKNOWN_MYSQL: MysqlObservation = {
  alive: false,
  ioRunning: false,
  sqlRunning: false,
  position: null,
};

/** A node before its `start` event. */
export function stoppedState(self: string, seed: number): RaftState {
  return {
    self,
    role: "STOPPED",
    term: 0,
    votedFor: null,
    epoch: 0,
    peers: [self],
    idlePeers: [],
    mode: "normal",
    modeReason: "",
    dataTerm: 0,
    promotedData: null,
    source: null,
    leader: null,
    leaderContactAt: null,
    votesHeldUntil: 0,
    leaderPosition: null,
    leaderTermStart: null,
    ranking: [],
    relayLogLost: null,
    mysqldRun: null,
    replicatingFrom: null,
    quietLeaderStop: false,
    followRetry: null,
    electionDeadline: Number.POSITIVE_INFINITY,
    mysql: UNKNOWN_MYSQL,
    campaign: null,
    leadership: null,
    pendingVote: null,
    pendingFollow: null,
    freezesAsked: 0,
    pendingRelease: null,
    campaignPenaltyUntil: 0,
    purgeBinlog: true,
    checkSemiSync: true,
    now: 0,
    rng: seed >>> 0,
    reason: "not started",
  };
}
