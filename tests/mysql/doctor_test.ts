import assert from "node:assert/strict";
import { diagnose, doctorVariables } from "../../src/mysql/doctor.ts";
import { findErrant } from "../../src/mysql/errant.ts";
import { FLAVORS } from "../../src/mysql/flavor.ts";
import { mycnfReadOnly, mycnfValue } from "../../src/mysql/mycnf.ts";
import { PositionError } from "../../src/gtid/mod.ts";

const MARIADB_DEFAULTS = new Map([
  ["rpl_semi_sync_master_enabled", "ON"],
  ["rpl_semi_sync_master_wait_point", "AFTER_COMMIT"],
  ["rpl_semi_sync_master_timeout", "10000"],
  ["rpl_semi_sync_slave_enabled", "OFF"],
  ["sync_binlog", "0"],
  ["innodb_flush_log_at_trx_commit", "1"],
  ["relay_log_recovery", "OFF"],
  ["binlog_format", "MIXED"],
  ["log_bin", "ON"],
  ["log_slave_updates", "OFF"],
  ["gtid_strict_mode", "OFF"],
]);

const MARIADB_LOSSLESS = new Map([
  ...MARIADB_DEFAULTS,
  ["rpl_semi_sync_master_wait_point", "AFTER_SYNC"],
  ["rpl_semi_sync_master_timeout", "1000000000000000000"],
  ["sync_binlog", "1"],
  ["gtid_strict_mode", "ON"],
  ["relay_log_recovery", "ON"],
  ["binlog_format", "ROW"],
  ["log_slave_updates", "ON"],
  ["slave_parallel_threads", "4"],
  ["slave_parallel_mode", "optimistic"],
]);

Deno.test("diagnose() names AFTER_COMMIT, a finite timeout and sync_binlog=0 at MariaDB defaults", () => {
  const r = diagnose(MARIADB_DEFAULTS, { flavor: FLAVORS.mariadb, voters: 3, role: "leader" });
  assert.equal(r.lossless, false);
  const errors = r.findings.filter((f) => f.severity === "error").map((f) => f.setting);
  assert.deepEqual(errors, [
    "rpl_semi_sync_master_wait_point",
    "rpl_semi_sync_master_timeout",
    "sync_binlog",
    "gtid_strict_mode",
  ]);
  assert.match(
    r.guarantee,
    /^acknowledged writes can be lost: rpl_semi_sync_master_wait_point=AFTER_COMMIT/,
  );
  for (const f of r.findings) assert.ok(f.fix.length > 0 && !f.fix.includes("\n"));
});

Deno.test("diagnose() states the lossless sentence once fixed", () => {
  const r = diagnose(MARIADB_LOSSLESS, {
    flavor: FLAVORS.mariadb,
    voters: 3,
    role: "leader",
    mycnfReadOnly: true,
  });
  assert.deepEqual(r.findings, []);
  assert.equal(r.guarantee, "acknowledged writes survive the loss of any 1 of 3 nodes");
  assert.equal(r.lossless, true);
});

Deno.test("diagnose() says MariaDB cannot wait for 2 acknowledgements with 5 voters", () => {
  const r = diagnose(MARIADB_LOSSLESS, { flavor: FLAVORS.mariadb, voters: 5, role: "leader" });
  assert.equal(r.lossless, false);
  assert.match(r.findings[0].problem, /waits for one acknowledgement; 5 voters need 2/);
});

Deno.test("diagnose() checks the wait count on MySQL and the replica role", () => {
  const vars = new Map([
    ["rpl_semi_sync_source_wait_point", "AFTER_SYNC"],
    ["rpl_semi_sync_source_timeout", "1000000000000000000"],
    ["rpl_semi_sync_replica_enabled", "OFF"],
    ["rpl_semi_sync_source_wait_for_replica_count", "1"],
    ["sync_binlog", "1"],
    ["innodb_flush_log_at_trx_commit", "1"],
    ["log_bin", "ON"],
    ["gtid_mode", "ON"],
    ["enforce_gtid_consistency", "ON"],
    ["relay_log_recovery", "ON"],
    ["binlog_format", "ROW"],
    ["log_replica_updates", "ON"],
    ["replica_parallel_workers", "4"],
    ["replica_preserve_commit_order", "ON"],
  ]);
  const r = diagnose(vars, { flavor: FLAVORS.mysql84, voters: 5, role: "replica" });
  assert.deepEqual(r.findings.map((f) => f.setting), [
    "rpl_semi_sync_replica_enabled",
    "rpl_semi_sync_source_wait_for_replica_count",
  ]);
  const ok = diagnose(
    new Map([...vars, ["rpl_semi_sync_replica_enabled", "ON"], [
      "rpl_semi_sync_source_wait_for_replica_count",
      "2",
    ]]),
    { flavor: FLAVORS.mysql84, voters: 5, role: "replica" },
  );
  assert.equal(ok.guarantee, "acknowledged writes survive the loss of any 2 of 5 nodes");
  assert.ok(doctorVariables(FLAVORS.mysql84).includes("gtid_mode"));
});

