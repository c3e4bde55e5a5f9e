/**
 * The leader's host loses its agent (SIGKILL) and then its mysqld (an OOM kill): mysqld_safe
 * restarts the server on its own, with no agent to fence it, while the VIP may still point at it.
 * It must come back read-only even though the my.cnf does not say read_only.
 */
import assert from "node:assert/strict";
import { assertNoLeaks } from "../harness/mod.ts";
import { mycnfValue } from "../../src/mysql/mod.ts";
import { joinAll, readOnlyOf, startE2ECluster, waitFor } from "./_cluster.ts";

Deno.test("a leader's mysqld restarted by mysqld_safe with its agent dead is read-only", async () => {
  {
    await using cluster = await startE2ECluster(3, { supervised: true, mysqld: {} });
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const cnf = await Deno.readTextFile(leader.instance.cnfPath);
    assert.equal(mycnfValue(cnf, "read_only"), undefined, "the my.cnf lacks read_only");
    assert.equal(await readOnlyOf(leader.instance), false, "the leader is writable");

    await leader.kill("SIGKILL");
    const before = leader.instance.mysqldPid();
    await leader.instance.killMysqld();
    const readOnly = await waitFor("mysqld_safe to restart the leader's mysqld", async () => {
      const now = leader.instance.mysqldPid();
      if (now === undefined || now === before) return undefined;
      return await readOnlyOf(leader.instance).catch(() => undefined);
    }, { timeoutMs: 30_000, intervalMs: 100 });
    assert.equal(readOnly, true, "the restarted server is read-only");
  }
  await assertNoLeaks();
});
