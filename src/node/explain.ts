/**
 * `RaftRPC.Explain` and `RaftRPC.DryRunFailover`: the election core's own rules (src/raft
 * explain.ts) applied on this daemon, so the CLI prints answers instead of carrying the rules.
 */
import { TWO_NODE_BEHAVIOUR } from "../config/mod.ts";
import type { PositionFlavor } from "../gtid/mod.ts";
import type { DryRunFailoverResult, ExplainPeer, ExplainResult } from "../model/mod.ts";
import type { PeerTransport } from "../ports/mod.ts";
import { dryRunFailover, explainNode, type RaftOptions, type RaftState } from "../raft/mod.ts";

/** What this node explains from: its core's state and options at its clock's `now`. */
export interface ExplainSource {
  state: RaftState;
  options: RaftOptions;
  now: number;
  /** Position format of the local server. */
  flavor: PositionFlavor;
}

/** `raft explain`: why this node is in its state, compared with what `peers` reported. */
export function explainHere(here: ExplainSource, peers: readonly ExplainPeer[]): ExplainResult {
  const s = here.state;
  const e = explainNode(here.options, s, here.now, peers);
  const twoVoters = s.peers.length === 2 ? [`2 voters: ${TWO_NODE_BEHAVIOUR}`] : [];
  return {
    self: e.self,
    term: s.term,
    leader: s.leader ?? "",
    voters: [...s.peers],
    flavor: here.flavor,
    lines: [...e.lines, ...twoVoters],
  };
}

/**
 * `cluster failover --dry-run`, on the asked daemon: every member's own report (this node's from
 * its core, the others' by `RaftRPC.Explain`), judged with this node's vote rule; the voters are
 * the leader's when it answered (it knows the committed membership), else this node's.
 */
export async function failoverDryRun(
  here: ExplainSource,
  members: readonly string[],
  rpc: Pick<PeerTransport, "callAll">,
): Promise<DryRunFailoverResult> {
  const self = explainHere(here, []);
  const others = members.filter((m) => m !== self.self.endpoint);
  const outcomes = await rpc.callAll<ExplainResult>(others, "RaftRPC.Explain", {}, {
    timeoutMs: here.options.requestTimeoutMs,
  });
  const reports = new Map([[self.self.endpoint, self]]);
  for (const o of outcomes) if (o.ok) reports.set(o.endpoint, o.result);
  // In the members' order, this node included even where its list lacks it.
  const answers = [...new Set([...members, self.self.endpoint])].flatMap((m) => {
    const report = reports.get(m);
    return report === undefined ? [] : [report];
  });
  const leading = answers.find((a) => a.self.role === "LEADER");
  const leader = leading?.self.endpoint ?? null;
  const voters = (leading ?? self).voters;
  const verdict = dryRunFailover(here.options, voters, answers.map((a) => a.self), leader);
  return { leader, ...verdict, nodes: answers.map((a) => a.self) };
}
