/**
 * What every non-leader does with the leader's messages: adopt its term and membership, follow
 * it (unless this node has transactions the leader lacks), and answer so the leader can renew
 * its lease.
 */
import type { Ctx } from "./context.ts";
import type { Heartbeat, LeaseReleased } from "./messages.ts";
import { startVote } from "./campaign.ts";

export function onHeartbeat(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  if (!c.isVoter(m.from)) return replyHeartbeat(c, m, `${m.from} is not a voter in my membership`);
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
  s.ranking = m.ranking;
  if (m.epoch > s.epoch) adoptMembership(c, m);
  const member = c.isMember(s.self);
  if (member && s.replicatingFrom !== m.from && (s.role === "FOLLOWER" || s.role === "IDLE")) {
    followLeader(c, m);
  }
  if (s.role === "FOLLOWER") c.resetElectionTimer();
  replyHeartbeat(c, m, "");
}

function adoptMembership(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  const before = `${s.peers.join(",")} idle ${s.idlePeers.join(",") || "-"}`;
  s.epoch = m.epoch;
  s.peers = [...m.peers];
  s.idlePeers = [...m.idlePeers];
  const after = `${s.peers.join(",")} idle ${s.idlePeers.join(",") || "-"}`;
  c.note(`membership epoch ${m.epoch} from leader ${m.from}: ${before} -> ${after}`);
  if (!c.isMember(s.self)) {
    s.replicatingFrom = null;
    c.effect({
      kind: "freezeReplication",
      reason: `removed from the cluster in epoch ${m.epoch}: stop replicating and acking`,
    });
  }
}

/** A new leader: check this node holds nothing the leader lacks, then replicate from it. */
function followLeader(c: Ctx, m: Heartbeat): void {
  const s = c.s;
  const mine = s.mysql.position;
  if (mine !== null && m.position !== null) {
    let cmp: string;
    try {
      cmp = c.o.comparator.compare(mine, m.position);
    } catch (err) {
      cmp = `unreadable (${err instanceof Error ? err.message : String(err)})`;
    }
    if (cmp !== "equal" && cmp !== "behind") {
      const why = cmp === "ahead" || cmp === "diverged"
        ? c.o.comparator.explain(mine, m.position)
        : cmp;
      c.becomePassive(
        "INVALID",
        `my GTID ${why} of new leader ${m.from}: I hold transactions it lacks; rebuild me`,
      );
      return;
    }
  }
  s.replicatingFrom = m.from;
  s.replicatingSince = c.now;
  c.effect({
    kind: "changeMaster",
    to: m.from,
    semiSyncAck: c.isVoter(s.self) && s.role === "FOLLOWER",
    reason: `replicate from leader ${m.from} (term ${m.term})`,
  });
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
    },
    refusal === "" ? `heartbeat ack to ${m.from}` : `heartbeat refused to ${m.from}: ${refusal}`,
  );
}

export function onLeaseReleased(c: Ctx, m: LeaseReleased): void {
  const s = c.s;
  if (m.term !== s.term || s.leader !== m.from) return;
  s.leaderContactAt = null;
  s.leader = null;
  s.replicatingFrom = null;
  c.note(`leader ${m.from} fenced itself and handed over to ${m.target}`);
  if (m.target === s.self && s.role === "FOLLOWER") {
    startVote(c, `leader ${m.from} handed over to me`, true);
  } else if (s.role === "FOLLOWER") {
    c.resetElectionTimer();
  }
}

/**
 * The data term moves to the leader's term once replication from it is confirmed (IO thread
 * running a request timeout after CHANGE MASTER, so the leader accepted this node's position)
 * and this node holds at least what the leader had when it last reported: from then on its data
 * is that leader's history, on which positions compare exactly.
 */
export function verifyDataTerm(c: Ctx): void {
  const s = c.s;
  const obs = s.mysql;
  if (s.dataTerm >= s.term || s.leader === null || s.replicatingFrom !== s.leader) return;
  if (!obs.ioRunning || obs.position === null || s.leaderPosition === null) return;
  if (c.now - s.replicatingSince < c.o.requestTimeoutMs) return;
  let cmp: string;
  try {
    cmp = c.o.comparator.compare(obs.position, s.leaderPosition);
  } catch {
    return;
  }
  if (cmp !== "equal" && cmp !== "ahead") return;
  s.dataTerm = s.term;
  c.note(`data verified on leader ${s.leader}'s history: data term ${s.term} at ${obs.position}`);
}
