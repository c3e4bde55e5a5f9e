/**
 * A replica's semi-sync ack means "in my relay log", not "applied". When mysqld restarts, the
 * relay log it had not applied is discarded (relay_log_recovery=ON; MariaDB also drops it at
 * every GTID reconnect), so writes it acknowledged may now be only on the source it acked them
 * to. Until it has caught up with a leader again, such a node never campaigns and votes only
 * for a candidate sure to hold all it acknowledged: that source, or one whose data follows a
 * later term (that term's election met a holder of every write acknowledged before it). A
 * majority that lacks those writes cannot form around it. If that source is gone for good, only the operator can accept
 * the loss (rebuild the node: LEARNER, then enable). Which mysqld run the record speaks for is
 * kept with it, so a run that started while no agent watched (or whose record could not be
 * written: the agent then stopped) is taken for a restart by the next agent.
 */
import type { Ctx } from "./context.ts";
import type { MysqlObservation } from "./events.ts";
import type { LostRelayLog, ReplicationSource } from "./meta.ts";

export function onMysqlSample(c: Ctx, o: MysqlObservation): void {
  const s = c.s;
  const known = s.mysqldRun;
  const unseen = o.run !== undefined && known !== null &&
    (o.run.boot !== known.boot || o.run.start !== known.start);
  if (o.run !== undefined && (known === null || unseen)) s.mysqldRun = o.run;
  if ((o.restarted || unseen) && s.role !== "LEADER") {
    s.replicatingFrom = null; // replication stopped: the next heartbeat points it again
    const source = o.relayLogDiscarded || unseen ? lastSource(c) : null;
    // A newer source replaces an older record: its term's election met a holder of the older one.
    const lost = s.relayLogLost;
    if (source !== null && (lost === null || source.term > lost.term)) {
      s.relayLogLost = source;
      c.note(
        `${lostWhy(source)}; until I catch up with a leader I vote only for ${whoHolds(source)}`,
      );
    }
    return;
  }
  if (s.relayLogLost === null || !o.ioRunning || s.replicatingFrom === null) return;
  if (!caughtUp(c, o.position, s.leaderPosition)) return;
  s.relayLogLost = null;
  c.note(`caught up with leader ${s.replicatingFrom} at ${o.position}: my position is complete`);
}

/**
 * The leader this node replicated from since it last wrote data of its own, and the latest of
 * its terms this node acked for, or null: a node that led a later term than its source's has no
 * relay log of that source left to lose.
 */
function lastSource(c: Ctx): LostRelayLog | null {
  const src = c.s.source;
  if (src === null || src.leader === c.s.self || src.term < c.s.dataTerm) return null;
  return { from: src.leader, term: ackedTerm(src) };
}

/** A re-elected leader is not followed anew: what a replica acks may be of a later term. */
export function ackedTerm(src: ReplicationSource): number {
  return Math.max(src.term, src.ackedTerm ?? 0);
}

/** Why this node may not vote for `candidate` holding data of `dataTerm`, or null. */
export function relayLogVoteRefusal(
  c: Ctx,
  candidate: { from: string; dataTerm: number },
): string | null {
  const lost = c.s.relayLogLost;
  if (lost === null || candidate.from === lost.from || candidate.dataTerm > lost.term) return null;
  return `${lostWhy(lost)}: I vote only for ${whoHolds(lost)} until I catch up with a leader`;
}

/** Why this node may not campaign, or null. */
export function relayLogCampaignRefusal(c: Ctx): string | null {
  const lost = c.s.relayLogLost;
  return lost === null ? null : `${lostWhy(lost)}: I may lack writes I acknowledged`;
}

export function forgetLostRelayLog(c: Ctx): void {
  c.s.relayLogLost = null;
}

function lostWhy(lost: LostRelayLog): string {
  return `my mysqld restarted and dropped the relay log it had not applied ` +
    `(writes from ${lost.from}, term ${lost.term})`;
}

function whoHolds(lost: LostRelayLog): string {
  return `${lost.from} or a candidate with data of a term after ${lost.term}`;
}

function caughtUp(c: Ctx, mine: string | null, leader: string | null): boolean {
  if (mine === null || leader === null) return false;
  try {
    const cmp = c.o.comparator.compare(mine, leader);
    return cmp === "equal" || cmp === "ahead";
  } catch {
    return false;
  }
}
