import assert from "node:assert/strict";
import { parseMembership } from "../../src/http/mod.ts";
import { clearSecretsForTest, registerSecret } from "../../src/lib/redact.ts";
import { ADMIN, AUTH, basic, call, logLines, PASSWORD, stubInvoke, withApi } from "./_helpers.ts";

const ROUTES: [string, string, string][] = [
  ["POST", "/v1/cluster/add", "NodeRPC.AddNodes"],
  ["POST", "/v1/cluster/remove", "NodeRPC.RemoveNodes"],
  ["GET", "/v1/raft/status", "NodeRPC.GetNodes"],
  ["POST", "/v1/raft/trytoleader", "HARPC.HATryToLeader"],
  ["PUT", "/v1/raft/disablechecksemisync", "RaftRPC.DisableCheckSemiSync"],
  ["PUT", "/v1/raft/disable", "HARPC.HADisable"],
  ["GET", "/v1/xenon/ping", "ServerRPC.Ping"],
];
const MEMBERSHIP_BODY = '{"address": "10.0.0.13:8801"}';

Deno.test("every admin route: 401 without or with wrong credentials, and nothing is invoked", async () => {
  const { invoke, calls } = stubInvoke();
  await withApi({ invoke }, async (base) => {
    for (const [method, path] of ROUTES) {
      for (
        const authorization of [null, basic(ADMIN, "wrong"), basic("admin", PASSWORD), "Basic !!"]
      ) {
        const r = await call(base + path, {
          method,
          headers: authorization ? { authorization } : {},
          body: method === "GET" ? undefined : MEMBERSHIP_BODY,
        });
        assert.equal(r.status, 401, `${method} ${path} with ${authorization}`);
        assert.equal(r.headers.get("www-authenticate"), 'Basic realm="xenon zone"');
        assert.deepEqual(r.json, { Error: "Not Authorized" });
      }
    }
  });
  assert.deepEqual(calls, []);
  assert.equal(
    logLines.filter((l) => l.includes("refused") && l.includes("credentials")).length >= 1,
    true,
  );
  assert.ok(!logLines.some((l) => l.includes(PASSWORD)));
});

Deno.test("every admin route with auth calls its method; success is 200 as the original", async () => {
  const { invoke, calls } = stubInvoke();
  await withApi({ invoke }, async (base) => {
    for (const [method, path, rpc] of ROUTES) {
      calls.length = 0;
      const r = await call(base + path, {
        method,
        headers: AUTH,
        body: method === "GET" ? undefined : MEMBERSHIP_BODY,
      });
      assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
      assert.deepEqual(calls.map((c) => c.method), [rpc]);
      if (path === "/v1/raft/status") {
        assert.deepEqual(r.json, {
          state: "LEADER",
          leader: "10.0.0.11:8801",
          nodes: ["10.0.0.11:8801", "10.0.0.12:8801", "10.0.0.19:8801"],
        }, "idle members are listed too, as the original's");
      } else {
        assert.equal(r.text, "", `${path} answers an empty body`);
      }
    }
  });
});

Deno.test("cluster add/remove take JSON, the operator's JSON-labelled-as-form, and real forms", async () => {
  const { invoke, calls } = stubInvoke();
  const bodies: [string, string][] = [
    ['{"address":"10.0.0.13:8801,10.0.0.14:8801"}', "application/json"],
    ['{"address": "10.0.0.13:8801,10.0.0.14:8801"}', "application/x-www-form-urlencoded"],
    ["address=10.0.0.13%3A8801%2C10.0.0.14%3A8801", "application/x-www-form-urlencoded"],
    ["address=10.0.0.13:8801,10.0.0.14:8801,", "application/x-www-form-urlencoded"],
  ];
  await withApi({ invoke }, async (base) => {
    for (const path of ["/v1/cluster/add", "/v1/cluster/remove"]) {
      for (const [body, type] of bodies) {
        calls.length = 0;
        const r = await call(base + path, {
          method: "POST",
          headers: { ...AUTH, "content-type": type },
          body,
        });
        assert.equal(r.status, 200, `${body}: ${r.text}`);
        assert.deepEqual(calls[0].request, { nodes: ["10.0.0.13:8801", "10.0.0.14:8801"] });
      }
    }
  });
});

