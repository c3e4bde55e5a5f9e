import assert from "node:assert/strict";
import { deriveClusterKey, RpcClient, RpcError } from "../../src/rpc/mod.ts";
import {
  deadEndpoint,
  logLines,
  OTHER_PEER,
  PEER,
  REPL_PASSWORD,
  SECRET,
  signedFetch,
  withServer,
} from "./_helpers.ts";

Deno.test("RPC refusals are logged once per sender and reason, and no secret reaches a log or error", async () => {
  logLines.length = 0;
  const errors: string[] = [];
  const collect = (promise: Promise<unknown>) =>
    promise.catch((error: RpcError) => errors.push(error.message));
  await withServer(async (server, client, key) => {
    const wrongKey = await deriveClusterKey({ secret: `${SECRET}-x`, replicationPassword: "x" });
    const stranger = new RpcClient({ self: PEER, key: wrongKey });
    const outsider = new RpcClient({ self: OTHER_PEER, key });
    try {
      for (let i = 0; i < 5; i++) {
        await collect(stranger.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }));
        await collect(outsider.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }));
      }
      await collect(client.call(server.endpoint, "TestRPC.Throw", {}, { timeoutMs: 2000 }));
      await collect(client.call(server.endpoint, "RaftRPC.Heartbeat", { From: SECRET }, {
        timeoutMs: 2000,
      }));
      await collect(
        client.call(deadEndpoint(), "ServerRPC.Ping", { p: SECRET }, { timeoutMs: 500 }),
      );
      await signedFetch(server, key, { method: "ServerRPC.Ping", body: `{"${REPL_PASSWORD}` });
    } finally {
      stranger.close();
      outsider.close();
    }
  });
  const refusals = logLines.filter((line) => line.includes("refused a request from"));
  assert.equal(refusals.filter((l) => l.includes("signed with cluster key")).length, 1);
  assert.equal(refusals.filter((l) => l.includes("not a member of this cluster")).length, 1);
  assert.ok(logLines.some((l) => l.includes("TestRPC.Throw from 127.0.0.1:18801 failed")));
  // Same sender, same kind (ErrorInvalidRequest) as the wrong-typed heartbeat: not logged again.
  assert.ok(logLines.some((l) => l.includes("ViewID: expected a non-negative integer")));
  assert.ok(!logLines.some((l) => l.includes("malformed JSON")));
  assert.equal(errors.length, 13);
  for (const text of [...logLines, ...errors]) {
    assert.ok(!text.includes(SECRET), `secret in: ${text}`);
    assert.ok(!text.includes(REPL_PASSWORD), `password in: ${text}`);
  }
});
