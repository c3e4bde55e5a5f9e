/**
 * What every non-leader does with the leader's messages: adopt its term and membership, follow
 * it (unless this node has transactions the leader lacks), and answer so the leader can renew
 * its lease.
 */
import type { Ctx } from "./context.ts";
import type { MysqlObservation } from "./events.ts";
import type { Heartbeat, LeaseReleased } from "./messages.ts";
import { ackedTerm } from "./relay.ts";
import { campaignRefusal, startVote } from "./campaign.ts";

export function onHeartbeat(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  // Not a voter in my membership is no reason to refuse: a leader of my term or a later one was
  // elected by a majority of its voters, and my membership may hold a change it never settled.
  if (m.term < s.term) return replyHeartbeat(c, m, `its term ${m.term} is behind mine ${s.term}`);
  if (s.role === "LEADER") {
    c.becomeFollower(`${m.from} leads term ${m.term} (mine ${s.term})`);
  } else if (s.role === "CANDIDATE") {
    c.becomeFollower(`${m.from} won term ${m.term}`);
  }
  if (m.term > s.term) {
    s.term = m.term;
    s.votedFor = null;
  }
  s.campaign = null;
  s.pendingVote = null;
  if (s.leader !== m.from && s.role === "FOLLOWER") {
    s.reason = `following ${m.from} (term ${m.term})`;
    c.note(s.reason);
  }
  s.leader = m.from;
  s.leaderContactAt = c.now;
  s.leaderPosition = m.position;
  s.leaderTermStart = m.termStart;
  s.leaderWritable = m.writable;
  s.ranking = m.ranking;
  const src = s.source;
  // Still replicating from a leader re-elected without us: what we ack now is of its new term.
  if (s.replicatingFrom === m.from && src?.leader === m.from && m.term > ackedTerm(src)) {
    s.source = { ...src, ackedTerm: m.term };
  }
  // The current term's leader is authoritative, as a Raft leader's log is: an epoch of mine it
  // lacks (a change an earlier leader made and never settled) gives way to its membership.
  if (m.epoch !== s.epoch || !sameMembers(s, m)) adoptMembership(c, m);
  const member = c.isMember(s.self);
  const follows = s.role === "FOLLOWER" || s.role === "IDLE";
  const pointed = s.replicatingFrom === m.from && !s.quietLeaderStop;
  if (member && m.writable && !pointed && follows) followLeader(c, m);
  if (s.role === "FOLLOWER") c.resetElectionTimer();
  replyHeartbeat(c, m, "");
}

/**
 * My leader went quiet for all but one heartbeat of my lease on it: stop acking it now. On
 * MariaDB a STOP SLAVE IO_THREAD whose source vanished takes a second (it connects there to end
 * its dump thread), so a freeze begun only when the election asks for my position delays every
 * failover by that second, on the candidate and on each voter in turn. Begun now, it is over when
 * the pre-votes come; the election's own freezes still read the position then (the IO thread is
 * stopped already, so they are quick), and a heartbeat in time points replication at the leader
 * again. Nothing is lost by stopping early: a leader unheard this long keeps no lease on me.
 */
export function freezeForQuietLeader(c: Ctx): void {
  const s = c.s;
  if (s.role !== "FOLLOWER" || s.leader === null || s.replicatingFrom !== s.leader) return;
  if (s.leaderContactAt === null || s.quietLeaderStop) return;
  const quietMs = Math.round(c.now - s.leaderContactAt);
  if (quietMs < c.o.electionTimeoutMs - c.o.heartbeatMs) return;
  // Still pointed at it: what its MySQL acked before the stop (maybe of a term the leader was
  // re-elected in meanwhile) stays recorded against it, as heartbeats of a new term record it.
  s.quietLeaderStop = true;
  c.freeze(
    `no heartbeat from leader ${s.leader} for ${quietMs} ms: stop acking it before an election ` +
      `needs my position (the next heartbeat points replication at it again)`,
  );
}

function sameMembers(a: Pick<Heartbeat, "peers" | "idlePeers">, b: typeof a): boolean {
  const same = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((p) => y.includes(p));
  return same(a.peers, b.peers) && same(a.idlePeers, b.idlePeers);
}

function adoptMembership(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  const before = `${s.peers.join(",")} idle ${s.idlePeers.join(",") || "-"}`;
  const replaced = m.epoch <= s.epoch ? ` (replacing my epoch ${s.epoch}, which it lacks)` : "";
  s.epoch = m.epoch;
  s.peers = [...m.peers];
  s.idlePeers = [...m.idlePeers];
  const after = `${s.peers.join(",")} idle ${s.idlePeers.join(",") || "-"}`;
  c.note(`membership epoch ${m.epoch} from leader ${m.from}${replaced}: ${before} -> ${after}`);
  if (!c.isMember(s.self)) {
    s.replicatingFrom = null;
    c.freeze(`removed from the cluster in epoch ${m.epoch}: stop replicating and acking`);
  }
}

/**
 * A new leader: first freeze replication and read the position (it may have moved since the
 * last observation, e.g. while this agent was paused), then decide in `followFrozen`.
 */
function followLeader(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  if (s.pendingFollow?.leader === m.from && s.pendingFollow.term === m.term) return;
  if (s.followRetry?.leader === m.from && c.now < s.followRetry.at) return;
  const freeze = c.freeze(
    `new leader ${m.from} (term ${m.term}): read my position before following it`,
  );
  s.pendingFollow = {
    since: c.now,
    leader: m.from,
    term: m.term,
    termStart: m.termStart,
    leaderPosition: m.position,
    freeze,
  };
}

