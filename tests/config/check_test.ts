import assert from "node:assert/strict";
import {
  checkConfig,
  checkConfigLive,
  type Finding,
  formatFinding,
  parseConfig,
} from "../../src/config/mod.ts";
import { refuseUnsafeConfig } from "../../src/node/startup_checks.ts";
import { FIELD_NOTES, K8S_OPERATOR, ORIGINAL_SAMPLE, ORIGINAL_SIMPLE } from "./fixtures.ts";

const lines = (findings: Finding[]) => findings.map(formatFinding);
const keys = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.key}`);

/** A config that passes every rule: the starting point the rule tests change one thing in. */
const CLEAN = {
  server: { endpoint: "10.0.0.11:8801", "cluster-secret-file": "/etc/xenon/cluster.secret" },
  raft: {
    "heartbeat-timeout": 1000,
    "election-timeout": 10000,
    "admit-defeat-hearbeat-count": 5,
    "leader-start-command": "/usr/local/bin/vip-up",
    "leader-stop-command": "/usr/local/bin/vip-down",
  },
  mysql: { "master-sysvars": "sync_binlog=1", "slave-sysvars": "sync_binlog=1" },
  rpc: { "request-timeout": 1000 },
};
const withChange = (section: keyof typeof CLEAN, change: Record<string, unknown>) =>
  JSON.stringify({ ...CLEAN, [section]: { ...CLEAN[section], ...change } });

Deno.test("a clean config has no findings", () => {
  assert.deepEqual(checkConfig(JSON.stringify(CLEAN)), []);
});

Deno.test("config check reports a misspelt value in master-sysvars by variable name (field notes)", () => {
  const findings = checkConfig(FIELD_NOTES);
  assert.ok(
    lines(findings).includes(
      'mysql.master-sysvars: innodb_flush_log_at_trx_commit=defaulti: "defaulti" looks like a misspelling of default',
    ),
    lines(findings).join("\n"),
  );
  assert.equal(findings[0].severity, "error"); // errors come first
});

Deno.test("check lists every type error, not just the first", () => {
  const findings = checkConfig(
    '{"mysql": {"port": "3306", "ping-timeout": 0}, "rpc": {"request-timeout": "1s"}}',
  );
  assert.deepEqual(keys(findings).filter((k) => k.startsWith("error")), [
    "error mysql.port",
    "error mysql.ping-timeout",
    "error rpc.request-timeout",
    "error server.cluster-secret",
  ]);
});

Deno.test("timer rules", async (t) => {
  const timers = (raft: Record<string, unknown>, rt = 1000) =>
    lines(
      checkConfig(
        JSON.stringify({
          ...CLEAN,
          raft: { ...CLEAN.raft, ...raft },
          rpc: { "request-timeout": rt },
        }),
      ),
    );
  await t.step("a heartbeat over a third of election-timeout is shortened, not refused", () => {
    // The Kubernetes operator writes heartbeat-timeout = election-timeout / count: 1 gives these.
    const found = timers({ "heartbeat-timeout": 10000, "election-timeout": 10000 }, 10000);
    assert.ok(
      found.includes(
        "raft.heartbeat-timeout: 10000 ms is more than a third of election-timeout (10000 ms): the leader heartbeats every 3333 ms instead, so its lease outlasts a heartbeat (the original's configs, and the Kubernetes operator's election-timeout / admit-defeat-hearbeat-count with a count of 1 or 2, heartbeat this seldom); set heartbeat-timeout to 3333 or less to silence this",
      ),
      found.join("\n"),
    );
    const all = checkConfig(JSON.stringify({
      ...CLEAN,
      raft: { ...CLEAN.raft, "heartbeat-timeout": 10000, "election-timeout": 10000 },
    }));
    assert.ok(all.every((f) => f.severity === "warning"), lines(all).join("\n"));
  });
  await t.step("heartbeat + heartbeat call timeout beyond election-timeout", () => {
    assert.ok(
      timers({ "election-timeout": 4000, "admit-defeat-hearbeat-count": 3 }, 2000).includes(
        "rpc.request-timeout: the heartbeat (1000 ms) + the heartbeat call timeout (2× request-timeout = 4000 ms) exceeds election-timeout (4000 ms): one slow follower can make the others call an election",
      ),
    );
  });
  await t.step("request-timeout longer than the vote window", () => {
    assert.ok(
      timers({}, 6000).includes(
        "rpc.request-timeout: 6000 ms is longer than a candidate's vote-collection window (election-timeout/2 = 5000 ms): votes arrive too late and elections repeat",
      ),
    );
  });
  await t.step("request-timeout below 1 s (maintainers' advice)", () => {
    assert.ok(
      timers({}, 500).includes(
        "rpc.request-timeout: 500 ms is below 1000 ms: under load peers look dead and rejoining nodes turn INVALID (maintainers' advice in radondb/xenon#144: at least 1000 ms)",
      ),
    );
  });
  await t.step("a timer rule is skipped when one of its keys is itself invalid", () => {
    const findings = lines(checkConfig(withChange("raft", { "heartbeat-timeout": "1s" })));
    assert.deepEqual(findings, [
      'raft.heartbeat-timeout: "1s" is a string; expected a number 1-2147483647 (milliseconds)',
    ]);
  });
});

Deno.test("leader commands: nop means no VIP moves; a one-sided nop keeps the VIP on two hosts; swapped add/del", () => {
  assert.deepEqual(
    lines(
      checkConfig(withChange("raft", { "leader-start-command": "nop", "leader-stop-command": "" })),
    ),
    [
      'raft.leader-start-command: "nop": no VIP moves on failover, so clients must find the new primary by other means; set the start/stop commands to add/remove the VIP (see conf/README.md)',
    ],
  );
  assert.deepEqual(keys(checkConfig(withChange("raft", { "leader-stop-command": "nop" }))), [
    "error raft.leader-stop-command",
  ]);
  assert.deepEqual(keys(checkConfig(withChange("raft", { "leader-start-command": " " }))), [
    "error raft.leader-start-command",
  ]);
  const swapped = withChange("raft", {
    "leader-start-command": "ip a d 10.0.0.100/32 dev eth0",
    "leader-stop-command": "ip a a 10.0.0.100/32 dev eth0",
  });
  assert.deepEqual(lines(checkConfig(swapped)), [
    "raft.leader-start-command: removes an address while leader-stop-command adds one: the VIP commands are swapped (the original `xenoncli init` wrote them that way); exchange them",
  ]);
});

Deno.test("sysvar profiles: durability, and variables one profile never resets", () => {
  const findings = lines(checkConfig(withChange("mysql", {
    "master-sysvars": "sync_binlog=0;max_connections=500;innodb_flush_log_at_trx_commit=3",
    "slave-sysvars":
      "sync_binlog=1000;slave_net_timeout=4;sync_binlog=100;max_connections=200;innodb_flush_log_at_trx_commit=2",
  })));
  assert.deepEqual(findings, [
    "mysql.slave-sysvars: sync_binlog is set twice; the last value (100) wins",
    "mysql.master-sysvars: sync_binlog=0: the primary can lose acknowledged transactions if its host crashes; use 1",
    "mysql.slave-sysvars: slave_net_timeout is not reset by master-sysvars: a promoted replica keeps slave_net_timeout=4",
  ]);
});

Deno.test("sysvar profiles may not set what xenon sets itself (semi-sync, read-only, GTID)", () => {
  const findings = checkConfig(withChange("mysql", {
    "master-sysvars":
      "rpl_semi_sync_master_timeout=1000;rpl_semi_sync_master_wait_no_slave=OFF;read_only=0;" +
      "rpl_semi_sync_source_wait_point=AFTER_COMMIT;sync_binlog=1;rpl_semi_sync_master_trace_level=32",
    "slave-sysvars":
      "rpl_semi_sync_slave_enabled=OFF;SUPER_READ_ONLY=1;gtid_strict_mode=0;sync_binlog=1",
  }));
  const owned = (key: string, item: string) => {
    const name = item.split("=")[0];
    return `${key}: ${item}: xenon sets ${name} itself on every role change and this profile ` +
      "would override it; remove it";
  };
  assert.deepEqual(lines(findings.filter((f) => f.severity === "error")), [
    owned("mysql.master-sysvars", "rpl_semi_sync_master_timeout=1000"),
    owned("mysql.master-sysvars", "rpl_semi_sync_master_wait_no_slave=OFF"),
    owned("mysql.master-sysvars", "read_only=0"),
    owned("mysql.master-sysvars", "rpl_semi_sync_source_wait_point=AFTER_COMMIT"),
    owned("mysql.slave-sysvars", "rpl_semi_sync_slave_enabled=OFF"),
    owned("mysql.slave-sysvars", "SUPER_READ_ONLY=1"),
    owned("mysql.slave-sysvars", "gtid_strict_mode=0"),
  ]);
});

Deno.test("the daemon refuses to start on a profile that sets a variable xenon owns", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-owned-sysvar-" });
  try {
    const path = `${dir}/xenon.json`;
    await Deno.writeTextFile(
      path,
      withChange("mysql", { "slave-sysvars": "rpl_semi_sync_slave_enabled=OFF;sync_binlog=1" }),
    );
    await assert.rejects(() => refuseUnsafeConfig(path), {
      name: "ConfigError",
      message: "mysql.slave-sysvars: rpl_semi_sync_slave_enabled=OFF: xenon sets " +
        "rpl_semi_sync_slave_enabled itself on every role change and this profile would " +
        "override it; remove it",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("passwords in a group- or world-readable file: chmod 600", () => {
  const path = "/etc/xenon/xenon.json";
  assert.ok(
    lines(checkConfig(K8S_OPERATOR, { path, fileMode: 0o100644 })).includes(
      `${path}: readable by everyone and holds passwords (mysql.passwd, replication.passwd); run chmod 600 ${path}`,
    ),
  );
  assert.ok(
    lines(checkConfig(K8S_OPERATOR, { path, fileMode: 0o640 })).includes(
      `${path}: readable by its group and holds passwords (mysql.passwd, replication.passwd); run chmod 600 ${path}`,
    ),
  );
  const tight = lines(checkConfig(K8S_OPERATOR, { path, fileMode: 0o600 }));
  assert.ok(!tight.some((l) => l.includes("chmod")));
  // No password in the file (defaults only): nothing to hide.
  assert.ok(
    !lines(checkConfig(JSON.stringify(CLEAN), { path, fileMode: 0o644 })).some((l) =>
      l.includes("chmod")
    ),
  );
});

Deno.test("unknown keys, an open HTTP API and semi-sync-degrade are warnings", () => {
  const findings = checkConfig(
    JSON.stringify({
      ...CLEAN,
      server: { ...CLEAN.server, "enable-apis": true },
      raft: { ...CLEAN.raft, "semi-sync-degrade": true, "semi-sync-degrad": 1 },
    }),
  );
  assert.deepEqual(lines(findings), [
    "raft.semi-sync-degrad: unknown key, ignored",
    "server.enable-apis: true while mysql.passwd is empty: the admin API accepts the MySQL admin account with an empty password (as the original, and the Kubernetes operator's only choice), so anyone who reaches server.peer-address can call it; limit who can (a Kubernetes NetworkPolicy, a firewall) or set mysql.passwd",
    "raft.semi-sync-degrade: true is not honoured: a leader never lets semi-sync fall back to async, which would acknowledge writes no replica has (lost on failover); writes wait for a replica instead",
  ]);
  assert.ok(findings.every((f) => f.severity === "warning"));
});

Deno.test("invalid JSON is a single finding keyed by the path", () => {
  assert.deepEqual(lines(checkConfig("{", { path: "/x.json", fileMode: 0o644 })), [
    "/x.json: invalid JSON at line 1, column 2: expected a double-quoted key, found end of file",
  ]);
});

Deno.test("the original's simple config: what a DBA is told", () => {
  assert.deepEqual(keys(checkConfig(ORIGINAL_SIMPLE)), [
    "error server.cluster-secret",
    "warning rpc.request-timeout",
    "warning raft.leader-start-command",
  ]);
});

Deno.test("no cluster secret: an error config check fails on, which the daemon starts with", () => {
  const { server: _, ...noSecret } = CLEAN;
  const findings = checkConfig(
    JSON.stringify({ ...noSecret, replication: { passwd: "Field-Repl-Pw1" } }),
  );
  assert.deepEqual(lines(findings), [
    "server.cluster-secret: not set: peer RPC is signed with a key derived from " +
    "replication.passwd, which every replication client knows; xenon starts, with a warning, " +
    "but give every node the same secret in server.cluster-secret-file (e.g. openssl rand -hex " +
    "32, mode 600)",
  ]);
  assert.equal(findings[0].severity, "error");
  assert.equal(findings[0].startsAnyway, true);
});

Deno.test("no cluster secret and the built-in replication password: refused, also by the daemon", () => {
  const { server: _, ...noSecret } = CLEAN;
  const refusal = "server.cluster-secret: not set, and replication.passwd is the built-in " +
    "default, so anyone can sign peer RPC (add members, move the leader); set " +
    "server.cluster-secret or server.cluster-secret-file, the same on every node (e.g. openssl " +
    "rand -hex 32, mode 600)";
  for (const replication of [{}, { passwd: "repl" }]) {
    const findings = checkConfig(JSON.stringify({ ...noSecret, replication }));
    assert.deepEqual(lines(findings), [refusal]);
    assert.equal(findings[0].startsAnyway, undefined);
  }
  assert.deepEqual(
    lines(checkConfig(JSON.stringify({ ...noSecret, replication: { passwd: "" } }))),
    [
      "server.cluster-secret: not set, and replication.passwd is empty: peer RPC has no key; set " +
      "server.cluster-secret or server.cluster-secret-file, the same on every node (e.g. openssl " +
      "rand -hex 32, mode 600)",
    ],
  );
});

Deno.test("configs as they exist in the wild start without a secret unless the password is the default", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-seed-configs-" });
  try {
    const path = `${dir}/xenon.json`;
    for (const text of [K8S_OPERATOR, ORIGINAL_SAMPLE]) {
      await Deno.writeTextFile(path, text);
      await refuseUnsafeConfig(path);
    }
    await Deno.writeTextFile(path, ORIGINAL_SIMPLE);
    await assert.rejects(() => refuseUnsafeConfig(path), {
      name: "ConfigError",
      message: /^server\.cluster-secret: not set, and replication\.passwd is the built-in default/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live check: every sysvar must exist; default durability settings are resolved", async () => {
  const { config } = parseConfig(withChange("mysql", {
    "master-sysvars": "sync_binlog=default;rpl_semi_sync_master_enabled=1",
    "slave-sysvars": "sync_binlog=1;tokudb_fsync_log_period=1000",
  }));
  const calls: [string, unknown[]][] = [];
  const exists = new Set(["sync\\_binlog", "rpl\\_semi\\_sync\\_master\\_enabled"]);
  const findings = await checkConfigLive(config, (sql, params) => {
    calls.push([sql, params]);
    if (sql.startsWith("SHOW")) {
      return Promise.resolve(
        exists.has(String(params[0])) ? [{ Variable_name: "x", Value: "1" }] : [],
      );
    }
    return Promise.resolve([{ d: "0" }]); // MariaDB 10.11: sync_binlog defaults to 0
  });
  assert.deepEqual(lines(findings), [
    "mysql.slave-sysvars: tokudb_fsync_log_period does not exist on localhost:3306; fix the name, or load the plugin that provides it",
    "mysql.master-sysvars: sync_binlog=default is 0 on localhost:3306: the primary can lose acknowledged transactions if its host crashes; use sync_binlog=1",
  ]);
  assert.deepEqual(calls[0], ["SHOW GLOBAL VARIABLES LIKE ?", ["sync\\_binlog"]]);
});

Deno.test("live check: a failing server is one finding, passwords masked", async () => {
  const { config } = parseConfig('{"mysql": {"passwd": "Live-Secret-9"}}');
  const findings = await checkConfigLive(
    { ...config, mysql: { ...config.mysql, masterSysvars: "sync_binlog=1" } },
    () => Promise.reject(new Error("Access denied (password Live-Secret-9)\nstack...")),
  );
  assert.deepEqual(lines(findings), [
    "mysql: live check on localhost:3306 failed: Access denied (password ******)",
  ]);
  assert.ok(!JSON.stringify(findings).includes("Live-Secret-9"));
});

Deno.test("TLS: every node serves and checks it, or none does", () => {
  const tls = (server: Record<string, string>) => lines(checkConfig(withChange("server", server)));
  const all = { "tls-cert": "/etc/xenon/node.pem", "tls-key": "/etc/xenon/node.key" };
  assert.deepEqual(tls({ ...all, "tls-ca": "/etc/xenon/ca.pem" }), []);
  assert.deepEqual(tls({ "tls-cert": all["tls-cert"], "tls-ca": "/etc/xenon/ca.pem" }), [
    "server.tls-key: empty while server.tls-cert is set; set both, or neither",
  ]);
  assert.deepEqual(tls(all), [
    "server.tls-ca: empty while this node serves TLS (tls-cert, tls-key): it would call its " +
    "peers in plain HTTP, which they refuse; set the CA file that signed every node's certificate",
  ]);
  assert.deepEqual(tls({ "tls-ca": "/etc/xenon/ca.pem" }), [
    "server.tls-cert: empty while server.tls-ca is set: this node would call its peers over " +
    "HTTPS but answer them in plain HTTP; give every node a certificate (tls-cert) and key " +
    "(tls-key)",
  ]);
});

Deno.test("live check on MySQL: the compiled default comes from performance_schema (no information_schema.SYSTEM_VARIABLES)", async () => {
  const { config } = parseConfig(withChange("mysql", { "master-sysvars": "sync_binlog=default" }));
  const calls: string[] = [];
  const findings = await checkConfigLive(config, (sql) => {
    calls.push(sql);
    if (sql.startsWith("SHOW")) {
      return Promise.resolve([{ Variable_name: "sync_binlog", Value: "0" }]);
    }
    if (sql.includes("information_schema.SYSTEM_VARIABLES")) {
      return Promise.reject(new Error("Unknown table 'SYSTEM_VARIABLES' in information_schema"));
    }
    return Promise.resolve([{ d: "0" }]); // still compiled in, and 0
  });
  assert.deepEqual(lines(findings), [
    "mysql.master-sysvars: sync_binlog=default is 0 on localhost:3306: the primary can lose acknowledged transactions if its host crashes; use sync_binlog=1",
  ]);
  assert.match(calls.at(-1)!, /performance_schema\.variables_info .*VARIABLE_SOURCE = 'COMPILED'/);
});
