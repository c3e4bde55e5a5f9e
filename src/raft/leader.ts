/**
 * The leader: heartbeats, the lease that keeps it writable, catch-up before promotion, and
 * fencing itself before any other node could win an election.
 */
import type { Ctx } from "./context.ts";
import type { RaftEvent } from "./events.ts";
import type { HeartbeatReply, TransferRequest } from "./messages.ts";
import { majority } from "../lib/quorum.ts";

/** Until when (leader clock) a majority's acks keep this leader safe; -Infinity if never. */
export function leaseUntil(c: Ctx): number {
  const lead = c.s.leadership;
  if (lead === null) return Number.NEGATIVE_INFINITY;
  if (c.o.unsafeDisableLease) return Number.POSITIVE_INFINITY;
  const need = c.majority() - (c.isVoter(c.s.self) ? 1 : 0);
  if (need <= 0) return Number.POSITIVE_INFINITY;
  const acks = c.otherVoters().map((p) => lead.acks[p]).filter((t) => t !== undefined)
    .sort((a, b) => b - a);
  return acks.length < need ? Number.NEGATIVE_INFINITY : acks[need - 1] + c.leaseMs;
}

export function onLeaderTick(c: Ctx): void {
  const s = c.s;
  const lead = s.leadership!;
  if (!s.mysql.alive && s.mysql.stopped) return handOverStopped(c);
  if (!s.mysql.alive) return stepDown(c, "local MySQL is down");
  const until = leaseUntil(c);
  if (c.now >= until) {
    const mustFence = lead.phase === "writable";
    const graceOver = c.now - lead.since >= c.leaseMs;
    if (mustFence || graceOver) return stepDown(c, `lease lost: ${ackSummary(c)}`);
  }
  if (c.now - lead.lastHeartbeatAt >= heartbeatPeriod(c)) broadcastHeartbeat(c);
}

/**
 * At least three heartbeats per lease, so one slow round trip does not fence a healthy leader
 * (with the default timers the lease is 1355 ms: heartbeats go every 451 ms instead of 1000 ms).
 * Safety does not depend on it: the lease counts from the send time of an acknowledged heartbeat.
 */
export function heartbeatPeriod(c: Ctx): number {
  return Math.min(c.o.heartbeatMs, c.leaseMs / 3);
}

function ackSummary(c: Ctx): string {
  const lead = c.s.leadership!;
  const fresh = c.otherVoters().filter((p) => {
    const at = lead.acks[p];
    return at !== undefined && at + c.leaseMs > c.now;
  });
  return `acks from ${fresh.length + 1} of ${c.voters().length} voters within ` +
    `${Math.floor(c.leaseMs)} ms (need ${c.majority()})`;
}

export function stepDown(c: Ctx, reason: string): void {
  c.becomeFollower(reason);
}

/** The shell made or left MySQL read-only on its own (events.ts `stepDown`). */
export function onShellStepDown(c: Ctx, term: number, reason: string): void {
  if (c.s.role !== "LEADER" || c.s.term !== term) return;
  stepDown(c, reason);
}

export function broadcastHeartbeat(c: Ctx): void {
  const s = c.s;
  const lead = s.leadership!;
  s.leadership = { ...lead, lastHeartbeatAt: c.now };
  const ranking = rankByFreshness(c);
  const targets = [
    ...c.otherVoters(),
    ...s.idlePeers.filter((p) => p !== s.self),
    ...lead.removing,
  ];
  for (const to of targets) {
    c.send(
      {
        kind: "heartbeat",
        from: s.self,
        to,
        term: s.term,
        epoch: s.epoch,
        peers: s.peers,
        idlePeers: s.idlePeers,
        position: s.mysql.position,
        termStart: lead.startPosition,
        writable: lead.phase === "writable",
        sentAt: c.now,
        ranking,
      },
      `heartbeat to ${to}`,
      c.now + c.leaseMs, // no lease can be renewed by it later than that
    );
  }
}

/**
 * Other voters, most up to date first, from their last heartbeat replies: by how many received
 * more, then, among those that received as much, by how many have clearly less left to apply
 * (an unknown backlog is no preference either way), then by name.
 */
