/**
 * One fault scenario under write load on a fresh netns cluster: steady load, the fault, (for
 * those that fail over) a new leader committing with the VIP, the repair, convergence, then the
 * checkers' figures printed in one line. Every scenario asserts no acknowledged write lost and no
 * moment with two nodes committing; each states what else it expects (failovers).
 */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import type { Agent } from "../e2e/_cluster.ts";
import { assertNoLeaks, type MariaDBInstance } from "../harness/mod.ts";
import { sleep, waitFor } from "../harness/wait.ts";
import { describe, type Figures, figures, writeKey } from "./checks.ts";
import { type ClientAck, now } from "./client.ts";
import { type NetnsCluster, startNetnsCluster } from "./cluster.ts";
import { startHaproxy } from "./haproxy.ts";
import { createNetnsTables, NetnsWorkload } from "./workload.ts";

export interface ScenarioContext {
  nc: NetnsCluster;
  /** The leader when the fault was injected, and its index in the lab. */
  leader: Agent;
  index: number;
}

export interface Scenario {
  /** "F01 leader mysqld SIGKILL": the id of reliability.md §6.2 and what is done. */
  name: string;
  /** Injects the fault; returns once the damage is done (or the fault episode is over). */
  inject(ctx: ScenarioContext): Promise<void>;
  /** Undoes the fault so the cluster can converge (restart what was killed, heal links). */
  repair(ctx: ScenarioContext): Promise<void>;
  /**
   * "another": a node other than the old leader must commit before the repair; "none": no leader
   * change at all (F11); "any": whatever the policy does, only safety is checked.
   */
  failover: "another" | "none" | "any";
  /** At most this many leader changes (F10, F12). */
  maxFailovers?: number;
  /** Load after the fault (or after the new leader commits) before the repair. @default 1000 */
  loadAfterMs?: number;
  /** Load after the repair, inside the measured window. @default 1000 */
  settleMs?: number;
  /** Two more writers through HAProxy (conf/haproxy.cfg, checking /primary). */
  haproxy?: boolean;
}

const STEADY_LOAD_MS = 1500;
const FAILOVER_TIMEOUT_MS = 30_000;
const CONVERGE_TIMEOUT_MS = 30_000;

/** What the cluster converged to: the leader, and the nodes its agent calls INVALID (why). */
interface Converged {
  leader: MariaDBInstance;
  invalid: string[];
}

/**
 * Waits until every other node applied the leader's binlog, or its agent declared it INVALID
 * (it holds transactions the leader lacks: an unacknowledged tail the old leader dropped;
 * reported, for a rebuild). A node whose mysqld is being restarted is waited for.
 */
async function converge(nc: NetnsCluster): Promise<Converged> {
  const { cluster } = nc;
  const leader = await cluster.waitForLeader(CONVERGE_TIMEOUT_MS);
  const [{ pos }] = await waitFor(
    "the leader's position",
    () =>
      leader.instance.query<{ pos: string }>("SELECT @@GLOBAL.gtid_binlog_pos AS pos")
        .catch(() => undefined),
    { timeoutMs: CONVERGE_TIMEOUT_MS, intervalMs: 100 },
  );
  const invalid: string[] = [];
  for (const a of cluster.agents) {
    if (a === leader) continue;
    await waitFor(`${a.instance.name} to apply the leader's ${pos}`, async () => {
      const raft = await cluster.call(a, "RaftRPC.Status").catch(() => null);
      if (raft?.state === "INVALID") {
        invalid.push(`${a.instance.name}: ${raft.reason}`);
        return true;
      }
      // gtid_current_pos also counts a node's own binlog (MASTER_GTID_WAIT does not): an old
      // leader holding exactly the leader's position has converged.
      const rows = await a.instance.query<{ pos: string }>(
        "SELECT @@GLOBAL.gtid_current_pos AS pos",
      ).catch(() => []);
      const at = rows[0]?.pos;
      return at !== undefined && mariadbComparator.compare(at, pos) === "equal" ? true : undefined;
    }, {
      timeoutMs: CONVERGE_TIMEOUT_MS,
      intervalMs: 100,
      explain: () => cluster.logTail(a, 6),
    });
  }
  return { leader: leader.instance, invalid };
}

