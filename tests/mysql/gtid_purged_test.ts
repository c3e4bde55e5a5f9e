/** The statements of `replication.gtid-purged` per flavor (MySQL: text only, no server here). */
import assert from "node:assert/strict";
import { FLAVORS } from "../../src/mysql/flavor.ts";
import { gtidPurgedStatements } from "../../src/mysql/gtid_purged.ts";

const SET = "b2c3c5d9-9060-11ec-9817-12c02189a4ce:1-106624";

Deno.test("gtid-purged statements: MariaDB sets gtid_slave_pos; MySQL resets with super_read_only lifted", () => {
  assert.deepEqual(gtidPurgedStatements(FLAVORS.mariadb, "0-1-42"), [
    "SET GLOBAL gtid_slave_pos = '0-1-42'",
  ]);
  for (const id of ["mysql57", "mysql80", "mysql84"] as const) {
    assert.deepEqual(gtidPurgedStatements(FLAVORS[id], SET), [
      "SET GLOBAL super_read_only = 0",
      "RESET MASTER",
      `SET GLOBAL gtid_purged = '${SET}'`,
      "SET GLOBAL super_read_only = 1",
    ], id);
  }
  assert.equal(gtidPurgedStatements(FLAVORS.mysql84, SET, true)[1], "RESET BINARY LOGS AND GTIDS");
  assert.equal(
    gtidPurgedStatements(FLAVORS.mysql80, "x'; DROP TABLE t; --")[2],
    "SET GLOBAL gtid_purged = 'x\\'; DROP TABLE t; --'",
    "the value is escaped",
  );
});
