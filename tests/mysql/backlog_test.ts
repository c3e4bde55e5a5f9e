/** What a replica received but has not applied: bytes and transactions (src/mysql/backlog.ts). */
import assert from "node:assert/strict";
import {
  appliedTransactions,
  relayBacklogBytes,
  relayBacklogTransactions,
} from "../../src/mysql/backlog.ts";
import { openMysql, readStatus } from "../../src/mysql/mod.ts";
import { ROOT_PASSWORD, startCluster } from "../harness/mod.ts";
import { waitFor } from "../harness/wait.ts";

const same = {
  sourceLogFile: "mysql-bin.000003",
  readPos: 9_000,
  relaySourceLogFile: "mysql-bin.000003",
  execPos: 2_500,
  relayLogPos: 3_100,
  relayLogSpace: 12_000,
};

Deno.test("backlog bytes: read minus executed within one source binlog, else the relay logs left", () => {
  assert.equal(relayBacklogBytes(same), 6_500);
  assert.equal(relayBacklogBytes({ ...same, execPos: 9_000 }), 0);
  // The SQL thread is a file behind: the relay logs past its position hold what is left.
  const behind = { ...same, relaySourceLogFile: "mysql-bin.000002" };
  assert.equal(relayBacklogBytes(behind), 8_900);
  assert.equal(relayBacklogBytes({ ...behind, relayLogSpace: null }), null);
  assert.equal(relayBacklogBytes({ ...same, readPos: null }), null);
  assert.equal(relayBacklogBytes({ ...same, sourceLogFile: "", relaySourceLogFile: "" }), null);
});

Deno.test("applied transactions: a count that grows by one per applied transaction", () => {
  assert.equal(appliedTransactions("mariadb", "0-1-120,1-2-7"), 127);
  assert.equal(appliedTransactions("mariadb", ""), 0);
  const uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  assert.equal(appliedTransactions("mysql", `${uuid}:1-5:9`), 6);
  assert.equal(appliedTransactions("mariadb", "garbage"), null);
});

Deno.test("backlog transactions: MariaDB per domain, MySQL received less executed", () => {
  assert.equal(relayBacklogTransactions("mariadb", "0-1-120", "0-1-100"), 20);
  assert.equal(relayBacklogTransactions("mariadb", "0-1-120,1-2-7", "0-1-120,1-2-5"), 2);
  // A domain not applied at all yet counts whole; a replica ahead (its own writes) counts 0.
  assert.equal(relayBacklogTransactions("mariadb", "0-1-3,2-3-4", "0-1-3"), 4);
  assert.equal(relayBacklogTransactions("mariadb", "0-1-3", "0-1-9"), 0);
  const uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  assert.equal(relayBacklogTransactions("mysql", `${uuid}:1-50`, `${uuid}:1-42`), 8);
  assert.equal(relayBacklogTransactions("mariadb", "not a gtid", "0-1-3"), null);
});

Deno.test("backlog on a live replica: 0 when idle or applied; counted while its SQL thread is stopped, a binlog behind too", async () => {
  await using cluster = await startCluster(2);
  await cluster.replicate();
  const [primary, replica] = cluster.nodes;
  const options = {
    host: replica.host,
    port: replica.port,
    user: "root",
    password: ROOT_PASSWORD,
    connectTimeoutMs: 2000,
  };
  await using db = await openMysql(options, { version: "mariadb" });
  // Connected and idle, nothing received since (Gtid_IO_Pos empty): nothing to apply, not unknown.
  const idle = await waitFor("the idle replica's backlog", async () => {
    const r = (await readStatus(db)).replica;
    return r?.ioRunning && r.backlogTransactions !== null ? r : undefined;
  }, { timeoutMs: 5000, intervalMs: 50 });
  assert.deepEqual([idle.received, idle.backlogTransactions, idle.backlogBytes], ["", 0, 0]);
  await primary.query("CREATE DATABASE app");
  await primary.query("CREATE TABLE app.t (id INT PRIMARY KEY)");
  const [{ pos }] = await primary.query<{ pos: string }>("SELECT @@gtid_binlog_pos AS pos");
  await cluster.waitForPosition(replica, pos);
  const applied = (await readStatus(db)).replica;
  assert.equal(applied?.backlogBytes, 0);
  assert.equal(applied?.backlogTransactions, 0);

  await replica.query("STOP SLAVE SQL_THREAD");
  for (let id = 1; id <= 3; id++) await primary.query("INSERT INTO app.t VALUES (?)", [id]);
  const behind = await waitFor("the IO thread to receive 3 transactions", async () => {
    const r = (await readStatus(db)).replica;
    return r?.backlogTransactions === 3 ? r : undefined;
  }, { timeoutMs: 5000, intervalMs: 50 });
  assert.ok((behind.backlogBytes ?? 0) > 0, `backlog bytes ${behind.backlogBytes}`);
  assert.equal(behind.readSourceLogPos !== null && behind.sourceLogFile !== "", true);

  // The source moves to a new binlog while the SQL thread still executes the old one.
  await primary.query("FLUSH BINARY LOGS");
  await primary.query("INSERT INTO app.t VALUES (4)");
  const fileBehind = await waitFor("the IO thread to read the next binlog", async () => {
    const r = (await readStatus(db)).replica;
    return r?.backlogTransactions === 4 && r.sourceLogFile !== r.relaySourceLogFile ? r : undefined;
  }, { timeoutMs: 5000, intervalMs: 50 });
  assert.ok(
    (fileBehind.backlogBytes ?? 0) > (behind.backlogBytes ?? 0),
    `backlog bytes ${fileBehind.backlogBytes} after ${behind.backlogBytes}`,
  );
  await replica.query("START SLAVE SQL_THREAD");
  await cluster.waitForPosition(
    replica,
    (await primary.query<{ pos: string }>(
      "SELECT @@gtid_binlog_pos AS pos",
    ))[0].pos,
  );
  const caughtUp = await waitFor("the backlog to be applied", async () => {
    const r = (await readStatus(db)).replica;
    return r?.backlogTransactions === 0 ? r : undefined;
  }, { timeoutMs: 5000, intervalMs: 50 });
  assert.equal(caughtUp.backlogBytes, 0);
  await cluster.stop();
});
