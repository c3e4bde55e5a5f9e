/**
 * `cluster failover --dry-run`: which node would win an election if the leader failed now, and
 * why the others could not. The asked daemon judges it (`RaftRPC.DryRunFailover`: every member's
 * report, the election core's own vote rule); the CLI only prints its answer.
 */
import { UsageError } from "../../lib/errors.ts";
import { withDaemons } from "../daemons.ts";
import type { Handler, LeafSpec } from "../spec.ts";

const failover: Handler = async (ctx, _args, options) => {
  if (options.dryRun !== true) {
    throw new UsageError(
      "cluster failover only runs with --dry-run; for a planned switchover run " +
        "`xenon raft trytoleader` on the node that should lead",
    );
  }
  // The daemon asks each member within its request timeout: allow that plus one of slack.
  const timeoutMs = Math.max(ctx.timeoutMs, (await ctx.config()).rpc.requestTimeout + 1000);
  return await withDaemons(ctx, async (daemons) => {
    const verdict = await daemons.call(daemons.self, "RaftRPC.DryRunFailover", {}, timeoutMs);
    if (ctx.json) ctx.out(JSON.stringify(verdict));
    else for (const line of verdict.lines) ctx.out(line);
    return verdict.winner === null ? 1 : 0;
  });
};

export const failoverCommand: LeafSpec = {
  usage: "failover",
  description: "with --dry-run: which node would win an election if the leader failed now and " +
    "why the others could not (nothing changes; exit 1 when none could win)",
  options: [{ flags: "--dry-run", description: "only compute and show the outcome (required)" }],
  run: failover,
};
