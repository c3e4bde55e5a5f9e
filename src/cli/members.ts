/** Members and the leader, found as xenoncli finds them (`callx.GetNodes`, `GetClusterLeader`). */
import { oneLine, UsageError } from "../lib/errors.ts";
import { membersOf } from "../model/mod.ts";
// The client side only: the RPC server (and the logging it loads) stays out of CLI calls.
import { formatEndpoint, parseEndpoint } from "../rpc/endpoint.ts";
import type { Daemons } from "./daemons.ts";

/** `n1,n2,` → endpoints; leading and trailing commas are allowed, as in the original. */
export function parseNodeList(text: string): string[] {
  const nodes = text.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (nodes.length === 0) {
    throw new UsageError(`no nodes in "${text}"; expected HOST:PORT[,HOST:PORT...]`);
  }
  return nodes.map((node) => {
    try {
      return formatEndpoint(parseEndpoint(node));
    } catch (error) {
      throw new UsageError(oneLine(error));
    }
  });
}

export { membersOf };

/** The members `self` knows (the daemon down is the one-line unreachable error). */
export async function members(daemons: Daemons): Promise<string[]> {
  const nodes = await daemons.call(daemons.self, "NodeRPC.GetNodes", {});
  const list = membersOf(nodes);
  return list.length > 0 ? list : [daemons.self];
}

/**
 * The first member, in `self`'s order, that says it is LEADER; "" when none does. Members that
 * do not answer are skipped, as in the original.
 */
export async function findLeader(daemons: Daemons): Promise<string> {
  const outcomes = await daemons.callAll(await members(daemons), "NodeRPC.GetNodes", {});
  return outcomes.find((o) => o.ok && o.result.state === "LEADER")?.endpoint ?? "";
}
