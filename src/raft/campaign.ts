/**
 * Campaigning: a follower whose election timer ran out first asks for pre-votes (which change
 * nothing on the voters, so a node cut off from the cluster never inflates terms), then, with a
 * majority of pre-votes, freezes its replication, increments its term and asks for votes.
 */
import type { Ctx } from "./context.ts";
import type { PreVoteReply, VoteReply } from "./messages.ts";
import { relayLogCampaignRefusal } from "./relay.ts";

/** Why this node may not campaign now, or null. */
export function campaignRefusal(c: Ctx, manual: boolean): string | null {
  const s = c.s;
  if (s.mode !== "normal" || c.o.superIdle) return `mode is ${s.mode}`;
  if (!c.isVoter(s.self)) return `I am not a voter in epoch ${s.epoch}`;
  if (!s.mysql.alive) return "local MySQL is down";
  if (!s.mysql.sqlRunning) return "local SQL thread is stopped: my data is not promotable";
  if (s.mysql.position === null) return "my replication position is unknown";
  const relay = relayLogCampaignRefusal(c);
  if (relay !== null) return relay;
  const voters = c.voters().length;
  if (!manual && voters === 1 && !c.o.allowSingleVoterSelfElection) {
    return "single-voter cluster: run `xenoncli raft trytoleader` (or allow self-election)";
  }
  return null;
}

export function onElectionTimeout(c: Ctx): void {
  const refusal = campaignRefusal(c, false);
  c.resetElectionTimer();
  if (refusal !== null) {
    if (c.s.reason !== `not campaigning: ${refusal}`) {
      c.s.reason = `not campaigning: ${refusal}`;
      c.note(c.s.reason);
    }
    return;
  }
  startPreVote(c);
}

function startPreVote(c: Ctx): void {
  const s = c.s;
  const term = s.term + 1;
  s.campaign = {
    phase: "preVote",
    term,
    granted: [s.self],
    denied: [],
    deadline: c.now + c.o.requestTimeoutMs,
    transfer: false,
    position: s.mysql.position,
  };
  s.reason = `pre-vote for term ${term}: no leader heard for ${c.o.electionTimeoutMs} ms or more`;
  c.note(s.reason);
  if (c.majority() <= 1) return startVote(c, "single voter", false);
  for (const to of c.otherVoters()) {
    c.send(
      {
        kind: "preVote",
        from: s.self,
        to,
        term,
        position: s.mysql.position ?? "",
        dataTerm: s.dataTerm,
      },
      `asking ${to} for a pre-vote for term ${term}`,
    );
  }
}

export function startVote(c: Ctx, why: string, transfer: boolean, handedOverBy?: string): void {
  c.becomeCandidate(why, transfer, handedOverBy);
}

export function onPreVoteReply(c: Ctx, m: PreVoteReply): void {
  const s = c.s;
  const camp = s.campaign;
  if (m.term > s.term && !m.granted) {
    s.term = m.term;
    s.votedFor = null;
    // A late reply: an IDLE, LEARNER or INVALID node (disabled or demoted since it asked) keeps
    // its role and only its campaign ends; any other steps down to follow the newer term.
    const passive = s.role === "IDLE" || s.role === "LEARNER" || s.role === "INVALID";
    if (passive) s.campaign = null;
    else c.becomeFollower(`${m.from} is in higher term ${m.term}`);
    return;
  }
  if (camp === null || camp.phase !== "preVote" || m.term !== camp.term) return;
  if (camp.granted.includes(m.from) || camp.denied.includes(m.from)) return;
  const granted = m.granted && m.role !== "IDLE" && c.isVoter(m.from);
  s.campaign = {
    ...camp,
    granted: granted ? [...camp.granted, m.from] : camp.granted,
    denied: granted ? camp.denied : [...camp.denied, `${m.from} (${m.reason})`],
  };
  if (s.campaign.granted.length >= c.electionQuorum()) {
    startVote(c, `pre-vote won: ${s.campaign.granted.join(", ")}`, false);
  }
}

/** The candidate's own position is frozen: ask for votes with it. */
export function onCandidateFrozen(c: Ctx, position: string | null, error?: string): void {
  const s = c.s;
  const camp = s.campaign;
  if (camp === null || camp.phase !== "freezing") return;
  if (position === null) {
    c.becomeFollower(`cannot campaign: my position is unreadable (${error ?? "no position"})`);
    return;
  }
  s.mysql = { ...s.mysql, position, ioRunning: false };
  // The voters freeze too, each as slowly as this node may have: the vote round counts from now.
  s.campaign = { ...camp, phase: "vote", position, deadline: c.now + c.freezeWindowMs() };
  if (camp.granted.length >= c.electionQuorum()) return winIfMajority(c);
  for (const to of c.otherVoters()) {
    c.send(
      {
        kind: "vote",
        from: s.self,
        to,
        term: s.term,
        position,
        dataTerm: s.dataTerm,
        transfer: camp.transfer,
      },
      `asking ${to} for a vote in term ${s.term} with GTID ${position}`,
    );
  }
}

export function onVoteReply(c: Ctx, m: VoteReply): void {
  const s = c.s;
  if (m.term > s.term) {
    s.term = m.term;
    s.votedFor = null;
    if (s.role === "CANDIDATE") c.becomeFollower(`${m.from} is in higher term ${m.term}`);
    return;
  }
  const camp = s.campaign;
  if (s.role !== "CANDIDATE" || camp === null || camp.phase !== "vote" || m.term !== s.term) return;
  if (camp.granted.includes(m.from) || camp.denied.some((d) => d.startsWith(`${m.from} `))) return;
  const granted = m.granted && m.role !== "IDLE" && c.isVoter(m.from);
  s.campaign = {
    ...camp,
    granted: granted ? [...camp.granted, m.from] : camp.granted,
    denied: granted ? camp.denied : [...camp.denied, `${m.from} (${m.reason})`],
  };
  if (granted) return winIfMajority(c);
  if (s.campaign.denied.length > c.voters().length - c.electionQuorum()) {
    c.becomeFollower(`lost the election for term ${s.term}: ${lossSummary(c)}`);
    c.retryCampaignSoon();
  }
}

function winIfMajority(c: Ctx): void {
  const camp = c.s.campaign!;
  if (camp.granted.length < c.electionQuorum()) return;
  c.becomeLeader(
    `won term ${c.s.term} with ${camp.granted.length} of ${c.voters().length} votes ` +
      `(${camp.granted.join(", ")})`,
  );
}

/** A campaign ran out of time: say how far it got. */
export function onCampaignTimeout(c: Ctx): void {
  const camp = c.s.campaign!;
  const what = camp.phase === "preVote" ? "pre-vote" : "election";
  c.s.campaign = null;
  const summary = `${what} for term ${camp.term} timed out: ${lossSummary(c, camp)}`;
  if (c.s.role === "CANDIDATE") {
    c.becomeFollower(summary);
  } else {
    c.s.reason = summary;
    c.note(summary);
    c.resetElectionTimer();
  }
  c.retryCampaignSoon();
}

function lossSummary(c: Ctx, camp = c.s.campaign!): string {
  const voters = c.voters().length;
  let text = `${camp.granted.length} of ${voters} voters (need ${c.electionQuorum()})`;
  if (camp.denied.length > 0) text += `; denied by ${camp.denied.join("; ")}`;
  if (voters === 2 && camp.granted.length < 2) {
    text += "; a 2-voter cluster never fails over without both votes: add a third voter " +
      "(a witness) to allow automatic failover";
  }
  return text;
}
