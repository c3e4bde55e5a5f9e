/**
 * Under a global sql_mode with NO_BACKSLASH_ESCAPES, values the agent escapes still mean what they
 * say: a password with ' and \ creates the account it names and replication logs in with it.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { type MariaDBInstance, ROOT_PASSWORD, startCluster } from "../harness/mod.ts";
import {
  changeMaster,
  createNormalUser,
  ensureReplicationUser,
  openMysql,
  readStatus,
} from "../../src/mysql/mod.ts";
import { withMysql } from "../../src/cli/mysql_session.ts";

const TRICKY = "it's a \\'quoted\\' pass\\word\\";

function optionsOf(node: MariaDBInstance) {
  return { host: node.host, port: node.port, user: "root", password: ROOT_PASSWORD };
}

async function logsIn(node: MariaDBInstance, user: string, password: string): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ host: node.host, port: node.port, user, password });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

Deno.test("a password with ' and \\ works under a global NO_BACKSLASH_ESCAPES", async () => {
  await using cluster = await startCluster(2, {
    mysqld: { sql_mode: "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES" },
  });
  const [n0, n1] = cluster.nodes;
  const [mode] = await n0.query<{ m: string }>("SELECT @@GLOBAL.sql_mode AS m");
  assert.match(mode.m, /NO_BACKSLASH_ESCAPES/, "the server runs with the mode under test");

  await using primary = await openMysql(optionsOf(n0));
  await createNormalUser(primary, { user: "app", host: "%", password: TRICKY, ssl: "NO" });
  assert.ok(await logsIn(n0, "app", TRICKY), "the account has exactly the password given");

  await ensureReplicationUser(primary, { user: "repl_q", password: TRICKY });
  await using replica = await openMysql(optionsOf(n1));
  await changeMaster(replica, { host: n0.host, port: n0.port, user: "repl_q", password: TRICKY });
  const deadline = Date.now() + 10_000;
  let replicating = false;
  while (!replicating && Date.now() < deadline) {
    replicating = (await readStatus(replica)).replica?.ioRunning === true;
    if (!replicating) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(replicating, "the replica logged in to the primary with the replication password");

  const [session] = await primary.session.query("SELECT @@SESSION.sql_mode AS m");
  // (The driver's IGNORE_SPACE client flag adds that mode to every session.)
  assert.deepEqual(
    String(session.m).split(",").filter((m) => m !== "IGNORE_SPACE"),
    ["STRICT_TRANS_TABLES"],
    "only NO_BACKSLASH_ESCAPES is dropped",
  );

  const found = await withMysql(
    { host: n0.host, port: n0.port, admin: "root", passwd: ROOT_PASSWORD },
    2000,
    (query) => query("SHOW GLOBAL VARIABLES LIKE ?", ["sync\\_binlog"]),
  );
  assert.equal(found.length, 1, "config check --live finds sync_binlog by its escaped name");
  await cluster.stop();
});
