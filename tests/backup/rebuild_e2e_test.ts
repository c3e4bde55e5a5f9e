/**
 * Rebuilding replicas with real daemons, real mariadbd and mariabackup, and a real sshd on
 * loopback: the field notes' 4th node, and a refusal that touches nothing.
 */
import assert from "node:assert/strict";
import { assertNoLeaks, REPL_PASSWORD, ROOT_PASSWORD } from "../harness/mod.ts";
import { startSshd } from "../harness/sshd.ts";
import { joinAll, startE2ECluster, waitFor } from "../e2e/_cluster.ts";
import { createWorkloadTables, Writer } from "../e2e/_workload.ts";
import {
  addThroughLeader,
  assertSameData,
  backupConfig,
  emptyDatadir,
  watchArgv,
  xenon,
} from "./_rebuild.ts";

const SEED_ROWS = 2000;

Deno.test("rebuild: a 4th node with an empty datadir joins under a continuous writer", async () => {
  {
    await using sshd = await startSshd();
    // The agents run their mysqld (as the field notes' hosts do), so a node without one can wait
    // in the rebuild-only mode.
    await using cluster = await startE2ECluster(3, { supervised: true, extra: backupConfig(sshd) });
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    await createWorkloadTables(leader.instance);
    await leader.instance.query("CREATE TABLE app.seed (id INT PRIMARY KEY, pad VARCHAR(200))");
    await leader.instance.query(
      `INSERT INTO app.seed SELECT seq, REPEAT('x', 200) FROM app.seq_1_to_${SEED_ROWS}`,
    );
    // Any node: the writer moves on when one refuses (a leader change under load).
    const writer = new Writer(() => cluster.agents.map((a) => a.instance));
    writer.start();
    const { agent: fourth } = await cluster.addAgent({
      beforeStart: async (instance) => {
        await instance.stop();
        await emptyDatadir(instance);
      },
    });
    // `cluster add` through the leader; the followers learn it from its heartbeats.
    const donor = cluster.agents.find((a) => a !== leader)!;
    await addThroughLeader(cluster, fourth, donor);

    const argv = watchArgv([ROOT_PASSWORD, REPL_PASSWORD]);
    const run = await xenon(fourth, "mysql", "rebuildme", "--from", donor.endpoint);
    const leaked = await argv.stop();
    await writer.stop();
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${cluster.logTail(fourth, 30)}`);
    assert.match(run.stdout, /rebuild done in/);
    assert.deepEqual(leaked, [], "no password in any process's argv during the rebuild");
    assert.ok(writer.acks.length > 0, "the writer kept writing");

    const leaderNow = await cluster.waitForLeader(30_000);
    await assertSameData(leaderNow.instance, fourth.instance);
    const status = await waitFor(
      "cluster status: the 4th node FOLLOWER, semi-sync acking",
      async () => {
        const r = await xenon(leaderNow, "cluster", "status");
        const row = r.stdout.split("\n").find((l) => l.startsWith(`| ${fourth.endpoint}`)) ?? "";
        const [{ clients }] = await leaderNow.instance.query<{ clients: string }>(
          "SELECT VARIABLE_VALUE AS clients FROM information_schema.GLOBAL_STATUS " +
            "WHERE VARIABLE_NAME = 'Rpl_semi_sync_master_clients'",
        );
        return row.includes("@FOLLOWER") && row.includes("[true/true]") && Number(clients) === 3
          ? r.stdout
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.match(status, /state:\[NONE\]/);
    for (const a of [...cluster.agents, fourth]) {
      const text = await Deno.readTextFile(a.logPath);
      assert.ok(!text.includes(ROOT_PASSWORD), `no password in ${a.endpoint}'s log`);
    }
    console.log(run.stdout);
  }
  await assertNoLeaks();
});