export function rankByFreshness(c: Ctx): string[] {
  const lead = c.s.leadership!;
  const voters = c.otherVoters();
  const backlog = (p: string) => lead.backlogs?.[p] ?? null;
  const aheadOf = (p: string): number =>
    voters.filter((q) => q !== p && isAhead(c, lead.positions[q], lead.positions[p])).length;
  const lighterThan = (p: string): number =>
    voters.filter((q) =>
      q !== p && samePosition(c, lead.positions[q], lead.positions[p]) &&
      clearlyLess(backlog(q), backlog(p))
    ).length;
  const scored = voters.map((p) => ({ p, ahead: aheadOf(p), lighter: lighterThan(p) }));
  scored.sort((a, b) => a.ahead - b.ahead || a.lighter - b.lighter || (a.p < b.p ? -1 : 1));
  return scored.map((x) => x.p);
}

/**
 * Below this many transactions a backlog difference ranks no one first: two voters' samples are
 * up to a poll apart, and at the ~1,600 transactions/s measured under load this is well under
 * the half heartbeat one rank is worth.
 */
const RANKING_BACKLOG_MARGIN = 100;

function clearlyLess(a: number | null, b: number | null): boolean {
  return a !== null && b !== null && b - a >= RANKING_BACKLOG_MARGIN;
}

export function samePosition(
  c: Ctx,
  a: string | null | undefined,
  b: string | null | undefined,
): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  try {
    return c.o.comparator.compare(a, b) === "equal";
  } catch {
    return false;
  }
}

export function isAhead(
  c: Ctx,
  a: string | null | undefined,
  b: string | null | undefined,
): boolean {
  if (a === null || a === undefined) return false;
  if (b === null || b === undefined) return true;
  try {
    return c.o.comparator.compare(a, b) === "ahead";
  } catch {
    return false;
  }
}

export function onHeartbeatReply(c: Ctx, m: HeartbeatReply): void {
  const s = c.s;
  if (m.term > s.term) {
    s.term = m.term;
    s.votedFor = null;
    if (s.role === "LEADER") stepDown(c, `${m.from} is in higher term ${m.term}`);
    return;
  }
  const lead = s.leadership;
  if (s.role !== "LEADER" || lead === null || m.term !== s.term) return;
  if (lead.removing.includes(m.from) && m.ok) {
    s.leadership = { ...lead, removing: lead.removing.filter((p) => p !== m.from) };
    return repromote(c, `${m.from} confirmed its removal`);
  }
  const positions = { ...lead.positions, [m.from]: m.position };
  const backlogs = { ...lead.backlogs, [m.from]: m.backlog ?? null };
  const acks = { ...lead.acks };
  if (m.ok && c.isVoter(m.from) && m.role !== "IDLE" && m.sentAt >= lead.since) {
    acks[m.from] = Math.max(acks[m.from] ?? Number.NEGATIVE_INFINITY, m.sentAt);
  }
  s.leadership = { ...lead, acks, positions, backlogs };
  if (addedVotersKnown(c)) {
    s.leadership = { ...s.leadership, adding: undefined };
    repromote(c, `the voters before epoch ${s.epoch} know the added ones`);
  }
  promoteIfReady(c);
}

/** A majority of the voters before the pending additions acked a heartbeat sent since them. */
function addedVotersKnown(c: Ctx): boolean {
  const lead = c.s.leadership!;
  const added = lead.adding;
  if (added === undefined || added.voters.length === 0) return added !== undefined;
  const before = c.voters().filter((p) => !added.voters.includes(p));
  const knowing = before.filter((p) =>
    p === c.s.self || (lead.acks[p] ?? -Infinity) >= added.since
  );
  return knowing.length >= majority(before.length);
}

/** Writable only once caught up and holding a lease, never before. */
export function promoteIfReady(c: Ctx): void {
  const lead = c.s.leadership!;
  if (lead.phase !== "ready" || c.now >= leaseUntil(c)) return;
  c.s.leadership = { ...lead, phase: "writable" };
  // Only now can this term write data; a winner whose catch-up failed keeps its old data term,
  // or every voter would refuse the others for data they all hold. It moves before any write:
  // a crash right after one must not leave this node claiming older data than it holds.
  if (c.s.dataTerm !== c.s.term) {
    c.s.promotedData = { term: c.s.term, start: lead.startPosition, before: c.s.dataTerm };
    c.s.dataTerm = c.s.term;
  }
  promote(
    c,
    `leader of term ${c.s.term}, caught up, lease held: writable, semi-sync waits for ` +
      `${c.semiSyncWaitCount()} of ${c.voters().length - 1} replicas`,
  );
  const by = lead.handedOverBy;
  c.effect({
    kind: "runLeaderStart",
    term: c.s.term,
    validUntil: leaseUntil(c),
    reason: `became writable leader of term ${c.s.term}` +
      (by === undefined ? "" : ` (handed over by ${by}, whose leader commands both succeeded)`),
    ...(by === undefined ? {} : { handedOverBy: by }),
  });
  // Replicas repoint only at a heartbeat that says writable, and until one acks, every commit
  // here waits for semi-sync: tell them now, not a heartbeat period (up to 451 ms) later.
  broadcastHeartbeat(c);
}

