/**
 * What a MariaDB crash restart with `--init-rpl-role=SLAVE` keeps (F17): its recovery rolls back
 * every transaction not committed in InnoDB and truncates the binlog from the first of them.
 * With a binlog and innodb_flush_log_at_trx_commit=1, InnoDB leaves a commit record in memory
 * (the binlog alone could recover it), so a kill right after a commit returned can cut that
 * commit; at 3 the record is flushed before the commit returns. A promote raises 1 to 3
 * (`keepReturnedCommits`); each round here starts at 1, as master-sysvars commonly set it.
 */
import assert from "node:assert/strict";
import { keepReturnedCommits, openMysql } from "../../src/mysql/mod.ts";
import { supervisedInstance, waitFor } from "./_supervised.ts";

const ROUNDS = 3;
const COMMITS = 40;

/** Rows committed and the rows left after each kill -9 and truncating restart. */
async function commitsAfterCrashes(): Promise<{ committed: number; kept: number }> {
  await using supervised = await supervisedInstance();
  const { node, mysqld, login, ready } = supervised;
  // mysqld_safe restarts a killed mysqld with the same arguments, this flag included.
  await mysqld.start({ initRplRole: "SLAVE" });
  await waitFor("mysqld accepting connections", ready);
  await node.query("SET GLOBAL read_only = 0");
  await node.query("CREATE DATABASE crash");
  await node.query("CREATE TABLE crash.acked (id INT PRIMARY KEY) ENGINE=InnoDB");
  let committed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await node.query("SET GLOBAL read_only = 0");
    await node.query("SET GLOBAL innodb_flush_log_at_trx_commit = 1");
    {
      await using db = await openMysql(login);
      assert.match(
        await keepReturnedCommits(db) ?? "",
        /^innodb_flush_log_at_trx_commit 1 -> 3: /,
      );
      assert.equal(await keepReturnedCommits(db), null, "already 3");
    }
    const [server] = mysqld.processes().server;
    const conn = await node.connect();
    try {
      for (let i = 0; i < COMMITS; i++) {
        await conn.query("INSERT INTO crash.acked VALUES (?)", [++committed]);
      }
      // Killed the moment the last commit returned, as a host's mysqld dies under load.
      Deno.kill(server, "SIGKILL");
    } finally {
      conn.destroy();
    }
    await waitFor("the killed mysqld gone", () => !mysqld.processes().server.includes(server));
    await waitFor("mysqld restarted", ready);
  }
  const [row] = await node.query<{ n: number }>("SELECT COUNT(*) AS n FROM crash.acked");
  return { committed, kept: Number(row.n) };
}

Deno.test("a truncating crash restart keeps every commit made after keepReturnedCommits", async () => {
  const r = await commitsAfterCrashes();
  assert.equal(r.kept, r.committed, `${r.committed - r.kept} returned commits truncated`);
});
