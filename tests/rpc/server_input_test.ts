import assert from "node:assert/strict";
import { RpcError, RpcRemoteError } from "../../src/rpc/mod.ts";
import {
  PEER,
  rejection,
  signedFetch,
  signedHeaders,
  sleep,
  slowRequest,
  withServer,
} from "./_helpers.ts";

Deno.test("RpcServer answers malformed JSON with 400, not a crash", async () => {
  await withServer(async (server, client, key) => {
    for (const body of ["{not json", "", "\xff\xfe", "[1,2"]) {
      const answer = await signedFetch(server, key, { method: "ServerRPC.Ping", body });
      assert.equal(answer.status, 400, body);
      assert.equal(answer.body.code, "ErrorInvalidRequest");
      assert.match(answer.body.error!, /^malformed JSON: /);
      assert.ok(!answer.body.error!.includes("\n"));
    }
    const bad = await signedFetch(server, key, {
      method: "ServerRPC.Ping",
      body: new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]),
    });
    assert.equal(bad.status, 400);
    // The server is still fine.
    assert.deepEqual(
      await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
      { RetCode: "OK" },
    );
  });
});

Deno.test("RpcServer names the field with the wrong type (400)", async () => {
  await withServer(async (server, client) => {
    const cases: [unknown, string][] = [
      [{ From: PEER, ViewID: 1, Peers: [PEER, 7] }, "Peers[1]: expected a string, got 7"],
      [{ From: PEER, ViewID: -1, Peers: [] }, "ViewID: expected a non-negative integer, got -1"],
      [{ From: PEER, Peers: [] }, "ViewID: expected a non-negative integer, got nothing"],
      [{ From: 1, ViewID: 1, Peers: [] }, "From: expected a string, got 1"],
      [[1], "body: expected an object, got an array"],
      [null, "body: expected an object, got null"],
      ["x", "body: expected an object, got a string"],
    ];
    for (const [request, reason] of cases) {
      const error = await rejection(
        client.call(server.endpoint, "RaftRPC.Heartbeat", request, { timeoutMs: 2000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 400);
      assert.equal(error.code, "ErrorInvalidRequest");
      assert.equal(
        error.message,
        `xenon at ${server.endpoint} failed RaftRPC.Heartbeat: ${reason}`,
      );
    }
  });
});

Deno.test("RpcServer answers an unknown method with 404", async () => {
  await withServer(async (server, client) => {
    const error = await rejection(
      client.call(server.endpoint, "RaftRPC.NoSuchThing", {}, { timeoutMs: 2000 }),
      RpcRemoteError,
    );
    assert.equal(error.status, 404);
    assert.equal(error.code, "ErrorUnknownMethod");
    assert.equal(error.reason, "unknown method RaftRPC.NoSuchThing");
    assert.match(
      error.message,
      /has no RaftRPC\.NoSuchThing .*another xenon version; upgrade every node/,
    );
    const path = await fetch(`http://${server.endpoint}/metrics`);
    assert.equal(path.status, 404);
    assert.match((await path.json()).error, /use POST \/rpc\/Service\.Method/);
  });
});

Deno.test("RpcServer refuses a 2 MiB body with 413, announced or chunked", async () => {
  await withServer(async (server, _client, key) => {
    const big = new Uint8Array(2 * 1024 * 1024).fill(0x20);
    const announced = await signedFetch(server, key, { method: "ServerRPC.Ping", body: big });
    assert.equal(announced.status, 413);
    assert.equal(announced.body.code, "ErrorRequestTooLarge");
    const chunked = await fetch(`http://${server.endpoint}/rpc/ServerRPC.Ping`, {
      method: "POST",
      headers: await signedHeaders(server, key, { method: "ServerRPC.Ping", body: big }),
      body: ReadableStream.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]),
    });
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
  });
});

Deno.test("RpcClient does not send a request over the size cap", async () => {
  await withServer(async (server, client) => {
    const error = await rejection(
      client.call(server.endpoint, "ServerRPC.Ping", { x: "y".repeat(2 << 20) }, {
        timeoutMs: 2000,
      }),
      RpcError,
    );
    assert.match(error.message, /^ServerRPC\.Ping request is \d+ bytes, over 1048576$/);
  });
});

