/**
 * Fault scenarios of reliability.md §6.2 on hosts in network namespaces, each under write load
 * through the VIP (4 writers) with 50 ms probes per node; each prints its figures in one line.
 * Each host's agent supervises its mysqld, as in production.
 */
import type { Agent, E2ECluster } from "../e2e/_cluster.ts";
import { sleep } from "../harness/wait.ts";
import { NETNS_TIMERS } from "./cluster.ts";
import { runNetnsScenario } from "./scenario.ts";

/** Pauses (or resumes) an agent's mysqld monitor, so a killed mysqld stays down. */
async function monitor(cluster: E2ECluster, agent: Agent, on: boolean): Promise<void> {
  const r = await cluster.call(agent, on ? "MysqldRPC.StartMonitor" : "MysqldRPC.StopMonitor");
  if (!r.ok) throw new Error(`${on ? "StartMonitor" : "StopMonitor"}: ${r.reason}`);
}

Deno.test("F01: the leader's mysqld_safe and mysqld SIGKILLed, its agent alive", async () => {
  await runNetnsScenario({
    name: "F01 leader mysqld SIGKILL",
    failover: "another",
    inject: async ({ nc, leader }) => {
      await monitor(nc.cluster, leader, false);
      await leader.instance.killAll();
    },
    repair: async ({ nc, leader }) => {
      // As a supervisor restarts a crashed ex-primary: its unacknowledged tail is dropped.
      await leader.instance.start(["--init-rpl-role=SLAVE"]);
      await monitor(nc.cluster, leader, true);
    },
  });
});

Deno.test("F02: the leader's host lost (veth down, agent and mysqld SIGKILLed)", async () => {
  await runNetnsScenario({
    name: "F02 leader host loss",
    failover: "another",
    inject: async ({ nc, leader, index }) => {
      await nc.lab.linkDown(index);
      await leader.kill("SIGKILL");
      await leader.instance.killAll();
    },
    repair: async ({ nc, leader, index }) => {
      // The host comes back as after a reboot: without the VIP its dead agent held.
      await nc.lab.dropVip(index);
      await nc.lab.linkUp(index);
      await leader.instance.start(["--init-rpl-role=SLAVE"]);
      leader.start();
    },
  });
});

Deno.test("F03: the leader's agent SIGKILLed, its mysqld alive", async () => {
  await runNetnsScenario({
    name: "F03 leader agent SIGKILL",
    // Dead past the election timeout: the others elect a leader while its mysqld still runs
    // (fenced only by the acknowledgements it no longer gets) and its host still holds the VIP.
    failover: "any",
    loadAfterMs: 2 * NETNS_TIMERS.election,
    settleMs: 5000,
    inject: ({ leader }) => leader.kill("SIGKILL"),
    repair: ({ leader }) => Promise.resolve(leader.start()),
  });
});

Deno.test("F16: switchover to a chosen follower (HATryToLeader)", async () => {
  await runNetnsScenario({
    name: "F16 switchover",
    failover: "another",
    inject: async ({ nc, leader }) => {
      const target = nc.cluster.agents.find((a) => a !== leader)!;
      const r = await nc.cluster.rpc.call(target.endpoint, "HARPC.HATryToLeader", {}, {
        timeoutMs: 20_000,
      }) as { ok: boolean; reason: string };
      if (!r.ok) throw new Error(`HATryToLeader refused: ${r.reason}`);
    },
    repair: () => Promise.resolve(),
  });
});

Deno.test("F11: link blips shorter than the leader's lease cause no failover", async () => {
  await runNetnsScenario({
    name: "F11 blips < lease",
    failover: "none",
    inject: async ({ nc, index }) => {
      for (let blip = 0; blip < 5; blip++) {
        await nc.lab.isolate(index);
        await sleep(NETNS_TIMERS.election * 0.2);
        await nc.lab.heal(index);
        await sleep(1000);
      }
    },
    repair: () => Promise.resolve(),
  });
});
