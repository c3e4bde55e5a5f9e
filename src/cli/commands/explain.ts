/**
 * `raft explain`: why this node is in its state and what would make it lead or not. The other
 * members are asked first for their data (`RaftRPC.Explain`), then this node explains itself
 * against them with the election core's own rules.
 */
import type { ExplainPeer } from "../../model/mod.ts";
import { withDaemons } from "../daemons.ts";
import { members } from "../members.ts";
import type { Handler, LeafSpec } from "../spec.ts";

const explain: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const others = (await members(daemons)).filter((m) => m !== daemons.self);
    const outcomes = await daemons.callAll(others, "RaftRPC.Explain", {});
    const peers: ExplainPeer[] = outcomes.flatMap((o) => (o.ok ? [o.result.self] : []));
    const silent = outcomes.flatMap((o) => (o.ok ? [] : [o.error.message]));
    const result = await daemons.call(daemons.self, "RaftRPC.Explain", { peers });
    if (ctx.json) {
      ctx.out(JSON.stringify({ ...result, unanswered: silent }));
      return 0;
    }
    ctx.out(`${daemons.self}:`);
    for (const line of result.lines) ctx.out(`  ${line}`);
    for (const s of silent) ctx.out(`  not compared: ${s}`);
    return 0;
  });

export const explainCommand: LeafSpec = {
  usage: "explain",
  description: "why this node is in its state and what would make it lead or not: quorum, " +
    "lease, GTID comparison with each member, promotable or not and why",
  run: explain,
};
