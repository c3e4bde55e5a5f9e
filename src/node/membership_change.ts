/** The membership RPCs (`NodeRPC.Add*`, `NodeRPC.Remove*`): forwarded to the leader, or decided here. */
import { oneLine } from "../lib/errors.ts";
import type { ActionResult, NodesChange } from "../model/mod.ts";
import { type AdminCommand, ONE_VOTER_CHANGE } from "../raft/mod.ts";
import type { CallContext } from "../rpc/mod.ts";
import type { XenonNode } from "./node.ts";

export type MembershipMethod =
  | "NodeRPC.AddNodes"
  | "NodeRPC.AddIdleNodes"
  | "NodeRPC.RemoveNodes"
  | "NodeRPC.RemoveIdleNodes";
export type MembershipKind = "addPeer" | "addIdlePeer" | "removePeer" | "removeIdlePeer";

/**
 * A membership change, as the original: a member already there (or a non-member already gone) is
 * answered OK at once; on a follower that knows its leader, a change asked by the CLI or the HTTP
 * API is forwarded to the leader, signed as this node, and the leader's rules decide (the
 * Kubernetes operator calls every pod in turn and stops at the first error). A call from a peer is
 * never forwarded again; without a leader the core decides locally.
 */
export async function changeMembers(
  node: XenonNode,
  name: MembershipMethod,
  kind: MembershipKind,
  { nodes, force }: NodesChange,
  context: CallContext,
): Promise<ActionResult> {
  const s = node.state;
  const idle = kind === "addIdlePeer" || kind === "removeIdlePeer";
  const adding = kind === "addPeer" || kind === "addIdlePeer";
  const done = (e: string) =>
    adding ? s.peers.includes(e) || s.idlePeers.includes(e) : !(idle ? s.idlePeers : s.peers)
      .includes(e);
  const wanted = [...new Set(nodes.map((n) => n.trim()))];
  const pending = wanted.filter((e) => !done(e));
  const already = wanted.filter(done).map((e) =>
    adding ? `${e} is already a member` : `${e} is not a${idle ? "n idle" : ""} member`
  );
  if (pending.length === 0) return { ok: true, reason: already.join("; ") || "no nodes given" };
  const leader = s.leader;
  if (context.caller === "cli" && s.role !== "LEADER" && leader !== null && leader !== s.self) {
    const o = node.deps.options;
    try {
      const answer = await node.deps.rpc.call<ActionResult>(
        leader,
        name,
        { nodes: pending, force },
        {
          timeoutMs: 2 * o.requestTimeoutMs,
          signal: context.signal,
        },
      );
      return {
        ok: answer.ok,
        reason: [...already, `leader ${leader}: ${answer.reason}`].join("; "),
      };
    } catch (error) {
      return {
        ok: false,
        reason: `membership changes run on the leader; forwarding to ${leader} failed: ` +
          `${oneLine(error)}; retry once it answers (xenon cluster status)`,
      };
    }
  }
  const reasons = [...already];
  let allOk = true;
  for (const endpoint of pending) {
    const r = await adminOneVoterChange(
      node,
      kind === "addPeer" || kind === "removePeer" ? { kind, endpoint, force } : { kind, endpoint },
    );
    allOk &&= r.ok;
    reasons.push(r.reason);
  }
  return { ok: allOk, reason: reasons.join("; ") };
}

/**
 * A membership change; a voter change that must wait for the last one to settle (one at a time,
 * src/raft/admin.ts) is asked again until it is, for at most one election timeout (a healthy
 * cluster settles within a heartbeat round), so `cluster add n1,n2` on the leader works.
 */
async function adminOneVoterChange(node: XenonNode, command: AdminCommand) {
  const deadline = performance.now() + node.deps.options.electionTimeoutMs;
  const unsettled = (a: { ok: boolean; reason: string }) =>
    !a.ok && a.reason.startsWith(ONE_VOTER_CHANGE);
  let answer = await node.admin(command);
  for (let attempt = 0; attempt < 1000 && unsettled(answer); attempt++) {
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
    answer = await node.admin(command);
  }
  return answer;
}
