/** `raft trytoleader` on this node: the planned switchover, optionally waited for. */
import { switchoverBoundMs } from "../config/mod.ts";
import type { ResultOf } from "../model/mod.ts";
import type { XenonNode } from "./node.ts";
import type { MysqlPoller } from "./poller.ts";

/**
 * Planned switchover to this node: it asks the leader to fence itself and hand over (or
 * campaigns). As the original, that is the answer; with `wait` it also waits (bounded by the
 * timers) until it is the writable leader. The write-block time is measured from the request to
 * this node's promote: an upper bound on how long no node accepted writes.
 */
export async function tryToLead(
  node: XenonNode,
  poller: Pick<MysqlPoller, "pollOnce">,
  wait: boolean,
): Promise<ResultOf<"HARPC.HATryToLeader">> {
  const started = performance.now();
  // Judge promotability on a fresh sample, not one taken while replication was being repointed.
  await poller.pollOnce();
  const answer = await node.admin({ kind: "tryToLead" });
  if (!wait || !answer.ok || node.writableLeader) return answer;
  const deadline = started + switchoverBoundMs(node.deps.options);
  while (performance.now() < deadline) {
    const promoted = node.promotedAt;
    if (node.writableLeader && promoted !== null && promoted >= started) {
      const writeBlockMs = Math.round(promoted - started);
      return {
        ok: true,
        reason: `${answer.reason}; writable after ${writeBlockMs} ms`,
        writeBlockMs,
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    ok: false,
    reason: `${answer.reason}; not the writable leader ${Math.round(deadline - started)} ms ` +
      `later: ${node.state.role}, ${node.state.reason}`,
  };
}
