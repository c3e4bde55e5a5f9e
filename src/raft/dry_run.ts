/**
 * `cluster failover --dry-run` (asked of a daemon, node/explain.ts): which voter would win an
 * election if the leader failed now, from every node's own report (explain.ts's PeerData), with
 * the vote rule the voters apply. Pure.
 */
import { majority } from "../lib/quorum.ts";
import type { PeerData } from "./explain.ts";
import type { RaftOptions } from "./options.ts";
import { dataRefusal, roleRefusal } from "./vote.ts";

export interface DryRunVerdict {
  /** The node that would win now, or null when none could. */
  winner: string | null;
  /** One line per node: would win, could win, or why not. */
  lines: string[];
}

/**
 * `cluster failover --dry-run`: if the leader failed now, which voter would win. Each candidate
 * must pass its own campaign checks (as it reported them) and get a majority of votes by the
 * same data rule the voters apply (dataRefusal, roleRefusal); leases are assumed expired. The
 * first to campaign is the most up to date (the leader's freshness ranking), ties by name.
 */
export function dryRunFailover(
  o: Pick<RaftOptions, "comparator" | "unsafeDisableVoteGtidCheck">,
  voters: readonly string[],
  nodes: readonly PeerData[],
  leader: string | null,
): DryRunVerdict {
  const needed = majority(voters.length);
  const answered = nodes.filter((n) => voters.includes(n.endpoint));
  const electors = answered.filter((n) => n.endpoint !== leader);
  const lines: string[] = [];
  const eligible: PeerData[] = [];
  for (const node of voters.filter((v) => v !== leader)) {
    const n = answered.find((a) => a.endpoint === node);
    if (n === undefined) {
      lines.push(`${node}: could not win: did not answer`);
      continue;
    }
    if (!n.promotable.ok || n.position === null) {
      lines.push(`${node}: could not win: ${n.promotable.reason || "position unknown"}`);
      continue;
    }
    const candidate = { position: n.position, dataTerm: n.dataTerm };
    const refusals = electors.filter((v) => v.endpoint !== node).map((v) => ({
      v: v.endpoint,
      why: roleRefusal(v.role, v.modeReason) ?? dataRefusal(o, candidate, v),
    }));
    const votes = 1 + refusals.filter((r) => r.why === null).length;
    const denied = refusals.filter((r) => r.why !== null).map((r) => `${r.v}: ${r.why}`);
    if (votes < needed) {
      lines.push(
        `${node}: could not win: ${votes} of ${voters.length} votes (need ${needed})` +
          (denied.length > 0 ? `; refused by ${denied.join("; ")}` : ""),
      );
      continue;
    }
    eligible.push(n);
    lines.push(`${node}: could win with ${votes} of ${voters.length} votes (need ${needed})`);
  }
  const ahead = (a: PeerData, b: PeerData) => {
    try {
      return o.comparator.compare(a.position!, b.position!) === "ahead";
    } catch {
      return false;
    }
  };
  const ranked = eligible
    .map((n) => ({ n, behind: eligible.filter((m) => m !== n && ahead(m, n)).length }))
    .sort((a, b) => a.behind - b.behind || (a.n.endpoint < b.n.endpoint ? -1 : 1));
  const winner = ranked[0]?.n.endpoint ?? null;
  if (leader !== null) lines.unshift(`${leader}: the leader, assumed failed`);
  lines.push(
    winner === null
      ? "no node could win an election now: the cluster would stay without a writable leader"
      : `${winner} would win: ${
        ranked.length > 1
          ? "the most up to date eligible node campaigns first"
          : "the only eligible node"
      }`,
  );
  return { winner, lines };
}
