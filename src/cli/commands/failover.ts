/**
 * `cluster failover --dry-run`: which node would win an election if the leader failed now, and
 * why the others could not, computed from every node's own report (one `RaftRPC.Explain` call
 * each) with the vote rule the election core applies (src/raft dryRunFailover).
 */
import { comparatorFor } from "../../gtid/mod.ts";
import { UsageError, XenonError } from "../../lib/errors.ts";
import { dryRunFailover } from "../../raft/mod.ts";
import { withDaemons } from "../daemons.ts";
import { members } from "../members.ts";
import type { Handler, LeafSpec } from "../spec.ts";

const failover: Handler = (ctx, _args, options) => {
  if (options.dryRun !== true) {
    throw new UsageError(
      "cluster failover only runs with --dry-run; for a planned switchover run " +
        "`xenon raft trytoleader` on the node that should lead",
    );
  }
  return withDaemons(ctx, async (daemons) => {
    const ids = await members(daemons);
    const outcomes = await daemons.callAll(ids, "RaftRPC.Explain", {});
    const answers = outcomes.flatMap((o) => (o.ok ? [o.result] : []));
    if (answers.length === 0) throw new XenonError("no node answered; is xenon running?");
    const leader = answers.find((a) => a.self.role === "LEADER")?.self.endpoint ?? null;
    const reference = answers.find((a) => a.self.endpoint === leader) ?? answers[0];
    const verdict = dryRunFailover(
      { comparator: comparatorFor(reference.flavor) },
      reference.voters,
      answers.map((a) => a.self),
      leader,
    );
    if (ctx.json) {
      ctx.out(JSON.stringify({ leader, ...verdict, nodes: answers.map((a) => a.self) }));
    } else {
      for (const line of verdict.lines) ctx.out(line);
    }
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
