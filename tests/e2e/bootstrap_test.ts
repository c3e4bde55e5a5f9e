/**
 * The field-notes bootstrap on real daemons and MariaDB: start three agents, `cluster add` on
 * each, and a leader is elected and becomes writable with the master sysvars while the others
 * are read-only and replicate from it with semi-sync.
 */
import assert from "node:assert/strict";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  appConnection,
  globalVar,
  joinAll,
  readOnlyOf,
  startE2ECluster,
  waitFor,
} from "./_cluster.ts";

Deno.test("bootstrap: three agents elect one writable leader, followers replicate semi-sync", async () => {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const followers = cluster.agents.filter((a) => a !== leader);

    assert.equal(await globalVar(leader.instance, "max_connect_errors"), "9999");
    assert.equal(await globalVar(leader.instance, "rpl_semi_sync_master_enabled"), "1");
    for (const f of followers) {
      assert.equal(await readOnlyOf(f.instance), true, `${f.endpoint} must be read-only`);
      await waitFor(`${f.endpoint} to replicate from the leader`, async () => {
        const [s] = await f.instance.query<Record<string, unknown>>("SHOW SLAVE STATUS");
        return s?.Slave_IO_Running === "Yes" && s.Slave_SQL_Running === "Yes" &&
            Number(s.Master_Port) === leader.instance.port
          ? true
          : undefined;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      assert.equal(await globalVar(f.instance, "max_connect_errors"), "8888");
    }
    const nodes = await cluster.call(followers[0], "NodeRPC.GetNodes");
    assert.equal(nodes.leader, leader.endpoint);
    assert.equal(nodes.peers.length, 3);

    await leader.instance.query("CREATE DATABASE app");
    const app = await appConnection(leader.instance);
    try {
      await app.query("CREATE TABLE app.t (id INT PRIMARY KEY)");
      await app.query("INSERT INTO app.t VALUES (1)");
    } finally {
      await app.end();
    }
    const [st] = await leader.instance.query<{ Value: string }>(
      "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_yes_tx'",
    );
    assert.ok(Number(st.Value) >= 1, "commits were acknowledged by a semi-sync replica");
    for (const f of followers) {
      const denied = await appConnection(f.instance);
      try {
        await assert.rejects(denied.query("INSERT INTO app.t VALUES (2)"), /read-only|read_only/i);
      } finally {
        await denied.end();
      }
    }
  }
  await assertNoLeaks();
});
