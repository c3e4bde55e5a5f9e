/**
 * What a real MySQL server would reject, from the MySQL 5.7/8.0/8.4 manuals (no MySQL server runs
 * here: these pin the text the agent sends; tests/mysql/testdata holds the golden SQL).
 */
import assert from "node:assert/strict";
import { MysqlInputError } from "../../src/mysql/errors.ts";
import { FLAVORS } from "../../src/mysql/flavor.ts";
import {
  createReplicationUser,
  waitForPosition,
  withSuperReadOnlyLifted,
} from "../../src/mysql/sql.ts";
import { userWithGrantsStatements } from "../../src/mysql/users.ts";
import { semiSyncPlugins } from "../../src/mysql/semisync_plugins.ts";

Deno.test("the replication user is created with super_read_only lifted around it, read_only kept (5.7 manual 5.1.7, error 1290)", () => {
  for (const id of ["mysql57", "mysql80", "mysql84"] as const) {
    const statements = withSuperReadOnlyLifted(FLAVORS[id], createReplicationUser("repl", "pw"));
    assert.equal(statements[0], "SET GLOBAL super_read_only = 0", id);
    assert.equal(statements.at(-1), "SET GLOBAL super_read_only = 1", id);
    assert.ok(!statements.some((s) => /\bread_only = 0/.test(s) && !s.includes("super")), id);
  }
  assert.deepEqual(
    withSuperReadOnlyLifted(FLAVORS.mariadb, ["CREATE USER x"]),
    ["CREATE USER x"],
    "MariaDB has no super_read_only",
  );
});

Deno.test("WAIT_FOR_EXECUTED_GTID_SET gets whole seconds, at least 1 (5.7 manual 12.18: 0 waits forever)", () => {
  for (const id of ["mysql57", "mysql80", "mysql84"] as const) {
    assert.match(waitForPosition(FLAVORS[id], "u:1-5", 0.3), /, 1\) AS rc$/, id);
    assert.match(waitForPosition(FLAVORS[id], "u:1-5", 0), /, 1\) AS rc$/, id);
    assert.match(waitForPosition(FLAVORS[id], "u:1-5", 2.9), /, 2\) AS rc$/, id);
  }
  assert.match(waitForPosition(FLAVORS.mariadb, "0-1-5", 0.3), /, 0\.3\) AS rc$/);
});

Deno.test("createuserwithgrants refuses global-only privileges on one database before creating anything (error 1221)", () => {
  const user = { user: "app", host: "%", password: "pw", ssl: "NO", table: "*" };
  for (
    const privilege of [
      "PROCESS",
      "RELOAD",
      "SHOW DATABASES",
      "REPLICATION SLAVE",
      "REPLICATION CLIENT",
    ]
  ) {
    assert.throws(
      () =>
        userWithGrantsStatements({ ...user, database: "db", privileges: `SELECT,${privilege}` }),
      (e: unknown) =>
        e instanceof MysqlInputError &&
        e.message.startsWith(`${privilege} can only be granted on *.* (global privileges)`),
      privilege,
    );
  }
  assert.equal(
    userWithGrantsStatements({ ...user, database: "*", privileges: "SELECT,PROCESS" })[1],
    "GRANT SELECT, PROCESS ON *.* TO 'app'@'%'",
  );
});

Deno.test("semi-sync plugins: source and replica probed separately, mixed names allowed, the missing one named with its plugin-load-add line (8.0 manual 19.4.10.1)", () => {
  const names = (...n: string[]) => new Set(n.map((x) => `${x}_enabled`));
  const mixed = semiSyncPlugins(
    FLAVORS.mysql84,
    names("rpl_semi_sync_master", "rpl_semi_sync_replica"),
  );
  assert.equal(mixed.missing, null);
  assert.equal(mixed.flavor.semiSyncSource, "rpl_semi_sync_master");
  assert.equal(mixed.flavor.semiSyncReplica, "rpl_semi_sync_replica");
  assert.equal(mixed.flavor.waitCountVariable, "rpl_semi_sync_master_wait_for_slave_count");
  const modern = semiSyncPlugins(FLAVORS.mysql84, names("rpl_semi_sync_source"));
  assert.equal(modern.flavor.semiSyncSource, "rpl_semi_sync_source");
  assert.match(
    modern.missing ?? "",
    /^semi-sync plugin semisync_replica\.so not loaded .*add plugin-load-add=semisync_replica\.so to my\.cnf \[mysqld\]/,
  );
  const old = semiSyncPlugins(FLAVORS.mysql57, names("rpl_semi_sync_slave"));
  assert.match(
    old.missing ?? "",
    /semisync_master\.so not loaded.*plugin-load-add=semisync_master\.so/,
  );
  const none = semiSyncPlugins(FLAVORS.mysql80, new Set());
  assert.match(none.missing ?? "", /semisync_master\.so and semisync_slave\.so/);
  assert.equal(semiSyncPlugins(FLAVORS.mariadb, new Set()).missing, null, "built into MariaDB");
  assert.equal(
    semiSyncPlugins(FLAVORS.mysql57, names("rpl_semi_sync_master", "rpl_semi_sync_slave")).missing,
    null,
  );
});
