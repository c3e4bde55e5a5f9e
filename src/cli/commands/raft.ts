import { action } from "../action.ts";
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

/** A switchover waits for the target to catch up first: give it this long, or `--timeout`. */
const SWITCHOVER_TIMEOUT_MS = 30_000;

/** `raft trytoleader`: a planned switchover to this node; prints the write-block time. */
const tryToLeader: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const timeoutMs = Math.max(ctx.timeoutMs, SWITCHOVER_TIMEOUT_MS);
    const result = await daemons.call(daemons.self, "HARPC.HATryToLeader", {}, timeoutMs);
    if (ctx.json || !result.ok) return printAction(ctx, daemons.self, "become leader", result);
    const blocked = result.writeBlockMs === undefined
      ? "write-block time not measured"
      : `writes were blocked for ${result.writeBlockMs} ms`;
    ctx.out(`${daemons.self}: ${result.reason || "is the leader"}; ${blocked}`);
    return 0;
  });

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
        "planned switchover to this node: it catches up, the old leader fences, then it " +
        `promotes; prints how long writes were blocked (waits up to ${
          SWITCHOVER_TIMEOUT_MS / 1000
        } s, or --timeout if longer)`,
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
