/**
 * The commands that ask one daemon to do one thing and print its ActionResult: most `raft` and
 * `mysql` commands. Declared as data: which method, on which node, described how.
 */
import { XenonError } from "../lib/errors.ts";
import type { ActionResult, MethodName, Methods, RequestOf } from "../model/mod.ts";
import type { CliContext } from "./context.ts";
import { type Daemons, withDaemons } from "./daemons.ts";
import { findLeader } from "./members.ts";
import { printAction } from "./output.ts";
import type { Handler } from "./spec.ts";

/** Methods whose result is an ActionResult. */
export type ActionMethod = {
  [M in MethodName]: Methods[M]["result"] extends ActionResult ? M : never;
}[MethodName];

/** `self`: this node or `--endpoint`; `leader`: the cluster's leader (user commands). */
export type Target = "self" | "leader";

export interface ActionSpec<M extends ActionMethod> {
  method: M;
  /** What is asked, for messages: "enable raft". */
  what: string;
  target?: Target;
  /** The request from the command line; `{}` when absent. */
  request?: (
    ctx: CliContext,
    args: string[],
    options: Record<string, unknown>,
  ) => RequestOf<M> | Promise<RequestOf<M>>;
}

/** The node a `target` names; user commands need a leader and say so in one line. */
export async function targetOf(daemons: Daemons, target: Target): Promise<string> {
  if (target === "self") return daemons.self;
  const leader = await findLeader(daemons);
  if (!leader) {
    throw new XenonError(
      "no leader in the cluster: user commands run on the leader; see 'xenon cluster status'",
    );
  }
  return leader;
}

/** A handler that calls `spec.method` on its target and prints the ActionResult. */
export function action<M extends ActionMethod>(spec: ActionSpec<M>): Handler {
  return async (ctx, args, options) => {
    const request = spec.request ? await spec.request(ctx, args, options) : {} as RequestOf<M>;
    return await withDaemons(ctx, async (daemons) => {
      const endpoint = await targetOf(daemons, spec.target ?? "self");
      const result = await daemons.call(endpoint, spec.method, request) as ActionResult;
      return printAction(ctx, endpoint, spec.what, result);
    });
  };
}
