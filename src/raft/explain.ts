/**
 * `raft explain`: why a node is in its state and what would make it lead or not, computed with
 * the rules the core decides with (campaignRefusal, the pre-vote rule, dataRefusal, leaseUntil),
 * never a second copy of them. Pure: the caller passes the state, the options, the time and what
 * it knows of the peers. The failover dry run (dry_run.ts) reads the reports it makes.
 */
import { campaignRefusal } from "./campaign.ts";
import { Ctx } from "./context.ts";
import { applyRate } from "./catch_up.ts";
import { leaseUntil } from "./leader.ts";
import type { RaftOptions } from "./options.ts";
import type { RaftState, Role } from "./state.ts";
import { dataRefusal, preVoteRefusal, roleRefusal } from "./vote.ts";

/** What a node says about its data and role (the `RaftRPC.Explain` answer carries it). */
export interface PeerData {
  endpoint: string;
  role: Role;
  /** Received position; null when unknown (MySQL down). */
  position: string | null;
  dataTerm: number;
  /** INVALID/LEARNER/IDLE reason ("" otherwise). */
  modeReason: string;
  /** Whether that node's own checks let it campaign, and why not. */
  promotable: { ok: boolean; reason: string };
}

export interface Explanation {
  /** This node's data, as peers need it for their own explanations and the dry run. */
  self: PeerData;
  /** One sentence each, in reading order. */
  lines: string[];
}

/** Explains `state` at local time `now`; `peers` are what other nodes reported (may be empty). */
export function explainNode(
  o: RaftOptions,
  state: RaftState,
  now: number,
  peers: readonly PeerData[] = [],
): Explanation {
  const c = new Ctx(o, state, now);
  const s = c.s;
  const lines: string[] = [];
  lines.push(`${s.role} in term ${s.term} (epoch ${s.epoch}): ${s.reason}`);
  lines.push(
    `voters: ${s.peers.join(", ")} (${s.peers.length}, majority ${c.majority()})` +
      (s.idlePeers.length > 0 ? `; idle: ${s.idlePeers.join(", ")}` : ""),
  );
  lines.push(...(s.role === "LEADER" ? leaderLines(c) : followerLines(c)));
  lines.push(`my data: GTID ${s.mysql.position ?? "unknown"}, data term ${s.dataTerm}`);
  const known = peers.filter((p) => p.endpoint !== s.self && c.isMember(p.endpoint));
  for (const peer of known) lines.push(...peerLines(c, peer));
  const promotable = promotability(c, known);
  lines.push(
    promotable.ok ? `promotable: ${promotable.reason}` : `may not lead: ${promotable.reason}`,
  );
  return { self: selfData(c, promotable), lines };
}

function leaderLines(c: Ctx): string[] {
  const lead = c.s.leadership!;
  const until = leaseUntil(c);
  const fresh = c.otherVoters().filter((p) => (lead.acks[p] ?? -Infinity) + c.leaseMs > c.now);
  const lines = [
    `quorum: heartbeat acks from ${fresh.length + 1} of ${c.voters().length} voters ` +
    `(self included) within ${Math.floor(c.leaseMs)} ms, need ${c.majority()}`,
    until > c.now
      ? `lease: valid for ${Math.floor(Math.min(until - c.now, c.leaseMs))} ms more`
      : "lease: NOT held (no majority acked recently): writes are not safe here",
    `leadership: ${lead.phase}` +
    (lead.phase === "catchingUp" ? ` (${catchUpProgress(c)})` : ""),
  ];
  for (const p of c.otherVoters()) {
    const pos = lead.positions[p];
    const backlog = lead.backlogs?.[p];
    lines.push(
      `${p}: last heartbeat reply GTID ${pos ?? "unknown"}` +
        (backlog === null || backlog === undefined ? "" : `, ${backlog} transactions to apply`),
    );
  }
  return lines;
}

/** How a catch-up goes, with the bounds it steps back at (catch_up.ts). */
function catchUpProgress(c: Ctx): string {
  const lead = c.s.leadership!;
  const track = lead.catchUp;
  const rate = applyRate(track?.first ?? null, track?.latest ?? null);
  const left = track?.latest === null || track?.latest === undefined
    ? "backlog not reported yet"
    : `${track.latest.backlog} transactions left` +
      (rate === null ? "" : ` at ${Math.round(rate * 1000)}/s`);
  const idle = Math.round(c.now - (track?.progressAt ?? lead.since));
  return `applying the relay log before becoming writable: ${left}; last progress ${idle} ms ` +
    `ago (steps back after ${c.o.catchUpStallMs} ms without, or ${c.o.catchUpLimitMs} ms in all)`;
}

