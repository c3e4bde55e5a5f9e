/**
 * Every xenon.json the Kubernetes operator can write is accepted: its timers (CRD defaults
 * electionTimeout 10000, admitDefeatHearbeatCount 5; neither has a range, and the operator's
 * issue #306 raised the timeout to 30 s), its empty root password, its extra keys; `config check`
 * exits 0 on warnings and 1 only on errors (or warnings with --strict).
 */
import assert from "node:assert/strict";
import { checkConfig, parseConfig } from "../../src/config/mod.ts";
import { optionsFromConfig } from "../../src/node/startup_checks.ts";
import { comparatorFor } from "../../src/gtid/mod.ts";
import { cli } from "../cli/_cli.ts";
import { operatorConfig } from "./_operator_config.ts";

const base = {
  host: "sample-mysql-0.sample-mysql.default",
  xenonPort: 8801,
  peerPort: 6601,
  replicationUser: "radondb_repl",
  replicationPassword: "Operator-Repl-Pw1",
  mysqlPort: 3306,
  metaDir: "/var/lib/xenon",
};

/** A dedicated cluster secret, so that only the findings under test remain. */
async function secretFile(dir: string): Promise<string> {
  const path = `${dir}/cluster.secret`;
  await Deno.writeTextFile(path, "6f".repeat(32) + "\n", { mode: 0o600 });
  return path;
}

Deno.test("every election-timeout / admit-defeat-hearbeat-count the operator writes is accepted by serve and config check", () => {
  for (const electionTimeout of [3000, 10000, 30000]) {
    for (const count of [1, 2, 3, 5, 10]) {
      const text = JSON.stringify(
        operatorConfig({ ...base, electionTimeout, admitDefeatHearbeatCount: count }),
      );
      // The cluster secret the operator never sets is an error xenon starts anyway with.
      const errors = checkConfig(text).filter((f) => f.severity === "error" && !f.startsAnyway);
      assert.deepEqual(errors, [], `ET ${electionTimeout}, count ${count}`);
      const { config } = parseConfig(text);
      const options = optionsFromConfig(config, comparatorFor("mysql"));
      assert.ok(
        3 * options.heartbeatMs <= electionTimeout,
        `ET ${electionTimeout}, count ${count}`,
      );
    }
  }
});

Deno.test("config check: warnings exit 0, --strict makes them fail, errors exit 1; the lease and the count explained", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-operator-config-" });
  try {
    const path = `${dir}/xenon.json`;
    // Count 1: heartbeat and request timeout equal the election timeout (warnings only).
    const config = operatorConfig({
      ...base,
      admitDefeatHearbeatCount: 1,
      metaDir: dir,
      extra: { server: { "cluster-secret-file": await secretFile(dir) } },
    });
    await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
    const warned = await cli(["-c", path, "config", "check"]);
    assert.equal(warned.code, 0, warned.out + warned.err);
    assert.equal(warned.err, "");
    assert.match(warned.out, /^warning: raft\.heartbeat-timeout: 10000 ms is more than a third/m);
    assert.match(warned.out, /^warning: server\.enable-apis: .*NetworkPolicy/m);
    assert.match(warned.out, /^info: lease \d+ ms/m);
    assert.match(
      warned.out,
      /^info: raft\.admit-defeat-hearbeat-count 1: the original's leader stepped down after 1 heartbeats .*the lease above decides/m,
    );
    assert.equal((await cli(["-c", path, "config", "check", "--strict"])).code, 1);

    config.mysql.version = "mysql56";
    await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
    const refused = await cli(["-c", path, "config", "check"]);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /^error: mysql\.version: mysql56 is not supported/m);

    for (const version of ["mariadb", "MariaDB1011", "mysql57", "mysql80", "mysql84"]) {
      config.mysql.version = version;
      const text = JSON.stringify(config);
      assert.ok(
        !checkConfig(text).some((f) => f.key === "mysql.version"),
        `${version} is a known mysql.version`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("2-node clusters: config check says there is no automatic failover; the original's 2-node settings are refused in one line each", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-operator-2nodes-" });
  try {
    const path = `${dir}/xenon.json`;
    const config = operatorConfig({
      ...base,
      metaDir: dir,
      extra: { server: { "cluster-secret-file": await secretFile(dir) } },
    });
    config.raft["candidate-wait-for-2nodes"] = 30000;
    config.mysql["semi-sync-timeout-for-two-nodes"] = 5000;
    await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
    await Deno.writeTextFile(
      `${dir}/peers.json`,
      JSON.stringify({ idlepeers: null, peers: ["a:8801", "b:8801"] }),
    );
    const r = await cli(["-c", path, "config", "check"]);
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      /^warning: raft\.meta-datadir: peers\.json lists 2 voters: a 2-voter cluster has no automatic failover/m,
    );
    assert.match(r.out, /^warning: raft\.semi-sync-degrade: true is not honoured/m);
    assert.match(r.out, /^warning: raft\.candidate-wait-for-2nodes: 30000 ms is not honoured/m);
    assert.match(
      r.out,
      /^warning: mysql\.semi-sync-timeout-for-two-nodes: 5000 ms is not honoured/m,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
