/**
 * Sessions waiting for semi-sync acknowledgements that no replica will send (an old primary cut
 * off from its replicas) must never be acknowledged: killing one can release its whole binlog
 * group commit with OK, and turning semi-sync off releases them all with OK. Fence and change
 * master refuse; only a hard stop ends them, with a lost connection.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { startCluster } from "../harness/mod.ts";
import {
  AcksPendingError,
  changeMaster,
  fence,
  openMysql,
  semiSyncWaiters,
  shutdownFromSql,
} from "../../src/mysql/mod.ts";
import { REPL_PASSWORD, REPL_USER, ROOT_PASSWORD } from "../harness/mod.ts";

Deno.test("commits waiting for acks are never released: fence and change master refuse, SQL shutdown cuts them", async () => {
  await using cluster = await startCluster(2);
  await cluster.replicate(0);
  const [primary, replica] = cluster.nodes;
  await primary.query("SET GLOBAL rpl_semi_sync_master_timeout = 100000000");
  await primary.query("CREATE DATABASE app");
  await primary.query("CREATE TABLE app.t (id INT PRIMARY KEY)");
  await primary.query("CREATE USER app@'%' IDENTIFIED BY 'app-password'");
  await primary.query("GRANT INSERT ON app.* TO app@'%'");
  await replica.query("STOP SLAVE IO_THREAD");

  const clients = await Promise.all([1, 2, 3].map(() =>
    mysql.createConnection({
      host: primary.host,
      port: primary.port,
      user: "app",
      password: "app-password",
    })
  ));
  const outcomes = clients.map((c, i) =>
    c.query(`INSERT INTO app.t VALUES (${i + 1})`).then(() => "OK", (e) => `error ${e.code}`)
  );
  await using db = await openMysql({
    host: primary.host,
    port: primary.port,
    user: "root",
    password: ROOT_PASSWORD,
  });
  for (let i = 0; i < 100 && await semiSyncWaiters(db.session, db.flavor) === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(await semiSyncWaiters(db.session, db.flavor) > 0, "the inserts wait for acks");

  await assert.rejects(() => fence(db, { budgetMs: 400 }), AcksPendingError);
  await using admin = await openMysql({
    host: primary.host,
    port: primary.port,
    user: "root",
    password: ROOT_PASSWORD,
  });
  await assert.rejects(
    () =>
      changeMaster(admin, {
        host: replica.host,
        port: replica.port,
        user: REPL_USER,
        password: REPL_PASSWORD,
      }),
    AcksPendingError,
  );
  const settled = await Promise.race([
    Promise.all(outcomes).then(() => "settled"),
    new Promise((r) => setTimeout(() => r("still waiting"), 200)),
  ]);
  assert.equal(settled, "still waiting", "nothing acknowledged the waiting inserts");

  await shutdownFromSql(admin);
  assert.deepEqual(await Promise.all(outcomes), Array(3).fill("error PROTOCOL_CONNECTION_LOST"));
  for (const c of clients) c.destroy();
  await cluster.stop();
});