function followerLines(c: Ctx): string[] {
  const s = c.s;
  const lines: string[] = [];
  if (s.leader !== null && s.leaderContactAt !== null) {
    const ago = Math.round(c.now - s.leaderContactAt);
    lines.push(
      `leader ${s.leader} heard ${ago} ms ago (GTID ${s.leaderPosition ?? "unknown"}); ` +
        (c.inLease()
          ? `its lease holds my vote for ${Math.ceil(c.o.electionTimeoutMs - ago)} ms more`
          : "its lease on my vote has run out"),
    );
  } else {
    lines.push("quorum: no leader heard" + (s.leader ? ` (last: ${s.leader})` : ""));
  }
  if (s.campaign !== null) {
    lines.push(
      `campaigning (${s.campaign.phase}) for term ${s.campaign.term}: granted by ` +
        `${s.campaign.granted.join(", ")}` +
        (s.campaign.denied.length > 0 ? `; denied by ${s.campaign.denied.join("; ")}` : ""),
    );
  }
  if (s.replicatingFrom !== null) {
    const stopped = s.quietLeaderStop ? " (IO thread stopped: the leader went quiet)" : "";
    lines.push(`replicating from ${s.replicatingFrom}${stopped}`);
  }
  return lines;
}

/** Both directions of the vote rule between this node and one peer. */
function peerLines(c: Ctx, peer: PeerData): string[] {
  const s = c.s;
  const lines: string[] = [];
  if (peer.position !== null && s.mysql.position !== null) {
    lines.push(
      `vs ${peer.endpoint} (${peer.role}): my GTID ${
        compareText(c, s.mysql.position, peer.position)
      }; data terms mine ${s.dataTerm}, its ${peer.dataTerm}`,
    );
  } else {
    lines.push(`vs ${peer.endpoint} (${peer.role}): position unknown on one side`);
  }
  if (!c.isVoter(peer.endpoint) || peer.role === "LEADER") return lines;
  // Would I grant it a pre-vote now (lease, role and data, as onPreVote decides)?
  const mine = peer.position === null ? "no: its position is unknown" : grantText(
    preVoteRefusal(c, {
      kind: "preVote",
      from: peer.endpoint,
      to: s.self,
      term: s.term + 1,
      position: peer.position,
      dataTerm: peer.dataTerm,
    }),
  );
  lines.push(`  I would grant ${peer.endpoint} a vote now: ${mine}`);
  return lines;
}

function grantText(refusal: string | null): string {
  return refusal === null ? "yes" : `no: ${refusal}`;
}

function compareText(c: Ctx, mine: string, theirs: string): string {
  try {
    return c.o.comparator.explain(mine, theirs);
  } catch (error) {
    return `cannot be compared (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Whether this node could win an election if the leader failed now: its own campaign checks,
 * then the vote rule of every other voter that reported (the current leader does not vote).
 */
function promotability(c: Ctx, peers: readonly PeerData[]): { ok: boolean; reason: string } {
  const s = c.s;
  if (s.role === "LEADER") {
    return s.leadership?.phase === "writable"
      ? { ok: true, reason: "I am the writable leader" }
      : { ok: false, reason: `I lead but am ${s.leadership?.phase}, not writable yet` };
  }
  if (s.role === "INVALID") return { ok: false, reason: `INVALID: ${s.modeReason}` };
  if (s.role === "LEARNER") return { ok: false, reason: `LEARNER: ${s.modeReason}` };
  if (s.role === "IDLE") return { ok: false, reason: `IDLE: ${s.modeReason || "disabled"}` };
  const own = campaignRefusal(c, false);
  if (own !== null) return { ok: false, reason: own };
  const electors = c.otherVoters().filter((p) => p !== s.leader);
  const reported = peers.filter((p) => electors.includes(p.endpoint));
  const denied = reported.map((p) => ({ p: p.endpoint, why: voteRefusal(c, p) }))
    .filter((r) => r.why !== null).map((r) => `${r.p} would refuse: ${r.why}`);
  const granting = 1 + reported.length - denied.length;
  const unasked = electors.filter((e) => !reported.some((p) => p.endpoint === e));
  const votes = `${granting} of ${c.voters().length} votes on data (need ${c.electionQuorum()})`;
  if (granting >= c.electionQuorum()) {
    return { ok: true, reason: `MySQL up, SQL thread running, ${votes}` };
  }
  if (granting + unasked.length >= c.electionQuorum()) {
    return {
      ok: true,
      reason: `MySQL up, SQL thread running, ${votes} so far; not asked: ${unasked.join(", ")}`,
    };
  }
  const why = [...denied];
  if (c.voters().length === 2 && s.leader !== null) {
    why.push("a 2-voter cluster never fails over without both votes: add a third voter");
  }
  return { ok: false, reason: `${votes}${why.length > 0 ? `: ${why.join("; ")}` : ""}` };
}

/** Why `voter` would refuse this node on role and data, leases aside (the leader is gone). */
function voteRefusal(c: Ctx, voter: PeerData): string | null {
  const position = c.s.mysql.position;
  if (position === null) return "my position is unknown";
  return roleRefusal(voter.role, voter.modeReason) ??
    dataRefusal(c.o, { position, dataTerm: c.s.dataTerm }, voter);
}

function selfData(c: Ctx, promotable: { ok: boolean; reason: string }): PeerData {
  const s = c.s;
  return {
    endpoint: s.self,
    role: s.role,
    position: s.mysql.position,
    dataTerm: s.dataTerm,
    modeReason: s.modeReason,
    promotable,
  };
}
