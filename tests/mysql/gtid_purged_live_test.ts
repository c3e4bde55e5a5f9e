/**
 * `replication.gtid-purged` on a fresh MariaDB: replication starts from it (the transactions up
 * to it, in the backup the node was restored from, are not replicated again); a server that
 * already has other GTIDs refuses it in one line.
 */
import assert from "node:assert/strict";
import { REPL_PASSWORD, REPL_USER, ROOT_PASSWORD, startCluster } from "../harness/mod.ts";
import { ConfigError } from "../../src/lib/errors.ts";
import { applyGtidPurged, changeMaster, openMysql } from "../../src/mysql/mod.ts";
import { waitFor } from "../harness/wait.ts";

Deno.test("gtid-purged on a fresh MariaDB: replication starts after it; a server with data refuses it", async () => {
  await using cluster = await startCluster(2);
  const [primary, fresh] = cluster.nodes;
  const connect = (port: number) =>
    openMysql({ host: "127.0.0.1", port, user: "root", password: ROOT_PASSWORD });
  await using source = await connect(primary.port);
  await using replica = await connect(fresh.port);
  const pos = async () =>
    String((await primary.query<{ p: string }>("SELECT @@gtid_binlog_pos AS p"))[0].p);

  for (const n of [1, 2, 3]) await primary.query(`CREATE DATABASE restored${n}`);
  const backupPosition = await pos(); // what xtrabackup_binlog_info would say
  for (const n of [4, 5]) await primary.query(`CREATE DATABASE after${n}`);

  assert.equal(await applyGtidPurged(replica, backupPosition), "applied");
  assert.equal(
    await applyGtidPurged(replica, backupPosition),
    "already",
    "a restart changes nothing",
  );
  await changeMaster(replica, {
    host: "127.0.0.1",
    port: primary.port,
    user: REPL_USER,
    password: REPL_PASSWORD,
  });
  const last = await pos();
  await waitFor("the restored replica to catch up", async () => {
    const rows = await fresh.query<{ p: string }>("SELECT @@gtid_slave_pos AS p");
    return rows[0].p === last ? true : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100 });
  const names = (await fresh.query<{ Database: string }>("SHOW DATABASES"))
    .map((r) => r.Database);
  assert.ok(names.includes("after4") && names.includes("after5"), names.join());
  assert.ok(!names.some((n) => n.startsWith("restored")), "nothing up to gtid-purged replicated");

  // The primary has data of its own: a position it does not include is refused.
  await assert.rejects(
    () => applyGtidPurged(source, "0-1-99"),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^replication\.gtid-purged 0-1-99 cannot be applied: this server already has GTIDs \(0-1-5\)/
        .test(e.message),
  );
  assert.equal(await applyGtidPurged(source, "0-1-2"), "already");
});
