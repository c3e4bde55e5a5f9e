import assert from "node:assert/strict";
import { ConfigError } from "../../src/lib/errors.ts";
import { redact } from "../../src/lib/redact.ts";
import { parseConfig } from "../../src/config/mod.ts";
import {
  clusterKeyOf,
  deriveClusterKey,
  formatEndpoint,
  parseEndpoint,
  v,
} from "../../src/rpc/mod.ts";
import { NonceCache } from "../../src/rpc/nonce_cache.ts";

Deno.test("deriveClusterKey() uses the secret, else the replication password, and registers both", async () => {
  const fromSecret = await deriveClusterKey({
    secret: "s3cret-a",
    replicationPassword: "passwd-a",
  });
  const again = await deriveClusterKey({ secret: "s3cret-a", replicationPassword: "other" });
  const fromPassword = await deriveClusterKey({ replicationPassword: "passwd-a" });
  const samePasswordAsSecret = await deriveClusterKey({
    secret: "passwd-a",
    replicationPassword: "",
  });
  assert.equal(fromSecret.source, "cluster-secret");
  assert.equal(fromPassword.source, "replication.passwd");
  assert.equal(fromSecret.id, again.id);
  assert.notEqual(fromSecret.id, fromPassword.id);
  assert.notEqual(fromPassword.id, samePasswordAsSecret.id);
  assert.match(fromSecret.id, /^[0-9a-f]{8}$/);
  assert.equal(fromSecret.hmac.extractable, false);
  assert.equal(redact("x s3cret-a passwd-a y"), "x ****** ****** y");
  await assert.rejects(() => deriveClusterKey({ replicationPassword: "" }), ConfigError);
});

Deno.test("clusterKeyOf() refuses a key from the built-in default replication password", async () => {
  const refusal =
    /^server\.cluster-secret: not set, and replication\.passwd is the built-in default/;
  await assert.rejects(() => clusterKeyOf(parseConfig("{}").config), {
    name: "ConfigError",
    message: refusal,
  });
  await assert.rejects(
    () => clusterKeyOf(parseConfig('{"replication": {"passwd": "repl"}}').config),
    { message: refusal },
  );
  const own = await clusterKeyOf(parseConfig('{"replication": {"passwd": "Own-Repl-Pw1"}}').config);
  assert.equal(own.source, "replication.passwd");
  const secret = await clusterKeyOf(
    parseConfig('{"server": {"cluster-secret": "s3cret-b-long"}, "replication": {}}').config,
  );
  assert.equal(secret.source, "cluster-secret");
  const dir = await Deno.makeTempDir({ prefix: "xenon-key-" });
  try {
    const file = `${dir}/cluster.secret`;
    await Deno.writeTextFile(file, "\n");
    const withFile = parseConfig(JSON.stringify({
      server: { "cluster-secret-file": file },
      replication: { passwd: "Own-Repl-Pw1" },
    })).config;
    await assert.rejects(() => clusterKeyOf(withFile), {
      name: "ConfigError",
      message: `server.cluster-secret-file ${file} is empty; put the cluster's secret in it ` +
        "(the same on every node)",
    });
    await Deno.writeTextFile(file, "s3cret-from-file\n");
    assert.equal((await clusterKeyOf(withFile)).source, "cluster-secret");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseEndpoint() accepts host:port and names a bad value", () => {
  assert.deepEqual(parseEndpoint("10.0.0.2:8801"), { host: "10.0.0.2", port: 8801 });
  assert.deepEqual(parseEndpoint("db-1.example:8801"), { host: "db-1.example", port: 8801 });
  assert.equal(formatEndpoint(parseEndpoint("[::1]:8801")), "[::1]:8801");
  for (const bad of ["10.0.0.2", ":8801", "10.0.0.2:99999", "a b:1", "10.0.0.2:x"]) {
    assert.throws(() => parseEndpoint(bad), {
      message: `bad endpoint '${bad}': expected HOST:PORT, e.g. 192.168.0.2:8801`,
    });
  }
});

Deno.test("validators name the path of the first wrong field", () => {
  const check = v.object({
    Raft: v.object({ ViewID: v.count(), State: v.oneOf(["LEADER", "FOLLOWER"]) }),
    Peers: v.strings(),
    Note: v.optional(v.string()),
    RetCode: v.withDefault(v.string(), "OK"),
    Ok: v.boolean(),
    Lag: v.number(),
  });
  const good = { Raft: { ViewID: 3, State: "LEADER" }, Peers: ["a:1"], Ok: true, Lag: 0.5 };
  assert.deepEqual(check(good), { ...good, RetCode: "OK" });
  const cases: [unknown, string][] = [
    [
      { ...good, Raft: { ViewID: 1.5, State: "LEADER" } },
      "Raft.ViewID: expected a non-negative integer, got 1.5",
    ],
    [
      { ...good, Raft: { ViewID: 1, State: "BOSS" } },
      "Raft.State: expected one of LEADER|FOLLOWER, got a string",
    ],
    [{ ...good, Peers: "a:1" }, "Peers: expected an array, got a string"],
    [{ ...good, Ok: "true" }, "Ok: expected true or false, got a string"],
    [{ ...good, Lag: Infinity }, "Lag: expected a number, got Infinity"],
    [{ ...good, Note: 5 }, "Note: expected a string, got 5"],
  ];
  for (const [input, message] of cases) assert.throws(() => check(input), { message });
});

Deno.test("NonceCache refuses a replay and fails closed when full", () => {
  const cache = new NonceCache(1000, 2);
  assert.equal(cache.admit("a", 100, 100), undefined);
  assert.match(cache.admit("a", 100, 150)!, /replayed/);
  assert.equal(cache.admit("b", 110, 150), undefined);
  assert.equal(cache.admit("c", 120, 150), undefined); // drops "a", floor = 100
  assert.equal(cache.size, 2);
  assert.match(cache.admit("a", 100, 160)!, /too old to check for replay/);
  assert.equal(cache.admit("d", 2000, 2000), undefined); // b and c expired
  assert.equal(cache.size, 1);
});
