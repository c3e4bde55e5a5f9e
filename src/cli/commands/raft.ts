import { DEFAULT_TIMERS } from "../../raft/mod.ts";
import { switchoverBoundMs } from "../../config/mod.ts";
import { action } from "../action.ts";
import type { CliContext } from "../context.ts";
import { withDaemons } from "../daemons.ts";
import { membersOf, parseNodeList } from "../members.ts";
import { printAction, printTable } from "../output.ts";
import type { GroupSpec, Handler } from "../spec.ts";
import { explainCommand } from "./explain.ts";

const nodesRequest = (_ctx: unknown, [list]: string[]) => ({ nodes: parseNodeList(list) });

/** `raft nodes`: the members this node knows, one per row. */
const nodes: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const result = await daemons.call(daemons.self, "NodeRPC.GetNodes", {});
    printTable(ctx, ["Nodes"], membersOf(result).map((node) => [node]));
    return 0;
  });

/** `raft status`: exactly the original's `{"state","leader","nodes"}`, parsed by the k8s operator. */
const status: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const result = await daemons.call(daemons.self, "NodeRPC.GetNodes", {});
    ctx.write(
      JSON.stringify({ state: result.state, leader: result.leader, nodes: membersOf(result) }),
    );
    return 0;
  });

/**
 * `raft trytoleader`: a planned switchover to this node. As the original, it returns once the
 * node asked the leader to hand over (or campaigns); `--wait` waits until it is the writable
 * leader and prints how long writes were blocked, for as long as the timers allow.
 */
const tryToLeader: Handler = async (ctx, _args, options) => {
  const wait = options.wait === true;
  const timeoutMs = wait ? await waitBoundMs(ctx) : ctx.timeoutMs;
  return await withDaemons(ctx, async (daemons) => {
    const result = await daemons.call(daemons.self, "HARPC.HATryToLeader", { wait }, timeoutMs);
    if (ctx.json || !result.ok || !wait) {
      return printAction(ctx, daemons.self, "become leader", result);
    }
    const blocked = result.writeBlockMs === undefined
      ? "write-block time not measured"
      : `writes were blocked for ${result.writeBlockMs} ms`;
    ctx.out(`${daemons.self}: ${result.reason || "is the leader"}; ${blocked}`);
    return 0;
  });
};

/** The daemon's own bound (services.ts) from this node's timers, plus one request of slack. */
async function waitBoundMs(ctx: CliContext): Promise<number> {
  const config = await ctx.config();
  const bound = switchoverBoundMs({
    electionTimeoutMs: config.raft.electionTimeout,
    catchUpStallMs: DEFAULT_TIMERS.catchUpStallMs,
  });
  return Math.max(ctx.timeoutMs, bound + config.rpc.requestTimeout + 1000);
}

/** `xenon raft ...`: this node's part in the election (xenoncli's `raft` commands, all on self). */
export const raftCommands: GroupSpec = {
  name: "raft",
  description: "this node's part in the leader election (or --endpoint's)",
  commands: [
    {
      usage: "enable",
      description: "let this node take part in elections again (leaves IDLE or LEARNER)",
      run: action({ method: "HARPC.HAEnable", what: "enable raft" }),
    },
    {
      usage: "disable",
      description: "take this node out of elections (IDLE): it follows but never votes or leads",
      run: action({ method: "HARPC.HADisable", what: "disable raft" }),
    },
    {
      usage: "trytoleader",
      description:
        "planned switchover to this node: it asks the leader to fence itself and hand over, " +
        "then returns (as the original); with --wait, waits until this node is the writable " +
        "leader (2x election-timeout + catch-up at most) and prints how long writes were blocked",
      options: [{ flags: "--wait", description: "wait until this node is the writable leader" }],
      run: tryToLeader,
    },
    {
      usage: "add <nodes>",
      description: "add voting members on this node only (comma-separated HOST:PORT)",
      run: action({ method: "NodeRPC.AddNodes", what: "add nodes", request: nodesRequest }),
    },
    {
      usage: "remove <nodes>",
      description: "remove voting members on this node only (comma-separated HOST:PORT)",
      run: action({ method: "NodeRPC.RemoveNodes", what: "remove nodes", request: nodesRequest }),
    },
    { usage: "nodes", description: "the members this node knows", run: nodes },
    explainCommand,
    {
      usage: "status",
      description: 'this node\'s state, its leader and members, as JSON {"state","leader","nodes"}',
      run: status,
    },
    {
      usage: "enablepurgebinlog",
      description: "let the leader purge binary logs every member has applied (default)",
      run: action({ method: "RaftRPC.EnablePurgeBinlog", what: "enable binlog purging" }),
    },
    {
      usage: "disablepurgebinlog",
      description: "stop the leader purging binary logs",
      run: action({ method: "RaftRPC.DisablePurgeBinlog", what: "disable binlog purging" }),
    },
    {
      usage: "enablechecksemisync",
      description: "let the leader keep semi-sync settings right for the member count (default)",
      run: action({ method: "RaftRPC.EnableCheckSemiSync", what: "enable the semi-sync check" }),
    },
    {
      usage: "disablechecksemisync",
      description: "stop the leader adjusting semi-sync settings",
      run: action({ method: "RaftRPC.DisableCheckSemiSync", what: "disable the semi-sync check" }),
    },
  ],
};