/** Waits until a node other than `index` commits probe writes and holds the VIP after `since`. */
export async function waitForAnotherCommittingWithVip(
  nc: NetnsCluster,
  workload: NetnsWorkload,
  index: number,
  since: number,
): Promise<void> {
  await waitFor("another node committing with the VIP", () => {
    const others = workload.probes.filter((_, i) => i !== index);
    for (const p of others) {
      const last = p.samples.at(-1);
      if (last?.wrote && last.vip && last.at > since) return true;
    }
    return undefined;
  }, {
    timeoutMs: FAILOVER_TIMEOUT_MS,
    intervalMs: 50,
    explain: () =>
      nc.cluster.agents.map((a) => `${a.instance.name}: ${nc.cluster.logTail(a, 3)}`)
        .join(" || "),
  });
}

/** The `writeKey`s of every client write present on `node`. */
export async function presentWrites(node: MariaDBInstance): Promise<Set<string>> {
  const rows = await node.query<{ w: number; seq: number }>("SELECT w, seq FROM app.netns_acked");
  return new Set(rows.map((r) => writeKey(Number(r.w), Number(r.seq))));
}

/** The first lost writes, each with its server and when it was acknowledged (ms from the fault). */
function lostWrites(acks: ClientAck[], present: Set<string>, faultAt: number): string {
  const lost = acks.filter((a) => !present.has(writeKey(a.w, a.seq)));
  return lost.slice(0, 5).map((a) =>
    `${writeKey(a.w, a.seq)} on server ${a.server} at ${Math.round(a.at - faultAt)} ms`
  ).join(", ") + (lost.length > 5 ? `, and ${lost.length - 5} more` : "");
}

export async function runNetnsScenario(s: Scenario): Promise<Figures> {
  let result: Figures;
  {
    await using nc = await startNetnsCluster(3);
    const leader = await nc.cluster.waitForLeader(FAILOVER_TIMEOUT_MS);
    const index = nc.cluster.agents.indexOf(leader);
    await createNetnsTables(leader.instance);
    await waitFor("the VIP on the leader alone", async () => {
      const holders = await nc.lab.vipHolders();
      return holders.length === 1 && holders[0] === index ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    await using haproxy = s.haproxy ? await startHaproxy(nc.lab) : undefined;
    const workload = new NetnsWorkload(nc.lab, nc.cluster.agents.map((a) => a.instance), {
      haproxy: haproxy?.frontend,
    });
    await workload.start();
    let stopped = false;
    try {
      await sleep(STEADY_LOAD_MS);
      const ctx = { nc, leader, index };
      const faultAt = now();
      await s.inject(ctx);
      if (s.failover === "another") {
        await waitForAnotherCommittingWithVip(nc, workload, index, faultAt);
      }
      await sleep(s.loadAfterMs ?? 1000);
      await s.repair(ctx);
      await sleep(s.settleMs ?? 1000);
      const end = now();
      const { report, samples, vipSamples } = await workload.stop();
      stopped = true;
      const final = await converge(nc);
      const present = await presentWrites(final.leader);
      result = figures({
        acks: report.acks,
        reads: report.reads,
        samples,
        vipSamples,
        present,
        window: { start: faultAt, end },
      });
      console.log(describe(s.name, result));
      if (haproxy) {
        const via = (name: string) =>
          report.acks.filter((a) => report.writerTargets[a.w] === name).length;
        console.log(`  acked through the VIP ${via("vip")}, through HAProxy ${via("haproxy")}`);
      }
      for (const line of final.invalid) console.log(`  INVALID after the scenario: ${line}`);
      if (result.lost > 0) console.log(`  lost: ${lostWrites(report.acks, present, faultAt)}`);
      assert.equal(result.lost, 0, "acknowledged writes lost");
      assert.equal(result.dualCommitMs, 0, "time with two nodes committing");
      if (s.failover === "none") assert.equal(result.failovers, 0, "failovers");
      if (s.maxFailovers !== undefined) assert.ok(result.failovers <= s.maxFailovers, "failovers");
      // Writes through the VIP flow again by the end: acknowledged in the window's last second.
      const flowing = report.acks.filter((a) =>
        a.at > end - 1000 && report.writerTargets[a.w] === "vip"
      ).length;
      assert.ok(flowing > 0, "no write through the VIP was acknowledged in the last second");
    } finally {
      if (!stopped) await workload.stop().catch(() => {});
    }
  }
  await assertNoLeaks();
  return result;
}
