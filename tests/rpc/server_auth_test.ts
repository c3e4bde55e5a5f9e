import assert from "node:assert/strict";
import { cliIdentity, deriveClusterKey, RpcClient, RpcRemoteError } from "../../src/rpc/mod.ts";
import { HEADER, newNonce } from "../../src/rpc/signature.ts";
import {
  OTHER_PEER,
  PEER,
  rejection,
  REPL_PASSWORD,
  signedFetch,
  signedHeaders,
  withServer,
} from "./_helpers.ts";

const heartbeat = { From: PEER, ViewID: 7, Peers: [PEER, OTHER_PEER] };
const HINT = "(check server.cluster-secret / replication.passwd match on both nodes)";

Deno.test("RpcServer answers a signed call from a peer with the handler's result", async () => {
  await withServer(async (server, client) => {
    const result = await client.call(server.endpoint, "RaftRPC.Heartbeat", heartbeat, {
      timeoutMs: 2000,
    });
    assert.deepEqual(result, { RetCode: "OK", Echo: heartbeat });
  });
});

Deno.test("RpcServer drops unknown fields before the handler sees them", async () => {
  await withServer(async (server, client) => {
    const result = await client.call(
      server.endpoint,
      "RaftRPC.Heartbeat",
      JSON.parse(JSON.stringify(heartbeat).replace("{", '{"Extra":1,"__proto__":{"x":1},')),
      { timeoutMs: 2000 },
    ) as { Echo: Record<string, unknown> };
    assert.deepEqual(Object.keys(result.Echo).sort(), ["From", "Peers", "ViewID"]);
  });
});

Deno.test("RpcServer refuses a request without a MAC (401)", async () => {
  await withServer(async (server) => {
    const response = await fetch(`http://${server.endpoint}/rpc/RaftRPC.Heartbeat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(heartbeat),
    });
    const body = await response.json();
    assert.equal(response.status, 401);
    assert.deepEqual(Object.keys(body).sort(), ["code", "error", "ok"]);
    assert.equal(body.ok, false);
    assert.equal(body.code, "ErrorUnauthenticated");
    assert.match(body.error, /not signed/);
  });
});

Deno.test("RpcServer refuses a node with a different cluster secret", async () => {
  await withServer(async (server, _client, key) => {
    const otherKey = await deriveClusterKey({
      secret: "another-cluster-secret",
      replicationPassword: REPL_PASSWORD,
    });
    const stranger = new RpcClient({ self: PEER, key: otherKey });
    try {
      const error = await rejection(
        stranger.call(server.endpoint, "RaftRPC.Heartbeat", heartbeat, { timeoutMs: 2000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 401);
      assert.equal(
        error.message,
        `xenon at ${server.endpoint} refused RaftRPC.Heartbeat: signed with cluster key ` +
          `${otherKey.id}, this node's key is ${key.id} ${HINT}`,
      );
    } finally {
      stranger.close();
    }
  });
});

Deno.test("RpcServer refuses a forged MAC even with the right key id", async () => {
  await withServer(async (server, _client, key) => {
    const response = await fetch(`http://${server.endpoint}/rpc/RaftRPC.Heartbeat`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [HEADER.from]: PEER,
        [HEADER.to]: server.endpoint,
        [HEADER.time]: String(Date.now()),
        [HEADER.nonce]: newNonce(),
        [HEADER.keyId]: key.id,
        [HEADER.mac]: "0".repeat(64),
      },
      body: JSON.stringify(heartbeat),
    });
    const body = await response.json();
    assert.equal(response.status, 401);
    assert.match(body.error, /^bad MAC/);
  });
});

