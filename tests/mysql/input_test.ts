import assert from "node:assert/strict";
import { MysqlInputError } from "../../src/mysql/errors.ts";
import { account, grantTarget, sysvarName, sysvarValue } from "../../src/mysql/escape.ts";
import { describeSql } from "../../src/mysql/session.ts";
import { parseSetGlobal, parseSysvarProfile } from "../../src/mysql/sysvars.ts";
import { parsePrivileges, parseSsl } from "../../src/mysql/users.ts";
import { purgeTarget } from "../../src/mysql/purge.ts";
import { majority } from "../../src/lib/quorum.ts";
import { requiredAcks } from "../../src/mysql/semisync.ts";
import { isClientThread } from "../../src/mysql/fence.ts";

Deno.test("requiredAcks() is voters minus majority for 1..7 voters", () => {
  const expected = [0, 0, 1, 1, 2, 2, 3];
  for (let n = 1; n <= 7; n++) {
    assert.equal(requiredAcks(n), expected[n - 1], `${n} voters`);
    // Every acknowledged write (primary + K) meets every electing majority.
    assert.ok(requiredAcks(n) + 1 + majority(n) > n);
  }
  assert.throws(() => requiredAcks(0), MysqlInputError);
});

Deno.test("escaping keeps quotes and backslashes inside literals", () => {
  assert.equal(account("o'brien", "%"), "'o\\'brien'@'%'");
  assert.equal(account("a\\", "h"), "'a\\\\'@'h'");
  assert.equal(grantTarget("we`ird", "database"), "`we``ird`");
  assert.equal(grantTarget("", "table"), "*");
  assert.throws(() => account("", "%"), /user name is empty/);
  assert.throws(() => account("u", ""), /host is empty/);
});

Deno.test("sysvar names are checked and values escaped", () => {
  assert.equal(sysvarName("Sync_Binlog"), "sync_binlog");
  for (const bad of ["a;DROP", "x y", "1abc", "a=b", ""]) {
    assert.throws(() => sysvarName(bad), MysqlInputError);
  }
  assert.equal(sysvarValue("1000"), "1000");
  assert.equal(sysvarValue("default"), "DEFAULT");
  assert.equal(sysvarValue("on"), "ON");
  assert.equal(sysvarValue("'AFTER_SYNC'"), "'AFTER_SYNC'");
  assert.equal(sysvarValue("x'; DROP TABLE t; --"), "'x\\'; DROP TABLE t; --'");
});

Deno.test("parseSysvarProfile() reads name=value;… and names a bad item", () => {
  assert.deepEqual(parseSysvarProfile("sync_binlog=default; innodb_flush_log_at_trx_commit=2;"), [
    { name: "sync_binlog", value: "default" },
    { name: "innodb_flush_log_at_trx_commit", value: "2" },
  ]);
  assert.deepEqual(parseSysvarProfile(""), []);
  assert.throws(
    () => parseSysvarProfile("sync_binlog"),
    /sysvar item "sync_binlog" is not name=value/,
  );
  assert.throws(() => parseSysvarProfile("a b=1"), /system variable name "a b" is not valid/);
});

Deno.test("parseSetGlobal() requires SET GLOBAL", () => {
  assert.deepEqual(parseSetGlobal("set global sync_binlog = 1;"), {
    name: "sync_binlog",
    value: "1",
  });
  assert.throws(() => parseSetGlobal("DROP TABLE x"), /is not a SET GLOBAL statement/);
});

Deno.test("privileges are validated against the original's list", () => {
  assert.deepEqual(parsePrivileges("select, insert,lock  tables,"), [
    "SELECT",
    "INSERT",
    "LOCK TABLES",
  ]);
  assert.throws(() => parsePrivileges("SELECT,SUPER"), /privilege "SUPER" not allowed/);
  assert.throws(() => parsePrivileges("SELECT; DROP"), /not allowed/);
  assert.throws(() => parsePrivileges(" , "), /no privileges given/);
  assert.equal(parseSsl("yes"), true);
  assert.equal(parseSsl("NO"), false);
  assert.throws(() => parseSsl("maybe"), /ssl must be YES or NO/);
});

Deno.test("purgeTarget() is the oldest member file, or nothing when one is unknown", () => {
  assert.equal(
    purgeTarget(["mysql-bin.000010", "mysql-bin.000009", "mysql-bin.000100"]),
    "mysql-bin.000009",
  );
  assert.equal(purgeTarget(["mysql-bin.000010", ""]), null);
  assert.equal(purgeTarget([]), null);
});

Deno.test("describeSql() masks literals, so passwords never reach messages", () => {
  const text = describeSql("CHANGE MASTER TO\n  MASTER_PASSWORD = 'se\\'cret'");
  assert.equal(text, "CHANGE MASTER TO");
  assert.equal(
    describeSql("ALTER USER 'a'@'%' IDENTIFIED BY 'pw'"),
    "ALTER USER '…'@'…' IDENTIFIED BY '…'",
  );
});

Deno.test("isClientThread() spares replication, system and kept threads", () => {
  const keep = new Set([7]);
  assert.equal(isClientThread({ id: 9, user: "app", command: "Sleep" }, keep), true);
  assert.equal(isClientThread({ id: 7, user: "root", command: "Query" }, keep), false);
  assert.equal(isClientThread({ id: 3, user: "repl", command: "Binlog Dump" }, keep), false);
  assert.equal(isClientThread({ id: 4, user: "system user", command: "Slave_SQL" }, keep), false);
  assert.equal(isClientThread({ id: 5, user: "event_scheduler", command: "Daemon" }, keep), false);
});
