/**
 * Golden SQL text of every operation for every flavor. The files in testdata/ are the reviewed
 * text; regenerate with `UPDATE_GOLDEN=1 deno test -A tests/mysql/sql_golden_test.ts` and review
 * the diff. MySQL flavors are tested only here (no MySQL server on this machine).
 */
import assert from "node:assert/strict";
import { type FlavorId, FLAVORS } from "../../src/mysql/flavor.ts";
import * as sql from "../../src/mysql/sql.ts";
import { doctorVariables } from "../../src/mysql/doctor.ts";
import { gtidPurgedStatements } from "../../src/mysql/gtid_purged.ts";
import { SEMI_SYNC_PLUGIN_PROBE } from "../../src/mysql/semisync_plugins.ts";
import { userWithGrantsStatements } from "../../src/mysql/users.ts";

const TARGET = { host: "10.0.0.2", port: 3306, user: "repl", password: "pa'ss\\word" };

function render(id: FlavorId): string {
  const f = FLAVORS[id];
  const ops: [string, string | string[]][] = [
    ["status: replica", sql.replicaStatus(f)],
    ["status: positions", sql.positions(f)],
    ["status: server", sql.serverState(f)],
    ["read-only on", sql.readOnly(f, true)],
    ["read-only off", sql.readOnly(f, false)],
    ["read-only exempt accounts", sql.readOnlyExemptAccounts(f) ?? "(none: super_read_only)"],
    ["sysvar", sql.setGlobal("sync_binlog", "1")],
    ["sysvar keyword", sql.setGlobal("tokudb_fsync_log_period", "default")],
    ["sysvar string", sql.setGlobal("rpl_semi_sync_master_wait_point", "AFTER_SYNC")],
    ["start replica", sql.startReplica(f)],
    ["stop replica", sql.stopReplica(f)],
    ["start io thread", sql.startIoThread(f)],
    ["stop io thread", sql.stopIoThread(f)],
    ["reset replica", sql.resetReplicaAll(f)],
    ["change source", sql.changeSource(f, TARGET)],
    ["change source (former primary)", sql.changeSource(f, { ...TARGET, useGtid: "current_pos" })],
    ["catch up", sql.waitForPosition(f, f.gtid === "mariadb" ? "0-1-42" : "uuid:1-5", 2.5)],
    ["semi-sync leader 3 voters", sql.semiSyncLeader(f, 1)],
    ["semi-sync leader 5 voters", sql.semiSyncLeader(f, 2)],
    ["semi-sync leader 1 voter", sql.semiSyncLeader(f, 0)],
    ["semi-sync replica", sql.semiSyncReplica(f)],
    ["semi-sync replica, not acking (idle member)", sql.semiSyncReplica(f, false)],
    ["semi-sync waiting sessions", sql.semiSyncWaitSessions(f)],
    ["semi-sync leader status", sql.semiSyncLeaderStatus(f)],
    ["process list", sql.processList()],
    ["shutdown", sql.shutdownServer()],
    ["kill connection", sql.killConnection(42)],
    ["kill query", sql.killQuery(42)],
    ["binary logs", sql.binaryLogs()],
    ["purge", sql.purgeBinaryLogsTo("mysql-bin.000007")],
    ["replication user", sql.createReplicationUser("repl", "r'pw")],
    ["user exists", sql.userExists("repl", "%")],
    ["list users", sql.listUsers()],
    ["create user", sql.createUser("app", "%", "s3cr'et", false)],
    ["create user ssl", sql.createUser("app", "10.%", "pw", true)],
    ["drop user", sql.dropUser("app", "%")],
    ["change password", sql.changePassword("app", "%", "n3w")],
    [
      "grant",
      sql.grant(["SELECT", "INSERT"], { database: "`db`", table: "*" }, {
        user: "app",
        host: "%",
      }),
    ],
    ["doctor variables", sql.globalVariables(doctorVariables(f))],
    [
      "parallel apply (my.cnf)",
      Object.entries(f.parallelApply).map(([name, value]) => `${name}=${value}`),
    ],
    [
      "replication user, right after the start-up fence",
      sql.withSuperReadOnlyLifted(f, sql.createReplicationUser("repl", "r'pw")),
    ],
    ["catch up, deadline under a second", sql.waitForPosition(f, "uuid:1-5", 0.3)],
    ["gtid-purged on a fresh server", gtidPurgedStatements(f, "uuid:1-5")],
    ["semi-sync plugins loaded", SEMI_SYNC_PLUGIN_PROBE],
    [
      "createuserwithgrants on one database",
      userWithGrantsStatements({
        user: "app",
        host: "%",
        password: "pw",
        ssl: "NO",
        database: "db",
        table: "",
        privileges: "SELECT,INSERT",
      }),
    ],
  ];
  return ops.map(([name, text]) =>
    `-- ${name}\n${(typeof text === "string" ? [text] : text).join(";\n")};\n`
  ).join("\n");
}

for (const id of Object.keys(FLAVORS) as FlavorId[]) {
  Deno.test(`sql text for ${id} matches testdata/${id}.sql`, async () => {
    const path = new URL(`./testdata/${id}.sql`, import.meta.url);
    const text = render(id);
    if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(path, text);
    assert.equal(text, await Deno.readTextFile(path));
  });
}
