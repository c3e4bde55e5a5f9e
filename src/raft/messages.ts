/** Peer messages. Every message carries the sender's term (xenon's ViewID). */
import type { Role } from "./state.ts";

interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly term: number;
}

export interface Heartbeat extends Envelope {
  readonly kind: "heartbeat";
  readonly epoch: number;
  readonly peers: readonly string[];
  readonly idlePeers: readonly string[];
  /** The leader's replication position (new followers check they are not ahead of it). */
  readonly position: string | null;
  /** The leader's position when it was elected: what it writes in its term comes after it. */
  readonly termStart: string | null;
  /**
   * The leader has applied its relay log and is writable. Followers repoint only then: before,
   * its binlog may lack what they already hold (MariaDB refuses them with error 1236), and a
   * replica that connects before its semi-sync is on never acknowledges.
   */
  readonly writable: boolean;
  /** Leader's clock when sent; echoed in the reply so the leader can time its lease. */
  readonly sentAt: number;
  /** Voters, most up to date first: a follower's index sets how long it waits to campaign. */
  readonly ranking: readonly string[];
}

export interface HeartbeatReply extends Envelope {
  readonly kind: "heartbeatReply";
  readonly ok: boolean;
  readonly reason: string;
  readonly sentAt: number;
  readonly position: string | null;
  readonly role: Role;
  /**
   * Transactions received and not applied yet; null or absent (older peers): unknown, or the SQL
   * thread is not applying. Ranks equally fresh voters and tells a catching-up leader whether one
   * could be writable sooner.
   */
  readonly backlog?: number | null;
}

/** "Would you vote for me in `term`?": changes nothing on the receiver (etcd's pre-vote). */
export interface PreVote extends Envelope {
  readonly kind: "preVote";
  readonly position: string;
  readonly dataTerm: number;
}

export interface PreVoteReply extends Envelope {
  readonly kind: "preVoteReply";
  readonly granted: boolean;
  readonly reason: string;
  readonly role: Role;
}

export interface VoteRequest extends Envelope {
  readonly kind: "vote";
  readonly position: string;
  /** Term of the leader whose history the candidate's data follows (see PersistedMeta). */
  readonly dataTerm: number;
  /** The old leader fenced itself and handed over; voters need not wait out its lease. */
  readonly transfer: boolean;
}

export interface VoteReply extends Envelope {
  readonly kind: "voteReply";
  readonly granted: boolean;
  readonly reason: string;
  /** The voter's frozen position and data term when it decided. */
  readonly position: string | null;
  readonly dataTerm: number;
  readonly role: Role;
}

/** A follower asks its leader to hand over (`raft trytoleader`). */
export interface TransferRequest extends Envelope {
  readonly kind: "transfer";
}

/** The leader has fenced itself and released its lease; `target` should campaign now. */
export interface LeaseReleased extends Envelope {
  readonly kind: "leaseReleased";
  readonly target: string;
  /**
   * The sender's leader-start-command of this term and then its leader-stop-command both ran and
   * exited 0 before the release (absent from older peers: as false).
   */
  readonly leaderCommandsOk?: boolean;
}

export interface Ping extends Envelope {
  readonly kind: "ping";
}

export interface PingReply extends Envelope {
  readonly kind: "pingReply";
  readonly role: Role;
  readonly leader: string | null;
  readonly epoch: number;
}

export type Message =
  | Heartbeat
  | HeartbeatReply
  | PreVote
  | PreVoteReply
  | VoteRequest
  | VoteReply
  | TransferRequest
  | LeaseReleased
  | Ping
  | PingReply;
