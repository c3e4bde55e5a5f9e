import assert from "node:assert/strict";
import { parseLagThreshold } from "../../src/http/mod.ts";
import type { NodeStatus } from "../../src/model/status.ts";
import {
  BLOCKED_LEADER,
  call,
  DEAD_MYSQL,
  FOLLOWER,
  LAGGING_FOLLOWER,
  LEADER,
  nodeStatus,
  withApi,
} from "./_helpers.ts";

const PATHS = [
  "/primary",
  "/read-write",
  "/replica",
  "/read-only",
  "/sync",
  "/health",
  "/readiness",
] as const;

/** Expected code per path, in PATHS order. */
const CASES: [string, NodeStatus, number[]][] = [
  ["leader", LEADER, [200, 200, 503, 200, 200, 200, 200]],
  ["follower", FOLLOWER, [503, 503, 200, 200, 503, 200, 200]],
  ["lagging follower (SQL thread stopped)", LAGGING_FOLLOWER, [503, 503, 503, 503, 503, 200, 200]],
  ["dead MySQL", DEAD_MYSQL, [503, 503, 503, 503, 503, 503, 503]],
  ["leader with semi-sync blocked", BLOCKED_LEADER, [200, 200, 503, 200, 503, 200, 200]],
  [
    "leader without a valid lease",
    nodeStatus({ ...LEADER, lease: { valid: false, remainingMs: 0 } }),
    [503, 503, 503, 503, 200, 200, 200],
  ],
  [
    "leader still applying its relay log",
    nodeStatus({ ...LEADER, writable: false, mysql: { ...LEADER.mysql, readOnly: true } }),
    [503, 503, 503, 503, 200, 200, 200],
  ],
  [
    "candidate",
    nodeStatus({ role: "CANDIDATE", leader: "", mysql: { ioRunning: false } }),
    [503, 503, 503, 503, 503, 200, 503],
  ],
  [
    "INVALID node",
    nodeStatus({ role: "INVALID", reason: "errant GTIDs 0-3-7" }),
    [503, 503, 503, 503, 503, 200, 503],
  ],
  ["IDLE replica", nodeStatus({ role: "IDLE" }), [503, 503, 200, 200, 503, 200, 200]],
  [
    "follower with IO thread stopped",
    nodeStatus({ mysql: { ioRunning: false, lastError: "error connecting to master" } }),
    [503, 503, 503, 503, 503, 200, 200],
  ],
];

Deno.test("health endpoints answer the right code for each kind of node, GET and HEAD", async () => {
  let current: NodeStatus = LEADER;
  await withApi({ status: () => current }, async (base) => {
    for (const [name, status, codes] of CASES) {
      current = status;
      for (const [i, path] of PATHS.entries()) {
        const get = await call(base + path);
        assert.equal(get.status, codes[i], `${name} ${path}: ${get.text}`);
        const body = get.json as Record<string, unknown>;
        assert.equal(body.role, status.role);
        assert.equal(body.term, status.term);
        assert.equal(body.leader, status.leader);
        assert.ok("lag" in body);
        assert.equal(typeof body.reason, "string");
        assert.ok(!(body.reason as string).includes("\n"));
        assert.equal(get.headers.get("content-type"), "application/json; charset=utf-8");
        for (const method of ["HEAD", "OPTIONS"]) {
          const bodyless = await call(base + path, { method });
          assert.equal(bodyless.status, codes[i], `${name} ${method} ${path}`);
          assert.equal(bodyless.text, "", `${method} has no body`);
        }
      }
    }
  });
});

