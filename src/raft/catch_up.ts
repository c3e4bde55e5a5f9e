/**
 * A new leader applies its relay log before it becomes writable (received is not applied).
 * Under write load that takes seconds, and the other voters hold about the same backlog and apply
 * it meanwhile too: stepping back then only adds an election and starts the wait again. So the
 * leader waits while its SQL thread makes progress, and steps back only when
 * - its SQL thread stopped, or applied nothing for `catchUpStallMs`;
 * - another voter could be writable sooner by a measured margin: it received more than this
 *   leader (its position is ahead), or it received as much and has fewer transactions left to
 *   apply by more than this leader's measured apply rate covers during a hand-over;
 * - `catchUpLimitMs` passed (see `onCatchUpTick`).
 * It never steps back for a voter that received less, nor for one whose backlog it does not know
 * (older peers, or a voter that could not campaign, e.g. its SQL thread stopped). Stepping back hands the lease over
 * to the best such voter when there is one, so the next election starts at once.
 */
import type { Ctx } from "./context.ts";
import type { RaftEvent } from "./events.ts";
import {
  handOver,
  isAhead,
  promoteIfReady,
  rankByFreshness,
  samePosition,
  stepDown,
} from "./leader.ts";
import type { BacklogSample, CatchUpTrack, Leadership } from "./state.ts";

type Progress = Extract<RaftEvent, { type: "catchUpProgress" }>;

/** The leadership of the current term while it catches up, or null. */
function catchingUp(c: Ctx, term?: number): Leadership | null {
  const lead = c.s.leadership;
  if (c.s.role !== "LEADER" || lead === null || lead.phase !== "catchingUp") return null;
  return term === undefined || term === c.s.term ? lead : null;
}

export function onCatchUpDone(c: Ctx, ok: boolean, error?: string, term?: number): void {
  const lead = catchingUp(c, term);
  if (lead === null) return;
  if (!ok) return stepBack(c, error ?? "relay log not applied");
  c.s.leadership = { ...lead, phase: "ready" };
  c.note("relay log applied");
  promoteIfReady(c);
}

export function onCatchUpProgress(c: Ctx, p: Progress): void {
  const lead = catchingUp(c, p.term);
  if (lead === null) return;
  if (!p.sqlRunning) {
    return stepBack(c, `my SQL thread stopped${p.sqlError ? `: ${p.sqlError}` : ""}`);
  }
  const before = lead.catchUp;
  const sample = p.backlog === null ? null : { at: c.now, backlog: p.backlog };
  const applied = before !== undefined &&
    (p.applied !== before.applied ||
      (sample !== null && before.latest !== null && sample.backlog < before.latest.backlog));
  const track: CatchUpTrack = {
    progressAt: applied ? c.now : before?.progressAt ?? lead.since,
    applied: p.applied,
    first: before?.first ?? sample,
    latest: sample ?? before?.latest ?? null,
  };
  c.s.leadership = { ...lead, catchUp: track };
  reviewCatchUp(c);
}

/**
 * The hard bound, `catchUpLimitMs` (60 s by default): a leader catching up holds the election
 * while nothing is writable, and progress does not promise an end (a replica that was hours
 * behind applies for hours). After a minute, about
 * 100,000 transactions at the apply rate measured under load, the outage is no longer the short
 * one automatic failover is for: the leader steps back and says why, the other voters' SQL
 * threads having applied meanwhile, so the next winner starts further on.
 */
export function onCatchUpTick(c: Ctx): void {
  const lead = catchingUp(c);
  if (lead === null) return;
  if (c.now >= lead.catchUpDeadline) {
    return stepBack(c, `relay log still not applied after the ${c.o.catchUpLimitMs} ms limit`);
  }
  const idle = c.now - (lead.catchUp?.progressAt ?? lead.since);
  if (idle >= c.o.catchUpStallMs) {
    stepBack(c, `my SQL thread applied nothing for ${Math.round(idle)} ms`);
  }
}

/** A voter could be writable sooner than this catching-up leader: hand over to it. */
export function reviewCatchUp(c: Ctx): void {
  if (catchingUp(c) === null) return;
  const better = soonerWritable(c);
  if (better !== null) handOver(c, better.voter, `stepping back while catching up: ${better.why}`);
}

/**
 * What one hand-over costs before the next leader's catch-up starts: the lease release, its
 * freeze and the vote round, each within a request timeout.
 */
export function handOverCostMs(c: Ctx): number {
  return 2 * c.o.requestTimeoutMs;
}

/** The leader's apply rate in transactions per ms over its reports so far, or null. */
export function applyRate(first: BacklogSample | null, latest: BacklogSample | null) {
  if (first === null || latest === null || latest.at <= first.at) return null;
  return Math.max(0, first.backlog - latest.backlog) / (latest.at - first.at);
}

function soonerWritable(c: Ctx): { voter: string; why: string } | null {
  const lead = c.s.leadership!;
  const mine = c.s.mysql.position;
  if (mine === null) return null;
  const latest = lead.catchUp?.latest ?? null;
  const rate = applyRate(lead.catchUp?.first ?? null, latest);
  for (const q of applying(c)) {
    const theirs = lead.positions[q];
    if (isAhead(c, theirs, mine)) {
      return { voter: q, why: `${q} received more: ${c.o.comparator.explain(theirs!, mine)}` };
    }
    if (latest === null || rate === null || !samePosition(c, theirs, mine)) continue;
    const spared = latest.backlog - lead.backlogs![q]!;
    const margin = rate * handOverCostMs(c);
    if (spared > margin) {
      return {
        voter: q,
        why: `${q} received as much and has ${lead.backlogs![q]} transactions left to apply, ` +
          `I have ${latest.backlog}: at my ${Math.round(rate * 1000)}/s that is more than ` +
          `the ${handOverCostMs(c)} ms a hand-over costs`,
      };
    }
  }
  return null;
}

/**
 * Voters, best ranked first, that answered a heartbeat within the lease and reported a backlog:
 * alive, and applying what they received.
 */
function applying(c: Ctx): string[] {
  const lead = c.s.leadership!;
  return rankByFreshness(c).filter((q) => {
    const at = lead.acks[q];
    const backlog = lead.backlogs?.[q];
    return at !== undefined && at + c.leaseMs > c.now && backlog !== null &&
      backlog !== undefined;
  });
}

/**
 * Steps back from a catch-up that cannot finish here: to the best voter applying a position not
 * behind this one (it campaigns at once), else with a campaign penalty so another voter goes
 * first.
 */
function stepBack(c: Ctx, why: string): void {
  const mine = c.s.mysql.position;
  const target = applying(c).find((q) => {
    const theirs = c.s.leadership!.positions[q];
    return samePosition(c, theirs, mine) || isAhead(c, theirs, mine);
  });
  if (target !== undefined) {
    return handOver(c, target, `stepping back: ${why}; ${target} applies as much and takes over`);
  }
  c.s.campaignPenaltyUntil = c.now + 2 * c.o.electionTimeoutMs;
  stepDown(c, `stepping back: ${why}`);
}
