/**
 * Full power loss (reliability.md F17): all three agents and mysqlds are SIGKILLed within a
 * second under a writer, then restarted in random order. A leader emerges with no manual step,
 * it is the most up-to-date node, and no acknowledged write is lost.
 */
import assert from "node:assert/strict";
import { comparatorFor } from "../../src/gtid/mod.ts";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  type Agent,
  globalVar,
  joinAll,
  sleep,
  startE2ECluster,
  waitFor,
  waitReaped,
} from "./_cluster.ts";
import { createWorkloadTables, missingAcks, Writer } from "./_workload.ts";

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const names = (agents: Agent[]) => agents.map((a) => `agent${a.index}`).join(", ");

Deno.test("restart all: every agent and mysqld killed at once, the most up-to-date node leads again", async () => {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const first = await cluster.waitForLeader(30_000);
    await createWorkloadTables(first.instance);
    const writer = new Writer(() => [first.instance]);
    const lagging = shuffled(cluster.agents.filter((a) => a !== first))[0];
    writer.start();
    try {
      const acked = (n: number) =>
        waitFor(`${n} acknowledged writes`, () => writer.acks.length >= n || undefined, {
          timeoutMs: 15_000,
        });
      await acked(30);
      // One follower lags (its replication stopped); semi-sync still has the other's acks. After
      // the crash it is behind, and must not lead.
      await lagging.instance.query("STOP SLAVE");
      await acked(writer.acks.length + 30);
      // The writer's node must still lead: the lagging follower is compared with it below.
      await cluster.assertLeads(first);
      // Everything at once, the writer still writing: no clean shutdown anywhere.
      const mysqldPids = cluster.agents.map((a) => a.instance.mysqldPid());
      const killStarted = performance.now();
      await Promise.all(
        cluster.agents.flatMap((a) => [a.kill("SIGKILL"), a.instance.killAll()]),
      );
      const killMs = Math.round(performance.now() - killStarted);
      assert.ok(killMs < 1000, `all killed within 1 s (took ${killMs} ms)`);
      // The killed mariadbd were reparented to PID 1; mysqld_safe refuses to start ("A mysqld
      // process already exists") while a zombie still owns the pid in the pid file.
      for (const pid of mysqldPids) await waitReaped(pid);
    } finally {
      await writer.stop();
    }

    // MySQL first, in random order, replication threads off so what each node holds is what it
    // held at the crash (the agents decide who replicates from whom).
    const mysqlOrder = shuffled(cluster.agents);
    for (const a of mysqlOrder) {
      await a.instance.start(["--skip-slave-start"]);
      await sleep(Math.random() * 300);
    }
    const compare = comparatorFor("mariadb");
    const positions = new Map<Agent, string>();
    for (const a of cluster.agents) {
      positions.set(a, await globalVar(a.instance, "gtid_current_pos"));
    }
    const agentOrder = shuffled(cluster.agents);
    for (const a of agentOrder) {
      a.start();
      await sleep(Math.random() * 500);
    }

    const leader = await cluster.waitForLeader(40_000);
    const summary = `mysqld order ${names(mysqlOrder)}, agent order ${names(agentOrder)}, ` +
      `positions ${cluster.agents.map((a) => `agent${a.index}=${positions.get(a)}`).join(" ")}`;
    for (const other of cluster.agents) {
      const c = compare.compare(positions.get(leader)!, positions.get(other)!);
      assert.ok(
        c === "equal" || c === "ahead",
        `leader agent${leader.index} is ${c} of agent${other.index} (${summary})`,
      );
    }
    assert.notEqual(leader, lagging);
    assert.equal(compare.compare(positions.get(lagging)!, positions.get(first)!), "behind");
    assert.deepEqual(await missingAcks(leader.instance, writer.acks), [], "acked writes lost");

    for (const other of cluster.agents.filter((a) => a !== leader)) {
      await waitFor(`agent${other.index} to follow the new leader`, async () => {
        const st = await cluster.call(other, "RaftRPC.Status").catch(() => null);
        return st?.state === "FOLLOWER" && st.leader === leader.endpoint ? true : undefined;
      }, { timeoutMs: 15_000, intervalMs: 100, explain: () => cluster.logTail(other, 6) });
    }
    await leader.instance.query("INSERT INTO app.acked (id, node) VALUES (?, ?)", [
      1_000_000,
      leader.instance.serverId,
    ]);
    for (const other of cluster.agents.filter((a) => a !== leader)) {
      await waitFor(`agent${other.index} to replicate a new write`, async () => {
        const rows = await other.instance.query("SELECT id FROM app.acked WHERE id = 1000000");
        return rows.length === 1 ? true : undefined;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      assert.deepEqual(await missingAcks(other.instance, writer.acks), []);
    }
    console.log(
      `restart all: ${writer.acks.length} acked, 0 lost; agent${first.index} led before, ` +
        `agent${leader.index} after; agent${lagging.index} lagged; ${summary}`,
    );
  }
  await assertNoLeaks();
});