/** Membership changed while writable: the semi-sync wait count follows the voter count. */
export function repromote(c: Ctx, why: string): void {
  if (c.s.leadership?.phase !== "writable") return;
  promote(c, `${why}: semi-sync waits for ${c.semiSyncWaitCount()}`);
}

function promote(c: Ctx, reason: string): void {
  c.effect({
    kind: "promote",
    term: c.s.term,
    semiSyncWaitCount: c.semiSyncWaitCount(),
    voters: c.s.peers.length,
    replicas: replicasOf(c),
    validUntil: leaseUntil(c),
    reason,
  });
}

function replicasOf(c: Ctx): string[] {
  return [...c.otherVoters(), ...c.s.idlePeers.filter((p) => p !== c.s.self)];
}

export function onTransferRequest(c: Ctx, m: TransferRequest): void {
  const s = c.s;
  if (s.role !== "LEADER" || m.term !== s.term || !c.isVoter(m.from)) return;
  handOver(c, m.from, `handing over to ${m.from} (raft trytoleader)`);
}

/**
 * The local mysqld process is gone: nothing can commit here, so instead of letting the voters
 * wait out the lease, the leader releases it at once to the most up-to-date follower.
 */
function handOverStopped(c: Ctx): void {
  const [target] = rankByFreshness(c);
  if (target === undefined) return stepDown(c, "local MySQL is down");
  handOver(c, target, `local mysqld is not running: handing over to ${target}`);
}

/**
 * Steps down (fencing first), then releases the lease to `target`, which campaigns at once. A
 * leader that was writable releases it only when the shell confirms the fence (`fenced`), after
 * leader-stop-command ran: the voters must not elect anyone while this MySQL may take writes.
 */
export function handOver(c: Ctx, target: string, reason: string): void {
  const s = c.s;
  const wasWritable = s.leadership?.phase === "writable";
  stepDown(c, reason);
  s.leaderContactAt = null;
  s.campaignPenaltyUntil = c.now + c.o.electionTimeoutMs;
  s.electionDeadline = Math.max(s.electionDeadline, s.campaignPenaltyUntil);
  s.pendingRelease = { term: s.term, target };
  if (wasWritable && c.o.unsafeSkipHandOverFence) {
    c.effects.splice(0, c.effects.length, ...c.effects.filter((e) => e.kind !== "fence"));
    return releaseLease(c, "fence skipped (test-only switch)");
  }
  if (!wasWritable) releaseLease(c, "never writable, nothing to fence");
}

/** The shell's answer to a `fence`: a pending hand-over goes ahead only on a confirmed fence. */
export function onFenced(c: Ctx, e: Extract<RaftEvent, { type: "fenced" }>): void {
  const pending = c.s.pendingRelease;
  if (pending === null || pending.term !== e.term) return;
  if (!e.ok) {
    c.s.pendingRelease = null;
    c.note(
      `fence failed (${e.error ?? "unknown error"}): lease not released to ${pending.target}; ` +
        `the voters wait it out`,
    );
    return;
  }
  const leaderCommandsOk = e.leaderCommandsOk === true;
  releaseLease(
    c,
    leaderCommandsOk
      ? "fenced, leader-stop-command done"
      : "fenced, leader-stop-command finished; the next leader-start-command checks for itself",
    leaderCommandsOk,
  );
}

function releaseLease(c: Ctx, why: string, leaderCommandsOk = false): void {
  const s = c.s;
  const pending = s.pendingRelease!;
  s.pendingRelease = null;
  // A newer term or another leadership since: the release would speak for a lease already gone.
  if (s.term !== pending.term || s.role !== "FOLLOWER") return;
  const { term, target } = pending;
  const others = c.otherVoters().filter((p) => p !== target);
  for (const to of [...others, target]) {
    c.send(
      { kind: "leaseReleased", from: s.self, to, term, target, leaderCommandsOk },
      `lease released (${why}): ${target} takes over`,
    );
  }
}
