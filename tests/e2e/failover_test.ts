/**
 * Failover scenarios under a continuous writer and a prober, each on a fresh 3-node cluster:
 * after each, never two nodes accepted writes in one probe round, every acknowledged insert is
 * on the new leader, and the old leader rejoins as a follower (or is INVALID with extra GTIDs).
 */
import assert from "node:assert/strict";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  type Agent,
  type E2ECluster,
  joinAll,
  sleep,
  startE2ECluster,
  waitFor,
} from "./_cluster.ts";
import { createWorkloadTables, missingAcks, missingProbes, Prober, Writer } from "./_workload.ts";

interface Scenario {
  name: string;
  /** Breaks the leader; returns once the damage is done. */
  breakLeader(cluster: E2ECluster, leader: Agent): Promise<void>;
  /** Repairs what breakLeader broke so the old leader can rejoin. */
  repair(cluster: E2ECluster, leader: Agent): Promise<void>;
  /** The policy may keep the same node as leader (a fast crash-restart it wins again). */
  sameLeaderAllowed?: boolean;
}

async function runScenario(s: Scenario): Promise<void> {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    await createWorkloadTables(leader.instance);
    const nodes = () => cluster.agents.map((a) => a.instance);
    const writer = new Writer(() => {
      // Start with the leader, as a client following the VIP would.
      const i = nodes().indexOf(leader.instance);
      return [...nodes().slice(i), ...nodes().slice(0, i)];
    });
    const prober = new Prober(nodes);
    writer.start();
    prober.start();
    try {
      await sleep(1000);
      await cluster.assertLeads(leader);
      const broken = performance.now();
      await s.breakLeader(cluster, leader);
      const termBefore = (await cluster.call(leader, "RaftRPC.Status").catch(() => null))?.viewId;
      const next = s.sameLeaderAllowed
        ? await waitFor("a leader in a new term", async () => {
          const l = await cluster.waitForLeader(30_000);
          const st = await cluster.call(l, "RaftRPC.Status").catch(() => null);
          return st && st.viewId !== termBefore ? l : undefined;
        }, { timeoutMs: 30_000, intervalMs: 100 })
        : await cluster.waitForLeader(30_000, leader);
      await waitFor(
        "the writer to write on the new leader",
        () =>
          writer.acks.some((a) => a.at > broken && a.node === next.instance.serverId)
            ? true
            : undefined,
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      await s.repair(cluster, leader);
      await sleep(1000);
      await writer.stop();
      await prober.stop();
      const lost = async () => ({
        acks: await missingAcks(next.instance, writer.acks),
        probes: await missingProbes(next.instance, prober.writes()),
      });
      const missing = await waitFor("every ack and probe write on the new leader", async () => {
        const m = await lost();
        return m.acks.length + m.probes.length === 0 ? m : undefined;
      }, { timeoutMs: 5000, explain: async () => `missing ${JSON.stringify(await lost())}` });
      assert.deepEqual(missing, { acks: [], probes: [] });
      if (next !== leader) {
        const late = prober.writesAfterHandover(leader.instance.serverId, next.instance.serverId);
        assert.deepEqual(
          late.map((w) => ({ ...w, ackedAt: Math.round(w.ackedAt - broken) })),
          [],
          `the old leader accepted writes after the new one did (ms after the break; ` +
            `first write on the new leader ${
              Math.round(prober.firstWriteAt(next.instance.serverId) - broken)
            } ms)`,
        );
      }
      const old = await waitFor("the old leader to rejoin", async () => {
        const st = await cluster.call(leader, "RaftRPC.Status").catch(() => null);
        if (next === leader) return st?.state === "LEADER" ? st : undefined;
        return st?.state === "FOLLOWER" && st.leader === next.endpoint || st?.state === "INVALID"
          ? st
          : undefined;
      }, { timeoutMs: 15_000, intervalMs: 100, explain: () => cluster.logTail(leader, 8) });
      const gap = writer.longestGapMs(broken - 1000);
      console.log(
        `${s.name}: ${writer.acks.length} acked and ${prober.writes().length} probe writes, ` +
          `0 lost, longest write gap ${Math.round(gap)} ms, ` +
          `old leader ${old.state}${old.state === "INVALID" ? ` (${old.reason})` : ""}, ` +
          `${prober.readWriteOverlapRounds()} probe rounds with 2 nodes read_only=OFF`,
      );
    } finally {
      await writer.stop();
      await prober.stop();
    }
  }
  await assertNoLeaks();
}

Deno.test("failover: leader's mysqld_safe and mysqld killed, MySQL stays down", async () => {
  await runScenario({
    name: "leader MySQL down",
    breakLeader: (_c, leader) => leader.instance.killAll(),
    repair: (_c, leader) => leader.instance.start(),
  });
});

Deno.test("failover: leader's agent killed with SIGKILL, its mysqld alive", async () => {
  await runScenario({
    name: "leader agent SIGKILL",
    breakLeader: (_c, leader) => leader.kill("SIGKILL"),
    repair: async (_c, leader) => {
      leader.start();
      await restartIfShutDown(leader);
    },
  });
});

/**
 * With mysql.monitor-disabled (as here), an agent that finds commits waiting for acknowledgements
 * no replica will send shuts mysqld down through SQL; restart it as the supervisor (systemd,
 * Kubernetes) would, with MariaDB's --init-rpl-role=SLAVE so the unacknowledged tail is dropped.
 */
async function restartIfShutDown(agent: Agent): Promise<void> {
  const gone = () => !agent.instance.isRunning() && agent.instance.safePid() === undefined;
  const down = await waitFor("the agent to shut mysqld down", () => gone() ? true : undefined, {
    timeoutMs: 5000,
    intervalMs: 50,
  }).catch(() => false);
  if (down) await agent.instance.start(["--init-rpl-role=SLAVE"]);
}

// Regression: the old leader's fence used to KILL sessions waiting for semi-sync acks; with binlog
// group commit that made their group's commits return OK with no replica holding them. The fence
// now refuses (AcksPendingError) and the daemon stops mysqld hard instead (src/mysql/fence.ts).
Deno.test({
  name: "failover: leader's agent stopped (SIGSTOP) past its lease, then SIGCONT",
}, async () => {
  await runScenario({
    name: "leader agent SIGSTOP",
    breakLeader: (_c, leader) => leader.kill("SIGSTOP"),
    repair: async (_c, leader) => {
      leader.kill("SIGCONT");
      await restartIfShutDown(leader);
    },
  });
});

Deno.test("switchover: HATryToLeader on a chosen follower", async () => {
  let writeBlockMs: number | undefined;
  await runScenario({
    name: "switchover",
    breakLeader: async (cluster, leader) => {
      const target = cluster.agents.find((a) => a !== leader)!;
      const r = await cluster.rpc.call(target.endpoint, "HARPC.HATryToLeader", { wait: true }, {
        timeoutMs: 20_000,
      }) as { ok: boolean; reason: string; writeBlockMs?: number };
      assert.ok(r.ok, r.reason);
      writeBlockMs = r.writeBlockMs;
    },
    repair: async () => {},
  });
  console.log(`switchover write-block time reported: ${writeBlockMs} ms`);
  assert.ok(writeBlockMs !== undefined);
});

Deno.test("failover: leader's mysqld crash-restarted by mysqld_safe", async () => {
  await runScenario({
    name: "leader mysqld crash-restart",
    breakLeader: (_c, leader) => leader.instance.killMysqld(),
    repair: (_c, leader) => leader.instance.waitReady(),
    sameLeaderAllowed: true,
  });
});