Deno.test("cluster add/remove pass force as the CLI's --force does; a bad force is one line", async () => {
  const { invoke, calls } = stubInvoke();
  await withApi({ invoke }, async (base) => {
    const post = (path: string, body: string) =>
      call(base + path, { method: "POST", headers: AUTH, body });
    for (const path of ["/v1/cluster/add", "/v1/cluster/remove"]) {
      for (
        const body of [
          '{"address":"10.0.0.13:8801","force":true}',
          "address=10.0.0.13:8801&force=true",
        ]
      ) {
        calls.length = 0;
        assert.equal((await post(path, body)).status, 200, body);
        assert.deepEqual(calls[0].request, { nodes: ["10.0.0.13:8801"], force: true });
      }
      calls.length = 0;
      await post(path, '{"address":"10.0.0.13:8801","force":false}');
      assert.deepEqual(calls[0].request, { nodes: ["10.0.0.13:8801"] });
    }
    calls.length = 0;
    for (
      const body of ['{"address":"10.0.0.13:8801","force":"yes"}', "address=10.0.0.13:8801&force=1"]
    ) {
      const r = await post("/v1/cluster/remove", body);
      assert.equal(r.status, 500, body);
      assert.deepEqual(r.json, { Error: '"force" must be true or false' });
    }
    assert.deepEqual(calls, []);
  });
});

Deno.test("cluster add errors: empty address as the original, bad JSON, bad address, refusal", async () => {
  const { invoke, calls } = stubInvoke({
    "NodeRPC.RemoveNodes": () => ({ ok: false, reason: "cannot remove the leader itself" }),
  });
  await withApi({ invoke }, async (base) => {
    const post = (path: string, body: string) =>
      call(base + path, { method: "POST", headers: AUTH, body });
    for (const body of ["", "{}", '{"address":""}', "address=", " , "]) {
      const r = await post("/v1/cluster/add", body);
      assert.equal(r.status, 500, body);
      assert.deepEqual(r.json, { Error: "api.v1.cluster.add.request.address.is.null" });
    }
    assert.deepEqual((await post("/v1/cluster/remove", "")).json, {
      Error: "api.v1.cluster.remove.request.address.is.null",
    });
    const bad = await post("/v1/cluster/add", '{"address":');
    assert.equal(bad.status, 500);
    assert.match((bad.json as { Error: string }).Error, /^malformed JSON body: .*address/);
    const notString = await post("/v1/cluster/add", '{"address":5}');
    assert.match((notString.json as { Error: string }).Error, /"address" must be a string/);
    const badAddress = await post("/v1/cluster/add", '{"address":"10.0.0.13"}');
    assert.deepEqual(badAddress.json, {
      Error: 'bad address "10.0.0.13": expected HOST:PORT, e.g. 10.0.0.12:8801',
    });
    assert.deepEqual(calls, []);
    const refused = await post("/v1/cluster/remove", MEMBERSHIP_BODY);
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json, { Error: "cannot remove the leader itself" });
  });
});

Deno.test("a refused or failing action is one 500 with a one-line error, never a crash or a secret", async () => {
  clearSecretsForTest();
  registerSecret("replication-secret-91c2");
  try {
    const { invoke } = stubInvoke({
      "HARPC.HATryToLeader": () => ({ ok: false, reason: "refused: my GTID set is behind" }),
      "HARPC.HADisable": () => {
        throw new Error("connect failed with replication-secret-91c2\nstack line");
      },
      "NodeRPC.GetNodes": () => {
        throw new TypeError("Cannot read properties of undefined");
      },
    });
    await withApi({ invoke }, async (base) => {
      const tryToLeader = await call(`${base}/v1/raft/trytoleader`, {
        method: "POST",
        headers: AUTH,
      });
      assert.equal(tryToLeader.status, 500);
      assert.deepEqual(tryToLeader.json, { Error: "refused: my GTID set is behind" });
      const disable = await call(`${base}/v1/raft/disable`, { method: "PUT", headers: AUTH });
      assert.equal(disable.status, 500);
      assert.deepEqual(disable.json, { Error: "connect failed with ******" });
      const status = await call(`${base}/v1/raft/status`, { headers: AUTH });
      assert.equal(status.status, 500);
      assert.deepEqual(status.json, { Error: "Cannot read properties of undefined" });
      // The server still answers.
      assert.equal((await call(`${base}/v1/xenon/ping`, { headers: AUTH })).status, 200);
    });
    assert.ok(!logLines.some((l) => l.includes("replication-secret-91c2")));
  } finally {
    clearSecretsForTest();
  }
});

