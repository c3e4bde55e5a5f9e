/**
 * The fault scenarios of reliability.md §6.2 as data: what each injects, how it is repaired, and
 * what it expects beyond the checks every scenario makes (no acknowledged write lost, never two
 * nodes committing). failover_test.ts runs the CI set, soak.ts a random mix of all of them.
 */
import { type Agent, type E2ECluster, waitReaped } from "../e2e/_cluster.ts";
import { sleep } from "../harness/wait.ts";
import { NETNS_TIMERS } from "./cluster.ts";
import type { Scenario, ScenarioContext } from "./scenario.ts";

const ELECTION_MS = NETNS_TIMERS.election;

/** Pauses (or resumes) an agent's mysqld monitor, so a killed mysqld stays down. */
async function monitor(cluster: E2ECluster, agent: Agent, on: boolean): Promise<void> {
  const r = await cluster.call(agent, on ? "MysqldRPC.StartMonitor" : "MysqldRPC.StopMonitor");
  if (!r.ok) throw new Error(`${on ? "StartMonitor" : "StopMonitor"}: ${r.reason}`);
}

/** Sends `signal` to the leader's mariadbd (SIGSTOP: a hung database); returns its pid. */
function signalMysqld(agent: Agent, signal: Deno.Signal): number {
  const pid = agent.instance.mysqldPid();
  if (pid === undefined) throw new Error(`${agent.instance.name}: mariadbd is not running`);
  Deno.kill(pid, signal);
  return pid;
}

/** F05's stopped mariadbd, continued at repair unless the fence's hard stop killed it. */
let hungMysqld: number | null = null;

function continueHungMysqld(): Promise<void> {
  const pid = hungMysqld;
  hungMysqld = null;
  try {
    if (pid !== null) Deno.kill(pid, "SIGCONT");
  } catch (error) {
    // Gone: the old leader's fence stopped it hard, and a new mariadbd may still be starting.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return Promise.resolve();
}

/** The host goes: off the bridge, then its agent and mysqld die (F02, F13). */
async function loseHost({ nc, leader, index }: ScenarioContext): Promise<void> {
  await nc.lab.linkDown(index);
  await leader.kill("SIGKILL");
  await leader.instance.killAll();
}

/** It comes back as after a reboot: no VIP, mysqld restarted dropping its unacknowledged tail. */
async function rebootHost({ nc, leader, index }: ScenarioContext): Promise<void> {
  await nc.lab.dropVip(index);
  await nc.lab.linkUp(index);
  await leader.instance.start(["--init-rpl-role=SLAVE"]);
  leader.start();
}

function others({ nc, index }: ScenarioContext): number[] {
  return nc.cluster.agents.map((_, i) => i).filter((i) => i !== index);
}

/** Isolates the leader `times` times for `downMs`, with `upMs` between (blips, flapping). */
async function cutRepeatedly(
  { nc, index }: ScenarioContext,
  times: number,
  downMs: number,
  upMs: number,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    await nc.lab.isolate(index);
    await sleep(downMs);
    await nc.lab.heal(index);
    await sleep(upMs);
  }
}

