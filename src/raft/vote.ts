/**
 * Granting votes, written out clause by clause (etcd's Step). A vote is decided in two steps: the
 * request is checked against term, lease and earlier votes; then the daemon stops the IO thread
 * and reads the position (`freezeReplication`), so nothing acknowledged after the grant can be
 * missing on the candidate; then positions decide.
 */
import type { PositionComparator } from "../gtid/types.ts";
import type { Ctx } from "./context.ts";
import type { PreVote, VoteRequest } from "./messages.ts";
import type { RaftOptions } from "./options.ts";
import { relayLogVoteRefusal } from "./relay.ts";
import type { Role } from "./state.ts";

/** Why a node in `role` never votes, or null (the roles that do not take part). */
export function roleRefusal(role: Role, modeReason: string): string | null {
  if (role === "IDLE") return "I am IDLE: idle members never vote";
  if (role === "LEARNER") return "I am a LEARNER (being rebuilt): learners never vote";
  if (role === "INVALID") return `I am INVALID (${modeReason}): I never vote`;
  return null;
}

/** Why this node may not vote for the sender at all, or null. */
function standingRefusal(c: Ctx, m: PreVote | VoteRequest): string | null {
  const s = c.s;
  if (!c.isVoter(m.from)) return `${m.from} is not a voter in my membership (epoch ${s.epoch})`;
  if (!c.isVoter(s.self)) return `I am not a voter (epoch ${s.epoch})`;
  const byRole = roleRefusal(s.role, s.modeReason);
  if (byRole !== null) return byRole;
  if (s.role === "LEADER") return `I am the leader of term ${s.term} and hold my lease`;
  if (m.term < s.term || (m.kind === "preVote" && m.term <= s.term)) {
    return `its term ${m.kind === "preVote" ? m.term - 1 : m.term} is behind mine ${s.term}`;
  }
  if (c.inLease()) {
    const ago = Math.round(c.now - (s.leaderContactAt ?? 0));
    return `I heard from leader ${s.leader} ${ago} ms ago (lease: ${c.o.electionTimeoutMs} ms)`;
  }
  const relay = relayLogVoteRefusal(c, m);
  if (relay !== null) return relay;
  if (c.inStartHold()) {
    const left = Math.ceil(s.votesHeldUntil - c.now);
    return `I restarted and may have acknowledged a leader just before: no votes for ` +
      `another ${left} ms (one election timeout, ${c.o.electionTimeoutMs} ms, after the start)`;
  }
  return null;
}

/**
 * Why the candidate's data loses against mine, or null. Its data term must not be older (Raft's
 * last log term: positions alone cannot tell an old leader's unacknowledged tail from a newer
 * leader's history) and its position must not be behind or diverged.
 */
export function positionRefusal(
  c: Ctx,
  candidate: { position: string; dataTerm: number },
  mine: string | null,
): string | null {
  return dataRefusal(c.o, candidate, { position: mine, dataTerm: votingDataTerm(c, mine) });
}

/**
 * The data term my data at `mine` has, for votes. A leader takes its term as data term at
 * promote, before it writes (leader.ts), but until it writes its data is what it was: if my
 * position still equals my position when elected, no transaction of my term exists anywhere (it
 * would be in my binlog first, and my mysqld has not restarted since), so my data term is the one
 * before. That is Raft's rule on the real last entry: the same last transaction is the same last
 * term, and equal data is equally up to date. Without it, a leader that handed over in an idle
 * cluster refuses every candidate for data they share. Equal positions alone do not suffice: a
 * truncated unacknowledged tail lets another server reuse its GTID, and then only the data term
 * tells the two histories apart.
 */
export function votingDataTerm(c: Ctx, mine: string | null): number {
  const p = c.s.promotedData;
  if (p === null || p.term !== c.s.dataTerm || mine === null || p.start === null) {
    return c.s.dataTerm;
  }
  try {
    return c.o.comparator.compare(mine, p.start) === "equal" ? p.before : c.s.dataTerm;
  } catch {
    return c.s.dataTerm;
  }
}

/**
 * The data half of the vote rule, pure, for the core and for `cluster failover --dry-run`: why a
 * voter holding `voter` refuses a candidate holding `candidate`, or null.
 */
export function dataRefusal(
  o: Pick<RaftOptions, "comparator" | "unsafeDisableVoteGtidCheck">,
  candidate: { position: string; dataTerm: number },
  voter: { position: string | null; dataTerm: number },
): string | null {
  if (o.unsafeDisableVoteGtidCheck) return null;
  if (voter.position === null) return "I cannot read my own replication position";
  if (candidate.dataTerm < voter.dataTerm) {
    return `its data follows term ${candidate.dataTerm}'s leader, mine newer term ${voter.dataTerm}`;
  }
  // A newer data term is not enough: this node's MySQL may have acked a newer leader while its
  // agent was down, so the position must not be behind either.
  return comparePositions(o.comparator, candidate.position, voter.position);
}