Deno.test("RpcServer refuses an authenticated sender that is not in its peer list (403)", async () => {
  await withServer(async (server, _client, key) => {
    const outsider = new RpcClient({ self: OTHER_PEER, key });
    try {
      const error = await rejection(
        outsider.call(server.endpoint, "RaftRPC.Heartbeat", heartbeat, { timeoutMs: 2000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 403);
      assert.equal(error.code, "ErrorForbidden");
      assert.equal(
        error.message,
        `xenon at ${server.endpoint} refused RaftRPC.Heartbeat: ${OTHER_PEER} is not a member ` +
          `of this cluster (not in this node's peer list); add it with 'xenon cluster add ${OTHER_PEER}'`,
      );
    } finally {
      outsider.close();
    }
  });
});

Deno.test("RpcServer lets the CLI call peers-and-cli methods only", async () => {
  await withServer(async (server, _client, key) => {
    const cli = new RpcClient({ self: cliIdentity(), key });
    try {
      assert.deepEqual(
        await cli.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
        { RetCode: "OK" },
      );
      const error = await rejection(
        cli.call(server.endpoint, "RaftRPC.Heartbeat", heartbeat, { timeoutMs: 2000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 403);
      assert.match(error.message, /RaftRPC\.Heartbeat may be called by cluster peers only/);
    } finally {
      cli.close();
    }
  });
});

Deno.test("RpcServer refuses a replayed request", async () => {
  await withServer(async (server, _client, key) => {
    const replay = { method: "ServerRPC.Ping", body: "{}", nonce: newNonce(), time: Date.now() };
    const first = await signedFetch(server, key, replay);
    assert.equal(first.status, 200);
    const second = await signedFetch(server, key, replay);
    assert.equal(second.status, 401);
    assert.match(second.body.error!, /replayed request/);
  });
});

Deno.test("RpcServer refuses a request stamped outside the clock window", async () => {
  await withServer(async (server, _client, key) => {
    const skewed = new RpcClient({ self: PEER, key, now: () => Date.now() - 200_000 });
    try {
      const error = await rejection(
        skewed.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 2000 }),
        RpcRemoteError,
      );
      assert.equal(error.status, 401);
      assert.match(
        error.reason,
        /^request timestamp is 200s behind this node's clock \(limit 120s\): check NTP/,
      );
    } finally {
      skewed.close();
    }
    const future = await signedFetch(server, key, {
      method: "ServerRPC.Ping",
      body: "{}",
      time: Date.now() + 130_000,
    });
    assert.equal(future.status, 401);
    assert.match(future.body.error!, /130s ahead of/);
  });
});

Deno.test("RpcServer refuses a request addressed to another node (no cross-node replay)", async () => {
  await withServer(async (server, _client, key) => {
    const answer = await signedFetch(server, key, {
      method: "ServerRPC.Ping",
      body: "{}",
      to: OTHER_PEER,
    });
    assert.equal(answer.status, 421);
    assert.equal(
      answer.body.error,
      `request was addressed to ${OTHER_PEER}, but this node is ${server.endpoint}; ` +
        `use ${server.endpoint}`,
    );
  });
});

Deno.test("RpcServer refuses a body altered after signing", async () => {
  await withServer(async (server, _client, key) => {
    const response = await fetch(`http://${server.endpoint}/rpc/ServerRPC.Ping`, {
      method: "POST",
      headers: await signedHeaders(server, key, { method: "ServerRPC.Ping", body: "{}" }),
      body: '{"x":1}',
    });
    assert.equal(response.status, 401);
    assert.match((await response.json()).error, /^bad MAC/);
  });
});

Deno.test("RpcServer refuses a signed request without its key id before reading the body", async () => {
  await withServer(async (server, _client, key) => {
    const { [HEADER.keyId]: _, ...headers } = await signedHeaders(server, key, {
      method: "ServerRPC.Ping",
      body: "{}",
    });
    const response = await fetch(`http://${server.endpoint}/rpc/ServerRPC.Ping`, {
      method: "POST",
      headers,
      body: "{}",
    });
    assert.equal(response.status, 401);
    assert.match((await response.json()).error, /^request is not signed/);
  });
});
