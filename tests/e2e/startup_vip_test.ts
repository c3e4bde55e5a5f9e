/**
 * An agent that comes back while its MySQL is not answering yet (crash recovery, a hard restart
 * of sessions waiting for acks) releases the VIP a previous run may hold before it waits for
 * MySQL: until then clients keep reaching this MySQL through the VIP, and the new leader, whose
 * duplicate-address detection sees the VIP still answering here, cannot take it.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { assertNoLeaks } from "../harness/mod.ts";
import { startE2ECluster, waitFor } from "./_cluster.ts";

Deno.test("restarted agent: leader-stop-command runs before it waits for its MySQL", async () => {
  {
    await using cluster = await startE2ECluster(1);
    const [agent] = cluster.agents;
    const vipLog = `${dirname(agent.configPath)}/vip.log`;
    await agent.kill("SIGKILL");
    // monitor-disabled: the agent does not start MySQL itself, so it stays down.
    await agent.instance.stop();
    await Deno.writeTextFile(vipLog, "");
    agent.start();
    await waitFor("leader-stop-command while MySQL is down", async () => {
      return (await Deno.readTextFile(vipLog)).includes("stop") ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, explain: () => cluster.logTail(agent, 5) });
    assert.ok(!agent.instance.isRunning(), "MySQL was down all along");
  }
  await assertNoLeaks();
});