Deno.test("RpcServer wants POST with application/json", async () => {
  await withServer(async (server, _client, key) => {
    const get = await fetch(`http://${server.endpoint}/rpc/ServerRPC.Ping`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
    const text = await signedFetch(server, key, {
      method: "ServerRPC.Ping",
      body: "{}",
      contentType: "text/plain",
    });
    assert.equal(text.status, 415);
    assert.equal(text.body.error, "content type must be application/json");
  });
});

Deno.test("RpcServer turns a handler's exception into a one-line error answer", async () => {
  await withServer(async (server, client) => {
    const error = await rejection(
      client.call(server.endpoint, "TestRPC.Throw", {}, { timeoutMs: 2000 }),
      RpcRemoteError,
    );
    assert.equal(error.status, 500);
    assert.equal(error.code, "ErrorRpcCall");
    assert.equal(
      error.message,
      `xenon at ${server.endpoint} failed TestRPC.Throw: handler failed with ******`,
    );
  });
});

Deno.test("RpcServer.close() ends a hung handler after the grace period", async () => {
  await withServer(async (server, client) => {
    const call = client.call(server.endpoint, "TestRPC.Sleep", { Ms: 60_000 }, {
      timeoutMs: 5000,
    });
    call.catch(() => {});
    await sleep(100);
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 2000, "close took too long");
    const error = await rejection(call, RpcRemoteError);
    assert.equal(error.status, 503);
    assert.match(error.reason, /shutting down/);
  }, { closeGraceMs: 200 });
});

Deno.test("RpcServer.start() says which address is taken", async () => {
  await withServer(async (server, _client, key) => {
    const { RpcServer } = await import("../../src/rpc/mod.ts");
    const second = new RpcServer({ listen: server.endpoint, key, allowedPeer: () => true });
    await assert.rejects(
      () => second.start(),
      {
        message: `cannot listen for RPC on ${server.endpoint}: address already in use; ` +
          "is another xenon running? check server.endpoint",
      },
    );
  });
});

const PING = "/rpc/ServerRPC.Ping";

Deno.test("RpcServer refuses a stranger from its headers, without waiting for the body", async () => {
  await withServer(async (server, _client, key) => {
    const unsigned = await slowRequest(server.endpoint, PING, {
      "content-type": "application/json",
    }, { contentLength: 1 << 20, partialBody: "{" });
    const stale = await slowRequest(
      server.endpoint,
      PING,
      await signedHeaders(server, key, { method: "ServerRPC.Ping", body: "{}", time: 1 }),
      { contentLength: 1 << 20, partialBody: "{" },
    );
    const otherKey = {
      ...await signedHeaders(server, key, { method: "ServerRPC.Ping", body: "{}" }),
      "x-xenon-key": "0badc0de",
    };
    const wrongKey = await slowRequest(server.endpoint, PING, otherKey, {
      contentLength: 1 << 20,
      partialBody: "{",
    });
    try {
      // The server would wait a minute for these bodies: the answers come from the headers alone.
      assert.match(await unsigned.answer(5000), /^HTTP\/1\.1 401[\s\S]*request is not signed/);
      assert.match(await stale.answer(5000), /^HTTP\/1\.1 401[\s\S]*behind this node's clock/);
      assert.match(
        await wrongKey.answer(5000),
        /^HTTP\/1\.1 401[\s\S]*signed with cluster key 0badc0de/,
      );
    } finally {
      for (const request of [unsigned, stale, wrongKey]) request.close();
    }
  }, { readTimeoutMs: 60_000 });
});

Deno.test("RpcServer bounds the requests in progress; a full server answers 503 at once", async () => {
  await withServer(async (server, client, key) => {
    const slow = [];
    try {
      for (let i = 0; i < 2; i++) {
        const headers = await signedHeaders(server, key, { method: "ServerRPC.Ping", body: "{}" });
        slow.push(
          await slowRequest(server.endpoint, PING, headers, { contentLength: 2, partialBody: "{" }),
        );
      }
      await sleep(200); // both are being read now
      const error = await rejection(
        client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 5000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 503);
      assert.equal(error.code, "ErrorServerBusy");
      assert.equal(error.reason, "2 requests are already in progress on this node; retry shortly");
    } finally {
      for (const request of slow) request.close();
    }
    await sleep(200);
    assert.deepEqual(
      await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 5000 }),
      { RetCode: "OK" },
    );
  }, { readTimeoutMs: 60_000, maxConcurrentRequests: 2 });
});

Deno.test("RpcServer gives a body 2 s by default, then frees the slot", async () => {
  await withServer(async (server, _client, key) => {
    const headers = await signedHeaders(server, key, { method: "ServerRPC.Ping", body: "{}" });
    const slow = await slowRequest(server.endpoint, PING, headers, {
      contentLength: 2,
      partialBody: "{",
    });
    try {
      assert.match(
        await slow.answer(6000),
        /^HTTP\/1\.1 400[\s\S]*request body not received in time/,
      );
    } finally {
      slow.close();
    }
  });
});