Deno.test("diagnose() for 1 and 2 voters needs no semi-sync and says what tolerates a loss", () => {
  const r = diagnose(MARIADB_LOSSLESS, { flavor: FLAVORS.mariadb, voters: 2, role: "leader" });
  assert.equal(
    r.guarantee,
    "acknowledged writes survive the loss of any 0 of 2 nodes (3 voters tolerate the loss of 1)",
  );
});

Deno.test("diagnose() recommends parallel apply in commit order, a warning, not a loss", () => {
  const single = new Map([
    ...MARIADB_LOSSLESS,
    ["slave_parallel_threads", "0"],
    ["slave_parallel_mode", "conservative"],
  ]);
  const r = diagnose(single, { flavor: FLAVORS.mariadb, voters: 3, role: "leader" });
  assert.equal(r.lossless, true);
  assert.deepEqual(r.findings.map((f) => [f.severity, f.setting, f.expected]), [
    ["warning", "slave_parallel_threads", "4"],
    ["warning", "slave_parallel_mode", "optimistic"],
  ]);
  assert.match(r.findings[0].problem, /one SQL thread applies the relay log/);
  const two = new Map([...MARIADB_LOSSLESS, ["slave_parallel_threads", "2"]]);
  assert.deepEqual(
    diagnose(two, { flavor: FLAVORS.mariadb, voters: 3, role: "leader" }).findings,
    [],
  );
  const mysql57 = diagnose(new Map(), { flavor: FLAVORS.mysql57, voters: 3, role: "replica" });
  const parallel = mysql57.findings.filter((f) => f.setting.startsWith("slave_p"));
  assert.deepEqual(parallel.map((f) => `${f.setting}=${f.expected}`), [
    "slave_parallel_type=LOGICAL_CLOCK",
    "slave_parallel_workers=4",
    "slave_preserve_commit_order=ON",
  ]);
});

Deno.test("diagnose() warns when my.cnf leaves read_only off", () => {
  const r = diagnose(MARIADB_LOSSLESS, {
    flavor: FLAVORS.mariadb,
    voters: 3,
    role: "leader",
    mycnfReadOnly: false,
  });
  assert.equal(r.lossless, true);
  assert.equal(r.findings[0].setting, "read_only (my.cnf)");
});

Deno.test("mycnfReadOnly() reads the server sections only", () => {
  assert.equal(mycnfReadOnly("[mysqld]\nread_only\n"), true);
  assert.equal(mycnfReadOnly("[mysqld]\nread-only = ON # keep\n"), true);
  assert.equal(mycnfReadOnly("[client]\nread_only=1\n[mysqld]\nport=1\n"), false);
  assert.equal(mycnfReadOnly("[mariadb]\nread_only=1\n[mysqld]\nread_only=0\n"), false);
  assert.equal(mycnfValue('[server]\nlog-bin = "/x/y"\n', "log_bin"), "/x/y");
});

Deno.test("findErrant() detects extra MySQL GTIDs and MariaDB divergence", () => {
  const u = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  const v = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
  assert.deepEqual(findErrant(FLAVORS.mysql57, `${u}:1-5`, `${u}:1-7`), {
    errant: false,
    detail: "",
  });
  const mysql = findErrant(FLAVORS.mysql80, `${u}:1-5,${v}:1`, `${u}:1-7`);
  assert.equal(mysql.errant, true);
  assert.match(mysql.detail, new RegExp(`${v}:1`));
  assert.deepEqual(findErrant(FLAVORS.mariadb, "0-1-5", "0-1-7"), { errant: false, detail: "" });
  const ahead = findErrant(FLAVORS.mariadb, "0-2-8", "0-1-7");
  assert.equal(ahead.errant, true);
  // Same domain and seq_no from different servers: alternate histories.
  const diverged = findErrant(FLAVORS.mariadb, "0-1-5", "0-2-5");
  assert.match(diverged.detail, /domain 0: 0-1-5 vs leader 0-2-5 \(diverged\)/);
  assert.throws(() => findErrant(FLAVORS.mariadb, "0-1-x", "0-1-5"), PositionError);
  assert.throws(() => findErrant(FLAVORS.mysql80, "nonsense", ""), PositionError);
});
