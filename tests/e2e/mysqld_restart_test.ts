/**
 * mysqld killed behind the agents' backs (an OOM kill), on a cluster whose agents supervise
 * their mysqld and whose my.cnf says neither read_only nor skip_slave_start:
 * - a follower's mysqld comes back from mysqld_safe not replicating, and its agent points it at
 *   the leader again;
 * - the leader's host loses its agent (SIGKILL), then its mysqld: mysqld_safe restarts the server
 *   with no agent to fence it, while the VIP may still point at it. It must come back read-only.
 */
import assert from "node:assert/strict";
import { assertNoLeaks, type MariaDBInstance } from "../harness/mod.ts";
import { mycnfValue } from "../../src/mysql/mod.ts";
import { type Agent, joinAll, readOnlyOf, startE2ECluster, waitFor } from "./_cluster.ts";

async function replicating(instance: MariaDBInstance): Promise<boolean> {
  const [r] = await instance.query("SHOW SLAVE STATUS").catch(() => []);
  return r?.Slave_IO_Running === "Yes" && r?.Slave_SQL_Running === "Yes";
}

/** SIGKILLs the agent's mysqld alone and waits until mysqld_safe's new one answers. */
async function killMysqldAndWaitRestart(agent: Agent): Promise<void> {
  const before = agent.instance.mysqldPid();
  await agent.instance.killMysqld();
  await waitFor("mysqld_safe to restart mysqld", async () => {
    const now = agent.instance.mysqldPid();
    if (now === undefined || now === before) return undefined;
    return await agent.instance.query("SELECT 1").then(() => true, () => undefined);
  }, { timeoutMs: 30_000, intervalMs: 100 });
}

Deno.test("mysqld restarted by mysqld_safe: a follower replicates again, a leader with its agent dead is read-only", async () => {
  {
    await using cluster = await startE2ECluster(3, { supervised: true, mysqld: {} });
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const cnf = await Deno.readTextFile(leader.instance.cnfPath);
    assert.equal(mycnfValue(cnf, "read_only"), undefined, "the my.cnf lacks read_only");
    assert.equal(mycnfValue(cnf, "skip_slave_start"), undefined);

    const follower = cluster.agents.find((a) => a !== leader)!;
    await waitFor("the follower to replicate", () => replicating(follower.instance) || undefined, {
      timeoutMs: 20_000,
    });
    await killMysqldAndWaitRestart(follower);
    await waitFor("the follower to replicate again", async () => {
      return await replicating(follower.instance) || undefined;
    }, { timeoutMs: 20_000, intervalMs: 100, explain: () => cluster.logTail(follower, 6) });
    assert.equal(await readOnlyOf(follower.instance), true, "the follower is read-only");

    // The follower's restart may have cost the leader its lease: break whoever leads now.
    const current = await waitFor("a leader that still leads when read again", async () => {
      const l = await cluster.waitForLeader(30_000);
      return await cluster.assertLeads(l).then(() => l, () => undefined);
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await current.kill("SIGKILL");
    await killMysqldAndWaitRestart(current);
    assert.equal(await readOnlyOf(current.instance), true, "the restarted leader is read-only");
  }
  await assertNoLeaks();
});
