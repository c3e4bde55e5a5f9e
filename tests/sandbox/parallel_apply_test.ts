/**
 * The sandbox's MariaDB profile applies in parallel as `mysql doctor` recommends, and a real
 * mariadbd starts and replicates with it, in commit order.
 */
import assert from "node:assert/strict";
import { FLAVORS } from "../../src/mysql/flavor.ts";
import { LOSSLESS_PROFILE } from "../../src/sandbox/up.ts";
import { assertNoLeaks, startCluster } from "../harness/mod.ts";

Deno.test("the sandbox profile holds the flavor table's parallel apply for MariaDB", () => {
  for (const [name, value] of Object.entries(FLAVORS.mariadb.parallelApply)) {
    assert.equal(String(LOSSLESS_PROFILE[name]), value, name);
  }
});

Deno.test("mariadbd starts with the sandbox profile and applies in parallel, matching the primary", async () => {
  await using cluster = await startCluster(2, { mysqld: LOSSLESS_PROFILE });
  await cluster.replicate();
  const [primary, replica] = cluster.nodes;
  const [vars] = await replica.query<{ threads: number; mode: string }>(
    "SELECT @@slave_parallel_threads AS threads, @@slave_parallel_mode AS mode",
  );
  assert.deepEqual([Number(vars.threads), String(vars.mode)], [4, "optimistic"]);
  await primary.query("CREATE DATABASE app");
  await primary.query("CREATE TABLE app.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  // Eight writers on the same rows: conflicts the optimistic mode must retry, not reorder.
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        await primary.query(
          `INSERT INTO app.t VALUES (${i}, ${w}) ON DUPLICATE KEY UPDATE v = v + ${w}`,
        );
      }
    }),
  );
  const [{ pos }] = await primary.query<{ pos: string }>("SELECT @@gtid_binlog_pos AS pos");
  await cluster.waitForPosition(replica, pos);
  const sum = "SELECT COUNT(*) AS n, SUM(v) AS s FROM app.t";
  const [want] = await primary.query(sum);
  const [got] = await replica.query(sum);
  assert.deepEqual([Number(got.n), Number(got.s)], [Number(want.n), Number(want.s)]);
  const [status] = await replica.query("SHOW SLAVE STATUS");
  assert.equal(status.Parallel_Mode, "optimistic");
  assert.equal(status.Last_SQL_Error, "");
  await cluster.stop();
  await assertNoLeaks();
});
