import assert from "node:assert/strict";
import {
  RpcAbortedError,
  RpcClient,
  RpcProtocolError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
  v,
} from "../../src/rpc/mod.ts";
import { clusterKey, deadEndpoint, PEER, rejection, withServer } from "./_helpers.ts";

Deno.test("RpcClient says how long it waited when a node does not answer", async () => {
  await withServer(async (server, client) => {
    const started = Date.now();
    const error = await rejection(
      client.call(server.endpoint, "TestRPC.Sleep", { Ms: 3000 }, { timeoutMs: 200 }),
      RpcTimeoutError,
    );
    assert.ok(Date.now() - started < 1500, "the deadline was not kept");
    assert.equal(
      error.message,
      `xenon at ${server.endpoint} did not answer TestRPC.Sleep within 200ms`,
    );
  });
});

Deno.test("RpcClient says the daemon is not running when the connection is refused", async () => {
  const key = await clusterKey();
  const client = new RpcClient({ self: PEER, key });
  try {
    const endpoint = deadEndpoint();
    const error = await rejection(
      client.call(endpoint, "ServerRPC.Ping", {}, { timeoutMs: 1000 }),
      RpcUnreachableError,
    );
    assert.equal(
      error.message,
      `cannot reach xenon at ${endpoint}: connection refused — is 'xenon serve' running? see its log`,
    );
  } finally {
    client.close();
  }
});

Deno.test("RpcClient.call() stops when the caller's signal aborts", async () => {
  await withServer(async (server, client) => {
    const error = await rejection(
      client.call(server.endpoint, "TestRPC.Sleep", { Ms: 3000 }, {
        timeoutMs: 5000,
        signal: AbortSignal.timeout(100),
      }),
      RpcAbortedError,
    );
    assert.equal(
      error.message,
      `call of TestRPC.Sleep on xenon at ${server.endpoint} was cancelled`,
    );
  });
});

Deno.test("RpcClient.callAll() reports each node; a dead or slow one does not hold up the rest", async () => {
  await withServer(async (server, client) => {
    const dead = deadEndpoint();
    const started = Date.now();
    const outcomes = await client.callAll(
      [server.endpoint, dead, server.endpoint],
      "ServerRPC.Ping",
      {},
      { timeoutMs: 500 },
    );
    assert.ok(Date.now() - started < 1500);
    assert.deepEqual(outcomes.map((o) => [o.endpoint, o.ok]), [
      [server.endpoint, true],
      [dead, false],
      [server.endpoint, true],
    ]);
    assert.ok(!outcomes[1].ok && outcomes[1].error instanceof RpcUnreachableError);

    const mixed = await client.callAll(
      [server.endpoint, "not-an-endpoint"],
      "TestRPC.Sleep",
      { Ms: 5000 },
      { timeoutMs: 300 },
    );
    assert.ok(!mixed[0].ok && mixed[0].error instanceof RpcTimeoutError);
    assert.ok(!mixed[1].ok && /^bad endpoint 'not-an-endpoint'/.test(mixed[1].error.message));
  });
});

Deno.test("RpcClient checks the result's shape when asked to", async () => {
  await withServer(async (server, client) => {
    const pong = v.object({ RetCode: v.string() });
    assert.deepEqual(
      await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000, validate: pong }),
      { RetCode: "OK" },
    );
    const wrong = v.object({ RetCode: v.count() });
    const error = await rejection(
      client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000, validate: wrong }),
      RpcProtocolError,
    );
    assert.match(
      error.message,
      /unexpected result shape \(result\.RetCode: expected a non-negative/,
    );
  });
});

/** A plain HTTP server on a free port that answers every request with `answer`. */
async function withImpostor(answer: () => Response, fn: (endpoint: string) => Promise<void>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, answer);
  try {
    await fn(`127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("RpcClient refuses an unsigned success answer (forged or not xenon)", async () => {
  const client = new RpcClient({ self: PEER, key: await clusterKey() });
  try {
    await withImpostor(
      () => Response.json({ ok: true, result: { VoteGranted: true } }),
      async (at) => {
        const error = await rejection(
          client.call(at, "RaftRPC.RequestVote", {}, { timeoutMs: 2000 }),
          RpcProtocolError,
        );
        assert.equal(
          error.message,
          `xenon at ${at} gave a bad answer to RaftRPC.RequestVote: ` +
            "the answer is not signed with the cluster key (forged, or not xenon)",
        );
      },
    );
    await withImpostor(() => new Response("<html>hello</html>"), async (at) => {
      const error = await rejection(
        client.call(at, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
        RpcProtocolError,
      );
      assert.match(error.message, /HTTP 200, not JSON; is 127\.0\.0\.1:\d+ the xenon RPC port/);
    });
    await withImpostor(() => new Response("nope", { status: 502 }), async (at) => {
      const error = await rejection(
        client.call(at, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
        RpcProtocolError,
      );
      assert.match(error.message, /HTTP 502, not JSON/);
    });
  } finally {
    client.close();
  }
});

Deno.test("RpcRemoteError keeps the server's code and reason", async () => {
  await withServer(async (server, client) => {
    const error = await rejection(
      client.call(server.endpoint, "RaftRPC.Unknown", {}, { timeoutMs: 2000 }),
      RpcRemoteError,
    );
    assert.deepEqual([error.endpoint, error.method, error.code], [
      server.endpoint,
      "RaftRPC.Unknown",
      "ErrorUnknownMethod",
    ]);
  });
});
