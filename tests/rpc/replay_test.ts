/** Replay protection across a restart of the server: the nonce cache is gone, the mark is not. */
import assert from "node:assert/strict";
import { RpcClient, RpcServer, v } from "../../src/rpc/mod.ts";
import { AHEAD_MS } from "../../src/rpc/replay_mark.ts";
import { clusterKey, PEER, signedHeaders, sleep } from "./_helpers.ts";

async function started(listen: string, replayMarkFile: string): Promise<RpcServer> {
  const server = new RpcServer({
    listen,
    key: await clusterKey(),
    allowedPeer: (from) => from === PEER,
    closeGraceMs: 50,
    replayMarkFile,
  });
  server.registerMethod("ServerRPC.Ping", () => ({ RetCode: "OK" }), { validate: v.object({}) });
  await server.start();
  return server;
}

/** Sends exactly these headers and body, as an eavesdropper replaying a capture would. */
async function send(server: RpcServer, headers: Record<string, string>) {
  const response = await fetch(`http://${server.endpoint}/rpc/ServerRPC.Ping`, {
    method: "POST",
    headers,
    body: "{}",
  });
  return { status: response.status, body: await response.json() };
}

async function withMarkDir(fn: (markFile: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-rpc-replay-" });
  try {
    await fn(`${dir}/rpc-replay-mark`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const RESTARTED = /^request stamped before this node started: a replayed request/;

for (
  const [name, aheadMs] of [
    ["a request captured before a restart is refused after it", 0],
    ["a captured request stamped ahead (sender's clock fast) is refused after a restart", 9_000],
  ] as const
) {
  Deno.test(name, async () => {
    await withMarkDir(async (markFile) => {
      const key = await clusterKey();
      let server = await started("127.0.0.1:0", markFile);
      try {
        const captured = await signedHeaders(server, key, {
          method: "ServerRPC.Ping",
          body: "{}",
          time: Date.now() + aheadMs,
        });
        assert.equal((await send(server, captured)).status, 200);
        await server.close();
        server = await started(server.endpoint, markFile);
        const replay = await send(server, captured);
        assert.equal(replay.status, 401);
        assert.match(replay.body.error, RESTARTED);
      } finally {
        await server.close();
      }
    });
  });
}

Deno.test("a peer clock far ahead cannot push the next run's floor past this node's clock", async () => {
  await withMarkDir(async (markFile) => {
    const key = await clusterKey();
    const server = await started("127.0.0.1:0", markFile);
    try {
      const fast = await signedHeaders(server, key, {
        method: "ServerRPC.Ping",
        body: "{}",
        time: Date.now() + 60_000, // inside the ±120 s window
      });
      const refused = await send(server, fast);
      assert.equal(refused.status, 401);
      assert.match(
        refused.body.error,
        /^request timestamp is 60s ahead of this node's clock \(limit 10s ahead, 120s behind\): check NTP on both nodes$/,
      );
      const near = await signedHeaders(server, key, {
        method: "ServerRPC.Ping",
        body: "{}",
        time: Date.now() + AHEAD_MS - 1000,
      });
      assert.equal((await send(server, near)).status, 200);
      const mark = Number(await Deno.readTextFile(markFile));
      assert.ok(mark <= Date.now() + AHEAD_MS + 1000, `mark ${mark - Date.now()} ms ahead`);
    } finally {
      await server.close();
    }
  });
});

Deno.test("after a restart, new requests are accepted once past the mark", async () => {
  await withMarkDir(async (markFile) => {
    let server = await started("127.0.0.1:0", markFile);
    const client = new RpcClient({ self: PEER, key: await clusterKey() });
    try {
      await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 });
      await server.close();
      server = await started(server.endpoint, markFile);
      const mark = Number(await Deno.readTextFile(markFile));
      await sleep(Math.max(0, mark - Date.now() + 10));
      assert.deepEqual(
        await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
        { RetCode: "OK" },
      );
    } finally {
      client.close();
      await server.close();
    }
  });
});

Deno.test("a damaged replay mark stops the server from starting, in one line", async () => {
  await withMarkDir(async (markFile) => {
    await Deno.writeTextFile(markFile, "garbage\n");
    await assert.rejects(() => started("127.0.0.1:0", markFile), {
      message:
        `the RPC replay mark ${markFile} holds no timestamp; remove it and start xenon again`,
    });
  });
});