Deno.test("health reasons say why in one line", async () => {
  let current: NodeStatus = FOLLOWER;
  await withApi({ status: () => current }, async (base) => {
    const reason = async (path: string) =>
      ((await call(base + path)).json as { reason: string }).reason;
    assert.equal(
      await reason("/primary"),
      "not the leader: this node is FOLLOWER (the leader is 10.0.0.11:8801)",
    );
    assert.equal(await reason("/replica"), "replicating from 10.0.0.11:8801, 0 s behind");
    current = LAGGING_FOLLOWER;
    assert.equal(await reason("/replica"), "replication SQL thread is not running");
    current = DEAD_MYSQL;
    assert.equal(await reason("/health"), "MySQL is down: connect ECONNREFUSED 127.0.0.1:3306");
    current = BLOCKED_LEADER;
    assert.equal(
      await reason("/sync"),
      "semi-sync blocked for 12.3 s: commits wait for a replica's acknowledgement and none arrives",
    );
    assert.equal(
      await reason("/primary"),
      "writable leader of term 8, lease 4.2 s left; semi-sync blocked for 12.3 s",
    );
    current = LEADER;
    assert.equal(await reason("/sync"), "semi-sync acknowledging (2 replica(s) connected)");
    current = nodeStatus({ ...LEADER, semiSync: { ...LEADER.semiSync, acking: false } });
    assert.match(await reason("/sync"), /^semi-sync is not acknowledging \(rpl_semi_sync/);
    current = nodeStatus({ role: "INVALID", reason: "errant GTIDs 0-3-7" });
    assert.equal(await reason("/readiness"), "INVALID: errant GTIDs 0-3-7");
  });
});

Deno.test("/replica?lag= in seconds or relay log bytes; unknowable thresholds are 503, bad ones 400", async () => {
  let current: NodeStatus = nodeStatus({
    mysql: { secondsBehindMaster: 7, relayBacklogBytes: 20_000 },
  });
  await withApi({ status: () => current }, async (base) => {
    const check = async (query: string) => {
      const r = await call(`${base}/replica?${query}`);
      return [r.status, (r.json as { reason: string }).reason];
    };
    assert.deepEqual((await check("lag=10"))[0], 200);
    assert.deepEqual(await check("lag=5s"), [503, "7 s behind, over lag=5s"]);
    assert.deepEqual((await check("lag=7s"))[0], 200);
    assert.deepEqual((await check("lag=32kB"))[0], 200);
    assert.deepEqual(await check("lag=16kB"), [
      503,
      "relay log backlog 20000 bytes, over lag=16kB",
    ]);
    assert.deepEqual((await check("lag=1MB"))[0], 200);
    assert.deepEqual(await check("lag=soon"), [
      400,
      'lag="soon" is not a threshold; use seconds (10, 5s, 500ms, 2m) or relay log bytes (16kB, 1MB)',
    ]);
    assert.deepEqual((await call(`${base}/read-only?lag=1s`)).status, 503);
    current = nodeStatus({ mysql: { secondsBehindMaster: null, relayBacklogBytes: null } });
    assert.deepEqual(await check("lag=5s"), [503, "lag unknown (Seconds_Behind_Master is NULL)"]);
    assert.deepEqual(await check("lag=1MB"), [
      503,
      "relay log backlog in bytes is unknown on this server; use lag=<seconds>",
    ]);
    assert.deepEqual((await check(""))[0], 200, "no threshold: lag unknown is fine");
    current = LEADER;
    assert.equal((await call(`${base}/read-only?lag=1s`)).status, 200, "lag is for replicas");
  });
});

Deno.test("/liveness follows the daemon's loop age; a failing status read is 503, not a crash", async () => {
  let age = 100;
  let broken = false;
  await withApi({
    loopAgeMs: () => age,
    maxLoopAgeMs: 5000,
    status: () => {
      if (broken) throw new Error("status not ready\nmore");
      return FOLLOWER;
    },
  }, async (base) => {
    assert.equal((await call(`${base}/liveness`)).status, 200);
    age = 7000;
    const dead = await call(`${base}/liveness`);
    assert.equal(dead.status, 503);
    assert.deepEqual(dead.json, { reason: "the daemon's loop last ran 7.0 s ago (over 5.0 s)" });
    assert.equal((await call(`${base}/liveness`, { method: "HEAD" })).status, 503);
    broken = true;
    const r = await call(`${base}/replica`);
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, { reason: "cannot read this node's status: status not ready" });
    assert.equal((await call(`${base}/metrics`)).status, 503);
  });
  await withApi({}, async (base) => {
    assert.deepEqual((await call(`${base}/liveness`)).json, { reason: "the daemon answers" });
  });
});

Deno.test("unknown paths are 404 JSON; health endpoints are read-only", async () => {
  await withApi({}, async (base) => {
    const missing = await call(`${base}/nope`);
    assert.equal(missing.status, 404);
    assert.match(
      (missing.json as { Error: string }).Error,
      /^no such endpoint "\/nope"; try \/primary/,
    );
    for (const method of ["POST", "PUT", "DELETE"]) {
      const r = await call(`${base}/primary`, { method, body: "x" });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get("allow"), "GET, HEAD, OPTIONS");
    }
  });
});

Deno.test("parseLagThreshold: seconds by default, time and 1024-based size units", () => {
  const seconds = (t: string) => {
    const v = parseLagThreshold(t);
    return v.kind === "seconds" ? v.seconds : NaN;
  };
  const bytes = (t: string) => {
    const v = parseLagThreshold(t);
    return v.kind === "bytes" ? v.bytes : NaN;
  };
  assert.equal(seconds("10"), 10);
  assert.equal(seconds("5s"), 5);
  assert.equal(seconds("500ms"), 0.5);
  assert.equal(seconds("2m"), 120);
  assert.equal(seconds("1.5h"), 5400);
  assert.equal(bytes("16kB"), 16 * 1024);
  assert.equal(bytes("1MB"), 1024 * 1024);
  assert.equal(bytes("2GiB"), 2 * 1024 ** 3);
  assert.equal(bytes("100B"), 100);
  for (const bad of ["", "-1", "5 parsecs", "1M", "1e3", "NaN", "x".repeat(100)]) {
    assert.throws(() => parseLagThreshold(bad), /is not a threshold/, bad);
  }
});