/** Follow the pending leader unless this node holds transactions it lacks (then INVALID). */
export function followFrozen(c: Ctx, mine: string | null): void {
  const s = c.s;
  const f = s.pendingFollow;
  s.pendingFollow = null;
  if (f === null || f.leader !== s.leader || f.term !== s.term || mine === null) return;
  if (s.role !== "FOLLOWER" && s.role !== "IDLE") return;
  // Already replicating from this leader in this term (before a pause or restart): being ahead
  // of its older heartbeat position is expected, not a sign of foreign transactions.
  const sameSource = s.source?.leader === f.leader && s.source.term === f.term;
  if (f.leaderPosition !== null && !sameSource) {
    let cmp: string;
    try {
      cmp = c.o.comparator.compare(mine, f.leaderPosition);
    } catch (err) {
      cmp = `unreadable (${err instanceof Error ? err.message : String(err)})`;
    }
    if (cmp !== "equal" && cmp !== "behind") {
      const why = cmp === "ahead" || cmp === "diverged"
        ? c.o.comparator.explain(mine, f.leaderPosition)
        : cmp;
      c.becomePassive(
        "INVALID",
        `my GTID ${why} of new leader ${f.leader}: I hold transactions it lacks; rebuild me`,
      );
      return;
    }
  }
  s.replicatingFrom = f.leader;
  s.quietLeaderStop = false;
  if (f.termStart !== null && !sameSource) {
    s.source = { leader: f.leader, term: f.term, termStart: f.termStart, from: mine };
  }
  c.effect({
    kind: "changeMaster",
    to: f.leader,
    semiSyncAck: c.isVoter(s.self) && s.role === "FOLLOWER",
    reason: `replicate from leader ${f.leader} (term ${f.term}) from ${mine}`,
  });
}

/**
 * The shell could not point replication at `leader`: without a source this node never acks, so
 * the next heartbeat tries again, after a pause that doubles up to one election timeout.
 */
export function onChangeMasterFailed(c: Ctx, leader: string, error: string): void {
  const s = c.s;
  if (s.replicatingFrom !== leader) return;
  s.replicatingFrom = null;
  const attempts = (s.followRetry?.leader === leader ? s.followRetry.attempts : 0) + 1;
  const pause = Math.min(c.o.electionTimeoutMs, (c.o.heartbeatMs / 2) * 2 ** (attempts - 1));
  s.followRetry = { leader, attempts, at: c.now + pause };
  s.reason = `replication from ${leader} not started: ${error}; attempt ${attempts} failed, ` +
    `next after ${pause} ms`;
  c.note(s.reason);
}

/** Replication runs again (IO thread up): a later failure starts the pauses afresh. */
export function onReplicationRunning(c: Ctx, o: MysqlObservation): void {
  if (o.ioRunning && c.s.replicatingFrom !== null) c.s.followRetry = null;
}

function replyHeartbeat(c: Ctx, m: Heartbeat, refusal: string): void {
  c.send(
    {
      kind: "heartbeatReply",
      from: c.s.self,
      to: m.from,
      term: c.s.term,
      ok: refusal === "",
      reason: refusal,
      sentAt: m.sentAt,
      position: c.s.mysql.position,
      role: c.s.role,
      // Only a node that could campaign (its SQL thread applying, among others) tells its
      // backlog: a catching-up leader may hand over to it.
      backlog: campaignRefusal(c, true) === null ? c.s.mysql.backlog ?? null : null,
    },
    refusal === "" ? `heartbeat ack to ${m.from}` : `heartbeat refused to ${m.from}: ${refusal}`,
  );
}

export function onLeaseReleased(c: Ctx, m: LeaseReleased): void {
  const s = c.s;
  if (m.term !== s.term || s.leader !== m.from) return;
  s.leaderContactAt = null;
  // The start hold protects a lease on an ack of my previous run: the leader of my current term
  // (no earlier leader's lease survived its election), which just released it after fencing.
  s.votesHeldUntil = Math.min(s.votesHeldUntil, c.now);
  s.leader = null;
  s.replicatingFrom = null;
  c.note(`leader ${m.from} fenced itself and handed over to ${m.target}`);
  // A hand-over names the target; it still campaigns only if it could on its own (a lost relay
  // log, a stopped SQL thread): otherwise the election timeout finds someone else.
  const refusal = m.target === s.self && s.role === "FOLLOWER" ? campaignRefusal(c, true) : null;
  if (m.target === s.self && s.role === "FOLLOWER" && refusal === null) {
    // Its start took what leader-start-command takes (the VIP) and its stop gave it back.
    startVote(
      c,
      `leader ${m.from} handed over to me`,
      true,
      m.leaderCommandsOk ? m.from : undefined,
    );
  } else if (s.role === "FOLLOWER") {
    if (refusal !== null) c.note(`not taking over from ${m.from}: ${refusal}`);
    c.resetElectionTimer();
  }
}

/**
 * The data term (Raft's last log term) moves to the source leader's term once this node's data
 * grew, by replication from that leader, past the leader's position at election: its newest
 * transaction was then written in that term. Growth proves replication worked (a diverged
 * replica's IO thread stops with error 1236 and its position does not move), and positions on
 * one history compare exactly.
 */
export function verifyDataTerm(c: Ctx): void {
  const s = c.s;
  const src = s.source;
  const pos = s.mysql.position;
  if (src === null || src.term <= s.dataTerm || pos === null) return;
  try {
    const cmp = c.o.comparator;
    if (cmp.compare(pos, src.from) !== "ahead" || cmp.compare(pos, src.termStart) !== "ahead") {
      return;
    }
  } catch {
    return;
  }
  s.dataTerm = src.term;
  c.note(
    `data term ${src.term}: replicated ${pos} from ${src.leader}, past its start ${src.termStart}`,
  );
}