Deno.test("wrong method is 405, unknown /v1 path 404 (after auth, as the original)", async () => {
  await withApi({}, async (base) => {
    const wrong = await call(`${base}/v1/raft/status`, { method: "POST", headers: AUTH });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET");
    assert.deepEqual(wrong.json, { Error: "Method not allowed; use GET /v1/raft/status" });
    assert.equal((await call(`${base}/v1/nothing`)).status, 401);
    const unknown = await call(`${base}/v1/nothing`, { headers: AUTH });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { Error: 'Resource not found: "/v1/nothing"' });
    assert.equal((await call(`${base}/debug/pprof/`)).status, 404, "no profiling listener");
  });
});

Deno.test("admin API off (enable-apis false): refused, health still served; an empty password is the original's rule", async () => {
  const { invoke, calls } = stubInvoke();
  await withApi({ invoke, enableApis: false }, async (base) => {
    const r = await call(`${base}/v1/xenon/ping`, { headers: AUTH });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { Error: "the admin API is off; set server.enable-apis to true" });
    assert.equal((await call(`${base}/health`)).status, 200);
  });
  assert.equal(calls.length, 0);
  // The operator's CRD allows only an empty root password and sends `root:` (radondb-mysql-kubernetes
  // internal/xenon_request.go); any other password is still refused.
  await withApi({ invoke, adminPassword: "" }, async (base) => {
    const r = await call(`${base}/v1/xenon/ping`, { headers: { authorization: basic(ADMIN, "") } });
    assert.equal(r.status, 200, r.text);
    const wrong = await call(`${base}/v1/xenon/ping`, {
      headers: { authorization: basic(ADMIN, "x") },
    });
    assert.equal(wrong.status, 401);
    const none = await call(`${base}/v1/xenon/ping`);
    assert.equal(none.status, 401);
  });
  assert.deepEqual(calls.map((c) => c.method), ["ServerRPC.Ping"]);
  assert.ok(logLines.some((l) => l.includes("empty password") && l.includes("NetworkPolicy")));
});

Deno.test("an oversized body is refused; close() ends a slow action with 503", async () => {
  let release = () => {};
  const { invoke } = stubInvoke({
    "HARPC.HATryToLeader": () =>
      new Promise((resolve) => {
        release = () => resolve({ ok: true, reason: "late" });
      }),
  });
  await withApi({ invoke, maxBodyBytes: 100, closeGraceMs: 50 }, async (base, api) => {
    const big = await call(`${base}/v1/cluster/add`, {
      method: "POST",
      headers: AUTH,
      body: `{"address":"${"a".repeat(200)}:1"}`,
    });
    assert.equal(big.status, 500);
    assert.deepEqual(big.json, { Error: "request body over 100 bytes" });

    const slow = call(`${base}/v1/raft/trytoleader`, { method: "POST", headers: AUTH });
    await new Promise((r) => setTimeout(r, 50));
    await api.close();
    const r = await slow;
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, {
      Error: "/v1/raft/trytoleader interrupted: this xenon is shutting down",
    });
  });
  release();
});

Deno.test("a taken port or malformed peer-address is a one-line error naming the key", async () => {
  await withApi({}, async (_base, api) => {
    await assert.rejects(
      withApi({ listen: `127.0.0.1:${api.port}` }, () => Promise.resolve()),
      /^XenonError: cannot listen for the HTTP API on 127\.0\.0\.1:\d+: address already in use; check server\.peer-address$/,
    );
  });
  await assert.rejects(
    withApi({ listen: "6060" }, () => Promise.resolve()),
    /server\.peer-address "6060" is not \[HOST\]:PORT/,
  );
});

Deno.test("parseMembership trims, drops empty items and keeps order", () => {
  const nodes = (body: string) => parseMembership(body, "add").nodes;
  assert.deepEqual(nodes(' {"address": " a:1 , b:2 ,"} '), ["a:1", "b:2"]);
  assert.deepEqual(nodes("address=[::1]:8801"), ["[::1]:8801"]);
  assert.deepEqual(nodes("x=1&address=a:1"), ["a:1"]);
});

Deno.test("unreadable TLS files are a one-line error naming the config key", async () => {
  await assert.rejects(
    withApi(
      { tls: { certFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem" } },
      () => Promise.resolve(),
    ),
    /^XenonError: cannot read server\.tls-cert \/nonexistent\/cert\.pem: /,
  );
});
