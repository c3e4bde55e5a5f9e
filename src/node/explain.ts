/**
 * `RaftRPC.Explain` and `RaftRPC.DryRunFailover`: the election core's own rules (src/raft
 * explain.ts) applied on this daemon, so the CLI prints answers instead of carrying the rules.
 */
import type { FailoverForecast } from "../model/forecast.ts";
import { TWO_NODE_BEHAVIOUR } from "../config/mod.ts";
import type { PositionFlavor } from "../gtid/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import {
  type DryRunFailoverResult,
  type ExplainPeer,
  type ExplainRequest,
  type ExplainResult,
  RAFT_STATES,
} from "../model/mod.ts";
import type { PeerTransport } from "../ports/mod.ts";
import { dryRunFailover, explainNode, type RaftOptions, type RaftState } from "../raft/mod.ts";
import { v, type Validator } from "../rpc/mod.ts";

const explainPeer: Validator<ExplainPeer> = v.object({
  endpoint: v.string(),
  role: v.oneOf(RAFT_STATES),
  position: (value: unknown, path?: string) => value === null ? null : v.string()(value, path),
  dataTerm: v.count(),
  modeReason: v.withDefault(v.string(), ""),
  promotable: v.object({ ok: v.boolean(), reason: v.string() }),
});

export const explainRequest: Validator<ExplainRequest> = (value, path) =>
  v.object({ peers: v.optional(v.arrayOf(explainPeer)) })(value ?? {}, path);

/** What the dry run reads of a member's Explain answer. */
const memberReport = v.object({ self: explainPeer, voters: v.strings() });
type MemberReport = ReturnType<typeof memberReport>;

/** What this node explains from: its core's state and options at its clock's `now`. */
export interface ExplainSource {
  state: RaftState;
  options: RaftOptions;
  now: number;
  /** Position format of the local server. */
  flavor: PositionFlavor;
  /** How long a failover to this node would take now (null on the leader; absent: unknown). */
  forecast?: FailoverForecast | null;
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
    lines: [...e.lines, ...twoVoters, ...(here.forecast ? [here.forecast.text] : [])],
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
  const outcomes = await rpc.callAll<unknown>(others, "RaftRPC.Explain", {}, {
    timeoutMs: here.options.requestTimeoutMs,
  });
  const reports = new Map<string, MemberReport>([[self.self.endpoint, self]]);
  for (const o of outcomes) {
    if (!o.ok) continue;
    try {
      reports.set(o.endpoint, memberReport(o.result, o.endpoint));
    } catch (error) {
      // Counted as not answering: a report this node cannot read decides nothing.
      log("node").warn`failover dry run: ${o.endpoint}'s report is unreadable: ${oneLine(error)}`;
    }
  }
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
