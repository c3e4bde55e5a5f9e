/**
 * An agent restarted over a MySQL it cannot fence softly: commits wait for semi-sync
 * acknowledgements (so SET GLOBAL read_only blocks) and clients hold every connection but the
 * one a SUPER account may still open (so the sessions blocking it cannot be looked at or ended).
 * As after a runtime fence failure (src/node/local_fence.ts), it stops its mysqld hard and comes
 * up read-only, instead of exiting and leaving a possibly writable MySQL without an agent.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { assertNoLeaks } from "../harness/mod.ts";
import { globalVar, startE2ECluster, waitFor } from "./_cluster.ts";

const FILLER = { user: "filler", password: "filler-password-42" };

Deno.test("restarted agent: a MySQL out of connections with commits waiting for acks is stopped hard and comes up read-only", async () => {
  const fillers: mysql.Connection[] = [];
  {
    await using cluster = await startE2ECluster(1, { supervised: true });
    const [agent] = cluster.agents;
    const node = agent.instance;
    await cluster.waitAnswering(agent);
    await agent.kill("SIGKILL");
    await node.query("CREATE DATABASE IF NOT EXISTS app");
    await node.query("CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY)");
    await node.query(`CREATE USER '${FILLER.user}'@'%' IDENTIFIED BY '${FILLER.password}'`);
    await node.query(`GRANT INSERT ON app.* TO '${FILLER.user}'@'%'`);
    // Semi-sync with no replica: every commit waits for an acknowledgement that never comes.
    await node.query("SET GLOBAL rpl_semi_sync_master_timeout = 3600000");
    await node.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
    await node.query("SET GLOBAL read_only = 0");
    await node.query("SET GLOBAL max_connections = 4");
    for (let id = 1; id <= 10; id++) {
      const conn = await mysql.createConnection({ host: node.host, port: node.port, ...FILLER })
        .catch(() => null);
      if (conn === null) break; // out of connections: only a SUPER account gets one more
      fillers.push(conn);
      conn.query("INSERT INTO app.t VALUES (?)", [id]).catch(() => {});
    }
    assert.ok(fillers.length >= 3, `only ${fillers.length} client connections`);
    const before = (await Deno.readTextFile(agent.logPath)).length;
    agent.start();
    const logged = (text: string) =>
      Deno.readTextFile(agent.logPath).then((log) => log.slice(before).includes(text), () => false);
    await waitFor("the agent to fence at startup, or to give up", async () => {
      if (await logged("error: fence")) return true;
      return await logged("read-only at startup") ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, explain: () => cluster.logTail(agent, 5) });
    assert.ok(!await logged("error: fence"), `the agent exited: ${cluster.logTail(agent, 3)}`);
    assert.ok(await logged("stopping mysqld hard"), cluster.logTail(agent, 5));
    assert.equal(await globalVar(node, "read_only"), "1");
  }
  for (const conn of fillers) conn.destroy();
  await assertNoLeaks();
});