function comparePositions(
  comparator: PositionComparator,
  candidate: string,
  mine: string,
): string | null {
  try {
    const cmp = comparator.compare(candidate, mine);
    if (cmp === "equal" || cmp === "ahead") return null;
    return `its GTID ${comparator.explain(candidate, mine)} (mine)`;
  } catch (err) {
    return `positions cannot be compared: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Why this node denies `m` a pre-vote now, or null (also what `raft explain` reports). */
export function preVoteRefusal(c: Ctx, m: PreVote): string | null {
  return standingRefusal(c, m) ?? positionRefusal(c, m, c.s.mysql.position);
}

export function onPreVote(c: Ctx, m: PreVote): void {
  const refusal = preVoteRefusal(c, m);
  const granted = refusal === null;
  c.send(
    {
      kind: "preVoteReply",
      from: c.s.self,
      to: m.from,
      term: granted ? m.term : c.s.term,
      granted,
      reason: refusal ?? "",
      role: c.s.role,
    },
    granted
      ? `pre-vote granted to ${m.from} for term ${m.term}`
      : `pre-vote denied to ${m.from}: ${refusal}`,
  );
}

export function onVoteRequest(c: Ctx, m: VoteRequest): void {
  const s = c.s;
  const refusal = standingRefusal(c, m);
  if (refusal !== null) return denyVote(c, m.from, refusal);
  if (m.term > s.term) {
    s.term = m.term;
    s.votedFor = null;
    s.leader = null;
    s.pendingFollow = null;
    if (s.role === "CANDIDATE") c.becomeFollower(`${m.from} campaigns in higher term ${m.term}`);
  }
  if (s.votedFor !== null && s.votedFor !== m.from) {
    return denyVote(c, m.from, `I already voted for ${s.votedFor} in term ${s.term}`);
  }
  const pending = s.pendingVote;
  if (pending !== null && pending.term === s.term) {
    if (pending.candidate === m.from) return; // duplicate request; the answer is on its way
    return denyVote(c, m.from, `I am deciding on ${pending.candidate}'s request`);
  }
  s.campaign = null;
  s.replicatingFrom = null;
  const freeze = c.freeze(
    `vote request from ${m.from} for term ${m.term}: stop the IO thread, read my position`,
  );
  s.pendingVote = {
    since: c.now,
    candidate: m.from,
    term: m.term,
    position: m.position,
    dataTerm: m.dataTerm,
    transfer: m.transfer,
    freeze,
  };
}

/** The position is frozen: decide the pending vote. */
export function decidePendingVote(c: Ctx, position: string | null, error?: string): void {
  const s = c.s;
  const pending = s.pendingVote;
  if (pending === null) return;
  s.pendingVote = null;
  if (pending.term !== s.term || s.role !== "FOLLOWER") {
    return denyVote(c, pending.candidate, `I moved on to term ${s.term} as ${s.role}`);
  }
  if (s.votedFor !== null && s.votedFor !== pending.candidate) {
    return denyVote(c, pending.candidate, `I already voted for ${s.votedFor} in term ${s.term}`);
  }
  if (error !== undefined) {
    return denyVote(c, pending.candidate, `I could not freeze my replication: ${error}`);
  }
  // Learned while freezing: mysqld restarted and dropped a relay log acked to another source.
  const relay = relayLogVoteRefusal(c, { from: pending.candidate, dataTerm: pending.dataTerm });
  if (relay !== null) return denyVote(c, pending.candidate, relay, position);
  const refusal = positionRefusal(c, pending, position);
  if (refusal !== null) return denyVote(c, pending.candidate, refusal, position);
  s.votedFor = pending.candidate;
  c.resetElectionTimer();
  c.send(
    {
      kind: "voteReply",
      from: s.self,
      to: pending.candidate,
      term: s.term,
      granted: true,
      reason: "",
      position,
      dataTerm: votingDataTerm(c, position),
      role: s.role,
    },
    `vote granted to ${pending.candidate} for term ${s.term}: its GTID ${
      describe(c, pending.position, position)
    }`,
  );
}

function describe(c: Ctx, candidate: string, mine: string | null): string {
  if (mine === null || c.o.unsafeDisableVoteGtidCheck) return `${candidate} (not compared)`;
  try {
    return c.o.comparator.explain(candidate, mine);
  } catch {
    return candidate;
  }
}

function denyVote(c: Ctx, to: string, reason: string, position: string | null = null): void {
  c.send(
    {
      kind: "voteReply",
      from: c.s.self,
      to,
      term: c.s.term,
      granted: false,
      reason,
      position: position ?? c.s.mysql.position,
      dataTerm: c.s.dataTerm,
      role: c.s.role,
    },
    `vote denied to ${to}: ${reason}`,
  );
}