/** Shuffled copy (Fisher-Yates) with Math.random: F17's random restart order. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const SCENARIOS: Record<string, Scenario> = {
  F01: {
    name: "F01 leader mysqld SIGKILL",
    failover: "another",
    haproxy: true,
    inject: async ({ nc, leader }) => {
      await monitor(nc.cluster, leader, false);
      await leader.instance.killAll();
    },
    repair: async ({ nc, leader }) => {
      // The agent may have restarted it read-only itself (a dead MySQL under a live agent);
      // otherwise as a supervisor would after a crash: the unacknowledged tail is dropped.
      if (!leader.instance.isRunning()) await leader.instance.start(["--init-rpl-role=SLAVE"]);
      await monitor(nc.cluster, leader, true);
    },
  },
  F02: {
    name: "F02 leader host loss",
    failover: "another",
    inject: loseHost,
    repair: rebootHost,
  },
  F03: {
    name: "F03 leader agent SIGKILL",
    // Dead past the election timeout: the others elect a leader while its mysqld still runs
    // (fenced only by the acknowledgements it no longer gets) and its host still holds the VIP,
    // so the new leader waits (arping -D) and is reached through HAProxy until the restarted
    // agent releases the VIP (first thing, before it recovers its mysqld); then it takes it.
    failover: "any",
    haproxy: true,
    loadAfterMs: 2 * ELECTION_MS,
    settleMs: 5000,
    inject: ({ leader }) => leader.kill("SIGKILL"),
    repair: ({ leader }) => Promise.resolve(leader.start()),
  },
  F04: {
    name: "F04 leader agent SIGSTOP past its lease",
    // As F03: its host keeps the VIP while it is stopped (reads through the VIP may be stale
    // meanwhile: nothing on that host can act); resumed, it learns of the new term, releases the
    // VIP, which the new leader then takes, and fences (a hard restart of its mysqld, whose
    // commits wait for acks: about 4 s).
    failover: "any",
    haproxy: true,
    loadAfterMs: 2 * ELECTION_MS,
    settleMs: 8000,
    inject: ({ leader }) => leader.kill("SIGSTOP"),
    repair: ({ leader }) => leader.kill("SIGCONT"),
  },
  F05: {
    name: "F05 leader mysqld SIGSTOP",
    failover: "another",
    settleMs: 5000,
    inject: ({ leader }) => Promise.resolve(void (hungMysqld = signalMysqld(leader, "SIGSTOP"))),
    repair: continueHungMysqld,
  },
  F06: {
    name: "F06 leader isolated for 2 election timeouts",
    failover: "another",
    maxFailovers: 1,
    inject: ({ nc, index }) => nc.lab.isolate(index),
    repair: ({ nc, index }) => nc.lab.heal(index),
    settleMs: 3000,
  },
  F07: {
    name: "F07 asymmetric partition: the leader hears no peer, they hear it",
    failover: "any",
    maxFailovers: 1,
    loadAfterMs: 2 * ELECTION_MS,
    settleMs: 3000,
    inject: (ctx) => ctx.nc.lab.isolate(ctx.index, { peers: others(ctx), direction: "in" }),
    repair: ({ nc, index }) => nc.lab.heal(index),
  },
  F09: {
    name: "F09 one replica isolated",
    failover: "none",
    loadAfterMs: 2 * ELECTION_MS,
    inject: (ctx) => ctx.nc.lab.isolate(others(ctx)[0]),
    repair: (ctx) => ctx.nc.lab.heal(others(ctx)[0]),
  },
  F09b: {
    name: "F09 both replicas isolated (writes block, then resume)",
    failover: "any",
    loadAfterMs: 2 * ELECTION_MS,
    settleMs: 5000,
    inject: async (ctx) => {
      for (const i of others(ctx)) await ctx.nc.lab.isolate(i);
    },
    repair: async (ctx) => {
      for (const i of others(ctx)) await ctx.nc.lab.heal(i);
    },
  },
  F10: {
    name: "F10 flapping leader link (1 s down, 1 s up, 10 s)",
    failover: "any",
    maxFailovers: 1,
    settleMs: 3000,
    inject: (ctx) => cutRepeatedly(ctx, 5, 1000, 1000),
    repair: () => Promise.resolve(),
  },
  F11: {
    name: "F11 blips < election timeout / 2",
    failover: "none",
    inject: (ctx) => cutRepeatedly(ctx, 5, ELECTION_MS * 0.2, 1000),
    repair: () => Promise.resolve(),
  },
  F12: {
    name: "F12 25 % packet loss at the leader for 10 s",
    failover: "any",
    maxFailovers: 2,
    loadAfterMs: 10_000,
    settleMs: 3000,
    inject: ({ nc, index }) => nc.lab.isolate(index, { lossPercent: 25 }),
    repair: ({ nc, index }) => nc.lab.heal(index),
  },
  F13: {
    name: "F13 replica SQL thread stopped with a backlog, then leader host loss",
    failover: "another",
    settleMs: 3000,
    inject: async (ctx) => {
      const lagging = ctx.nc.cluster.agents[others(ctx)[0]].instance;
      await lagging.query("STOP SLAVE SQL_THREAD");
      await sleep(2000);
      await loseHost(ctx);
    },
    repair: rebootHost,
  },
  F16: {
    name: "F16 switchover",
    failover: "another",
    haproxy: true,
    inject: async ({ nc, leader }) => {
      const target = nc.cluster.agents.find((a) => a !== leader)!;
      const r = await nc.cluster.rpc.call(target.endpoint, "HARPC.HATryToLeader", {}, {
        timeoutMs: 20_000,
      }) as { ok: boolean; reason: string };
      if (!r.ok) throw new Error(`HATryToLeader refused: ${r.reason}`);
    },
    repair: () => Promise.resolve(),
  },
  F17: {
    name: "F17 all nodes SIGKILLed, restarted in random order",
    failover: "any",
    // Every replica's mysqld restarted (its relay log dropped): they wait for the old primary,
    // which comes back through crash recovery; about 10 s in all.
    settleMs: 15_000,
    inject: async ({ nc }) => {
      const pids = nc.cluster.agents.map((a) => a.instance.mysqldPid());
      await Promise.all(nc.cluster.agents.map((a) => a.kill("SIGKILL")));
      await Promise.all(nc.cluster.agents.map((a) => a.instance.killAll()));
      // A killed mariadbd's zombie makes mysqld_safe refuse to start ("already exists").
      for (const pid of pids) await waitReaped(pid);
    },
    repair: async ({ nc }) => {
      for (const i of shuffled(nc.cluster.agents.map((_, i) => i))) {
        // Rebooted hosts: no VIP, mysqld dropping an unacknowledged tail, then the agent.
        await nc.lab.dropVip(i);
        const agent = nc.cluster.agents[i];
        await agent.instance.start(["--init-rpl-role=SLAVE"]);
        agent.start();
      }
    },
  },
  F20: {
    name: "F20 all agents SIGKILLed, all but the old leader's restarted",
    // The old leader's host still answers for the VIP: the new leader must not take it until the
    // old leader's restarted agent releases it (first thing, as in F03).
    failover: "any",
    haproxy: true,
    loadAfterMs: 2 * ELECTION_MS,
    settleMs: 3000,
    inject: async (ctx) => {
      await Promise.all(ctx.nc.cluster.agents.map((a) => a.kill("SIGKILL")));
      for (const i of others(ctx)) ctx.nc.cluster.agents[i].start();
      // Done once one of them leads; it cannot take the VIP before the repair.
      await ctx.nc.cluster.waitForLeader(30_000, ctx.leader);
    },
    repair: ({ leader }) => Promise.resolve(leader.start()),
  },
};

/**
 * The scenarios every CI run executes (each 25-55 s; F04, F05, F20 and F13 add about 3 min).
 * The soak runs them all, these and: F06, which in 1 of 4 runs had no other node lead within
 * 30 s of the leader's isolation (pre-votes got 1 of 3), a liveness fault still to be found;
 * F17, which lost one acknowledged write in 2 of 4 runs until a promote raised
 * innodb_flush_log_at_trx_commit to 3 (the truncating crash recovery cut a returned commit); F07,
 * F09b, F10 and F12, which passed but would push the CI phase past its budget.
 */
export const CI_SCENARIOS = ["F01", "F02", "F03", "F16", "F11", "F09", "F04", "F05", "F20", "F13"];
