/**
 * The cluster-wide views (`cluster status|raft|mysql|gtid|xenon`): the members `self` knows,
 * each asked in parallel with a per-node timeout. A node that does not answer becomes one row of
 * UNKNOW and a problem, never a failure of the whole command.
 */
import type {
  MysqldStatusResult,
  MysqlStatusResult,
  NodesResult,
  RaftStatusResult,
  ServerStatusResult,
} from "../model/mod.ts";
import type { CliContext } from "./context.ts";
import type { Daemons } from "./daemons.ts";
import { members } from "./members.ts";

/** What one member said; a part is absent when its call failed. */
export interface NodeView {
  id: string;
  nodes?: NodesResult;
  raft?: RaftStatusResult;
  mysqld?: MysqldStatusResult;
  mysql?: MysqlStatusResult;
  server?: ServerStatusResult;
  /** The first failure, one line. */
  error?: string;
}

const METHODS = {
  nodes: "NodeRPC.GetNodes",
  raft: "RaftRPC.Status",
  mysqld: "MysqldRPC.Status",
  mysql: "MysqlRPC.Status",
  server: "ServerRPC.Status",
} as const;

export type Part = keyof typeof METHODS;

export interface ClusterView {
  views: NodeView[];
  /** Why the cluster is not healthy (a node did not answer, no leader, two leaders). */
  problems: string[];
}

/** Asks every member for `parts`, all calls in parallel. */
export async function gatherCluster(daemons: Daemons, parts: Part[]): Promise<ClusterView> {
  const ids = await members(daemons);
  const views: NodeView[] = ids.map((id) => ({ id }));
  await Promise.all(parts.map(async (part) => {
    const outcomes = await daemons.callAll(ids, METHODS[part], {});
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) (views[i] as Record<Part, unknown>)[part] = outcome.result;
      else views[i].error ??= outcome.error.message;
    });
  }));
  return { views, problems: problemsOf(views) };
}

/** The state a node reports, from whichever part answered. */
export function stateOf(view: NodeView): string | undefined {
  return view.nodes?.state ?? view.raft?.state;
}

function problemsOf(views: NodeView[]): string[] {
  const problems = views.filter((v) => v.error).map((v) => v.error as string);
  const leaders = views.filter((v) => stateOf(v) === "LEADER").map((v) => v.id);
  if (leaders.length === 0) problems.push("no node is LEADER");
  if (leaders.length > 1) {
    problems.push(`${leaders.length} nodes say LEADER: ${leaders.join(", ")}`);
  }
  return problems;
}

/**
 * The exit code of a cluster view: 0 when every node answered and exactly one is LEADER, else 1.
 * The problems go to stderr for tables; JSON output stays the only thing printed, for parsers.
 */
export function reportProblems(ctx: CliContext, view: ClusterView, machine: boolean): number {
  if (!machine) { for (const problem of view.problems) ctx.err(`warning: ${problem}`); }
  return view.problems.length === 0 ? 0 : 1;
}
