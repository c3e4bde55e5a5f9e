/**
 * One step in progress: a private copy of the state plus the effects and notes it produces, and
 * the role changes (`become*`), the only places where roles change. Nothing here is shared
 * between steps; `step` returns a frozen result.
 */
import type { Effect } from "./effects.ts";
import type { Message } from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import { leaseMsFor } from "./options.ts";
import { majority, semiSyncWaitCount } from "../lib/quorum.ts";
import { nextRandom } from "./random.ts";
import type { RaftState, Role } from "./state.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class Ctx {
  readonly s: Mutable<RaftState>;
  readonly effects: Effect[] = [];
  readonly notes: string[] = [];
  admin?: { ok: boolean; reason: string };
  readonly leaseMs: number;

  constructor(readonly o: RaftOptions, state: RaftState, now: number) {
    this.s = { ...state, now: Math.max(state.now, now) };
    this.leaseMs = leaseMsFor(o);
  }

  get now(): number {
    return this.s.now;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  effect(e: Effect): void {
    this.effects.push(e);
  }

  /** Asks the shell for a freezeReplication; returns its id, echoed in the result. */
  freeze(reason: string): number {
    const id = ++this.s.freezesAsked;
    this.effects.push({ kind: "freezeReplication", id, reason });
    return id;
  }

  /**
   * How long a flow waits for a freeze: STOP SLAVE IO_THREAD on MariaDB re-signals an IO thread
   * stuck on a vanished source only every 2 s, so the first freeze after a host loss takes about
   * that long; at least one election timeout (a node slower than that would not lead anyway).
   */
  freezeWindowMs(): number {
    return Math.max(2 * this.o.requestTimeoutMs, this.o.electionTimeoutMs);
  }

  send(message: Message, reason: string, validUntil?: number): void {
    this.effects.push(
      validUntil === undefined
        ? { kind: "send", message, reason }
        : { kind: "send", message, reason, validUntil },
    );
  }

  random(): number {
    const [value, next] = nextRandom(this.s.rng);
    this.s.rng = next;
    return value;
  }

  voters(): readonly string[] {
    return this.s.peers;
  }

  otherVoters(): string[] {
    return this.s.peers.filter((p) => p !== this.s.self);
  }

  isVoter(endpoint: string): boolean {
    return this.s.peers.includes(endpoint);
  }

  isMember(endpoint: string): boolean {
    return this.isVoter(endpoint) || this.s.idlePeers.includes(endpoint);
  }

  majority(): number {
    return majority(this.s.peers.length);
  }

  /**
   * Votes an election needs: a majority, or more where the flavor's semi-sync waits for fewer
   * replicas than K = N − M (`semiSyncWaitLimit`; MariaDB waits for one). An acknowledged write
   * is then on only limit + 1 nodes, so every electing quorum must hold N − limit voters to
   * include one of them: 4 of 5 on MariaDB. It still meets every lease majority.
   */
  electionQuorum(): number {
    const limit = this.o.semiSyncWaitLimit?.count;
    const voters = this.s.peers.length;
    return limit === undefined ? majority(voters) : Math.max(majority(voters), voters - limit);
  }

  /**
   * K = voters − majority, plus removed voters that may still ack until they confirm, plus added
   * voters until the voters before them know of them (state.ts).
   */
  semiSyncWaitCount(): number {
    const lead = this.s.leadership;
    return semiSyncWaitCount(this.s.peers.length) + (lead?.removing.length ?? 0) +
      (lead?.adding?.voters.length ?? 0);
  }

  /** Heard from a live leader within one minimum election timeout: votes for others refused. */
  inLease(): boolean {
    if (this.o.unsafeDisableLease) return false;
    const at = this.s.leaderContactAt;
    return at !== null && this.now - at < this.o.electionTimeoutMs;
  }

  /** Started less than one election timeout ago: votes refused as within a lease (state.ts). */
  inStartHold(): boolean {
    return !this.o.unsafeDisableLease && this.now < this.s.votesHeldUntil;
  }

  /**
   * Next campaign time: one minimum election timeout, plus a wait by freshness rank (the most up
   * to date follower, rank 0, goes first) and a little jitter against ties.
   */
  resetElectionTimer(): void {
    const ranked = this.s.ranking.filter((p) => p !== this.s.leader && this.isVoter(p));
    const index = ranked.indexOf(this.s.self);
    const step = this.o.heartbeatMs / 2;
    // Without a ranking (no leader heard yet) spread over a whole election timeout instead.
    const wait = index >= 0
      ? index * step + this.random() * step
      : this.random() * this.o.electionTimeoutMs;
    this.retryCampaignAfter(this.o.electionTimeoutMs + wait);
  }

  /** After a failed campaign: retry soon, at a random moment, so split votes do not repeat. */
  retryCampaignSoon(): void {
    const half = this.o.electionTimeoutMs / 2;
    this.retryCampaignAfter(this.o.heartbeatMs / 2 + this.random() * half);
  }

  private retryCampaignAfter(ms: number): void {
    this.s.electionDeadline = Math.max(this.now + ms, this.s.campaignPenaltyUntil);
  }

  private setRole(role: Role, reason: string): void {
    const from = this.s.role;
    this.s.role = role;
    this.s.reason = reason;
    this.note(from === role ? `${role}: ${reason}` : `${from} -> ${role}: ${reason}`);
  }

  /** Leaves leadership; a leader that may have been writable releases the VIP and fences first. */
  private leaveLeadership(reason: string): void {
    const lead = this.s.leadership;
    if (this.s.role !== "LEADER" || lead === null) return;
    if (lead.phase === "writable") {
      // The VIP goes first: releasing it only takes write paths away, while a fence may take
      // seconds (a hard restart while commits wait for acks) the next leader need not wait.
      this.effect({
        kind: "runLeaderStop",
        term: this.s.term,
        reason: `no longer leader: ${reason}`,
      });
      this.effect({ kind: "fence", reason: `fencing: ${reason}` });
    } else {
      this.effect({ kind: "setReadOnly", reason: `never promoted, stays read-only: ${reason}` });
    }
    this.s.leadership = null;
    this.s.leader = null;
  }

  becomeFollower(reason: string): void {
    this.leaveLeadership(reason);
    this.s.campaign = null;
    if (this.s.role === "CANDIDATE" || this.s.role === "LEADER") this.s.leader = null;
    this.setRole("FOLLOWER", reason);
    this.resetElectionTimer();
  }

  becomeCandidate(reason: string, transfer: boolean, handedOverBy?: string): void {
    this.s.term += 1;
    this.s.votedFor = this.s.self;
    this.s.leader = null;
    this.s.leaderContactAt = null;
    this.s.pendingVote = null;
    this.s.pendingFollow = null;
    this.s.replicatingFrom = null;
    this.setRole("CANDIDATE", reason);
    const freeze = this.freeze(
      `campaigning for term ${this.s.term}: stop acking the old leader, read my position`,
    );
    this.s.campaign = {
      phase: "freezing",
      term: this.s.term,
      granted: [this.s.self],
      denied: [],
      deadline: this.now + this.freezeWindowMs(),
      transfer,
      position: null,
      freeze,
      ...(handedOverBy === undefined ? {} : { handedOverBy }),
    };
  }

  becomeLeader(reason: string): void {
    const handedOverBy = this.s.campaign?.term === this.s.term
      ? this.s.campaign.handedOverBy
      : undefined;
    this.s.campaign = null;
    this.s.leader = this.s.self;
    this.s.leaderContactAt = null;
    this.s.replicatingFrom = null;
    const deadline = this.now + this.o.catchUpLimitMs;
    this.s.leadership = {
      since: this.now,
      startPosition: this.s.mysql.position,
      acks: {},
      positions: {},
      lastHeartbeatAt: Number.NEGATIVE_INFINITY,
      phase: "catchingUp",
      catchUpDeadline: deadline,
      removing: [],
      ...(handedOverBy === undefined ? {} : { handedOverBy }),
    };
    this.setRole("LEADER", reason);
    this.effect({
      kind: "catchUp",
      term: this.s.term,
      deadline,
      reason: `elected for term ${this.s.term}: apply the relay log before becoming writable`,
    });
  }

  /** IDLE, LEARNER or INVALID: read-only, never campaigns. */
  becomePassive(role: "IDLE" | "LEARNER" | "INVALID", reason: string): void {
    const wasLeader = this.s.role === "LEADER";
    this.leaveLeadership(reason);
    this.s.campaign = null;
    this.s.pendingVote = null;
    this.s.electionDeadline = Number.POSITIVE_INFINITY;
    if (role === "LEARNER" || role === "INVALID") this.s.replicatingFrom = null;
    this.s.mode = role === "IDLE" ? "idle" : role === "LEARNER" ? "learner" : "invalid";
    this.s.modeReason = reason;
    this.setRole(role, reason);
    if (!wasLeader) this.effect({ kind: "setReadOnly", reason: `${role}: ${reason}` });
  }
}
