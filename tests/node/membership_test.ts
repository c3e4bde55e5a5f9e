/**
 * Membership through the node's services, on a real mariadbd: the core takes one voter change at
 * a time, and `cluster add n1,n2` on the leader waits for each change to settle before the next.
 */
import assert from "node:assert/strict";
import { localInvoke } from "../../src/node/service_registry.ts";
import { buildServices, type ServiceDeps } from "../../src/node/services.ts";
import { createInstance } from "../harness/mod.ts";
import { AgreeablePeers, withDir, writableLeader } from "./_shell.ts";

Deno.test("cluster add of two voters on the leader: the second waits for the first to settle", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    // The peers acknowledge heartbeats sent to any endpoint, the added ones too.
    const peers = new AgreeablePeers();
    await using shell = await writableLeader(instance, dir, {}, peers);
    const node = shell.node as ServiceDeps["node"];
    const invoke = localInvoke(
      buildServices({ node } as ServiceDeps),
      new AbortController().signal,
    );
    const added = ["127.0.0.1:18804", "127.0.0.1:18805"];
    const answer = await invoke("NodeRPC.AddNodes", { nodes: added });
    assert.equal(answer.ok, true, answer.reason);
    assert.deepEqual(node.state.peers.slice(-2), added);
    const direct = await node.admin({ kind: "removePeer", endpoint: added[0] });
    assert.equal(direct.ok, false, "straight after a change the core refuses the next one");
    assert.match(direct.reason, /^one voter change at a time: /);
  });
});
