/**
 * What the netns benchmarks (failover.ts, switchover.ts) share: one 3-host cluster in network
 * namespaces with xenon.json's default timers, rounds that each run the lab client's load through
 * the VIP around one leader change, the figures of a round, and lines that put each figure next
 * to its target.
 */
import { parseArgs } from "node:util";
import type { FailoverRecord } from "../src/recorder/record.ts";
import { PHASES } from "../src/recorder/record.ts";
import { percentile } from "../src/sim/failover.ts";
import type { Agent } from "../tests/e2e/_cluster.ts";
import { oneLine } from "../src/lib/errors.ts";
import { sleep, waitFor } from "../tests/harness/wait.ts";
import { figures } from "../tests/netns/checks.ts";
import { now } from "../tests/netns/client.ts";
import { type NetnsCluster } from "../tests/netns/cluster.ts";
import { presentWrites, waitForAnotherCommittingWithVip } from "../tests/netns/scenario.ts";
import { NetnsWorkload, type WorkloadOptions } from "../tests/netns/workload.ts";
import { healthy } from "./_health.ts";

/** The load: 4 writers through the VIP as fast as acknowledgements come. */
export const UNDER_LOAD: WorkloadOptions = { writers: 4 };
/** Without load: one writer through the VIP, one insert every 50 ms (the outage's resolution). */
export const IDLE: WorkloadOptions = { writers: 1, pauseMs: 50 };

const STEADY_LOAD_MS = 1500;
/**
 * Load after the new leader committed with the VIP: time for the writers to time out on the old
 * leader and reconnect through the VIP (a 1 s query timeout, then 250 ms connect attempts).
 */
const AFTER_MS = 3000;

/** `--reps N` (1-100), the repetitions of each measured case. */
export function repsOption(fallback: number): number {
  const { values } = parseArgs({ args: Deno.args, options: { reps: { type: "string" } } });
  const reps = values.reps === undefined ? fallback : Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 100) {
    console.error(`error: --reps needs a count 1-100, got ${values.reps}`);
    Deno.exit(2);
  }
  return reps;
}

export interface RoundFigures {
  /** Fault (or switchover request) to the first write acknowledged by the new leader. */
  outageMs: number;
  /** Last write acknowledged by the old leader to the first by the new one. */
  writeBlockMs: number;
  lost: number;
  dualCommitMs: number;
  /** The new leader's flight-recorder record of this leader change (null if none came). */
  record: FailoverRecord | null;
}

/**
 * One leader change under `load`: waits for a healthy cluster with the VIP on its leader, runs
 * the load, calls `change` (the fault or the switchover), waits for another node committing with
 * the VIP, then `repair`, a healthy cluster again, and the figures.
 */
export async function round(
  nc: NetnsCluster,
  load: WorkloadOptions,
  change: (leader: Agent, index: number) => Promise<void>,
  repair: (leader: Agent, index: number) => Promise<void>,
): Promise<RoundFigures> {
  const { cluster, lab } = nc;
  const leader = await cluster.waitForLeader(30_000);
  const index = cluster.agents.indexOf(leader);
  await healthy(cluster, leader);
  await waitFor("the VIP on the leader alone", async () => {
    const holders = await lab.vipHolders();
    return holders.length === 1 && holders[0] === index ? true : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50 });
  // Each round's client numbers its writes from 1 again.
  await leader.instance.query("TRUNCATE TABLE app.netns_acked");
  const workload = new NetnsWorkload(lab, cluster.agents.map((a) => a.instance), load);
  await workload.start();
  let faultAt = now();
  let stopped: Awaited<ReturnType<NetnsWorkload["stop"]>> | undefined;
  try {
    await sleep(STEADY_LOAD_MS);
    faultAt = now();
    await change(leader, index);
    await waitForAnotherCommittingWithVip(nc, workload, index, faultAt);
    await sleep(AFTER_MS);
  } finally {
    stopped = await workload.stop();
  }
  const { report, samples, vipSamples } = stopped;
  await repair(leader, index);
  const next = await cluster.waitForLeader(30_000);
  await healthy(cluster, next);
  const present = await presentWrites(next.instance);
  const oldServer = leader.instance.serverId;
  const firstNew = report.acks.find((a) => a.at > faultAt && a.server !== oldServer);
  if (firstNew === undefined) {
    const after = report.acks.filter((a) => a.at > faultAt);
    const byServer = [...new Set(after.map((a) => a.server))]
      .map((id) => `server ${id}: ${after.filter((a) => a.server === id).length}`);
    throw new Error(
      `no write was acknowledged by a new leader (old: server ${oldServer}; acks after the ` +
        `change: ${byServer.join(", ") || "none"}; ${report.failures} failed attempts, the last: ${
          report.lastFailure ?? "-"
        })`,
    );
  }
  const lastOld = report.acks.findLast((a) => a.at < firstNew.at && a.server === oldServer);
  const checked = figures({
    acks: report.acks,
    reads: report.reads,
    samples,
    vipSamples,
    present,
    window: { start: faultAt, end: now() },
  });
  return {
    outageMs: firstNew.at - faultAt,
    writeBlockMs: firstNew.at - (lastOld?.at ?? faultAt),
    lost: checked.lost,
    dualCommitMs: checked.dualCommitMs,
    record: await recordOf(nc, next),
  };
}

/**
 * Runs `reps` rounds, printing one line each; a failed round is printed and counted, and three
 * failures in a row end the case (the cluster is then beyond what a round can wait out).
 */
export async function rounds(
  label: string,
  reps: number,
  one: () => Promise<RoundFigures>,
  line: (r: RoundFigures) => string,
): Promise<{ done: RoundFigures[]; failed: string[] }> {
  const done: RoundFigures[] = [];
  const failed: string[] = [];
  let inARow = 0;
  for (let i = 1; i <= reps && inARow < 3; i++) {
    try {
      const r = await one();
      done.push(r);
      inARow = 0;
      console.log(`${label} ${i}/${reps}: ${line(r)}`);
    } catch (error) {
      inARow++;
      failed.push(oneLine(error));
      console.log(`${label} ${i}/${reps}: FAILED ${oneLine(error)}`);
    }
  }
  return { done, failed };
}

/** The new leader's latest record, once it names `leader` (written after leader-start). */
async function recordOf(nc: NetnsCluster, leader: Agent): Promise<FailoverRecord | null> {
  try {
    return await waitFor("the new leader's failover record", async () => {
      const [last] = await nc.cluster.call(leader, "RaftRPC.History", { last: 1 })
        .catch(() => []);
      return last?.newLeader === leader.endpoint ? last : undefined;
    }, { timeoutMs: 5_000, intervalMs: 100 });
  } catch {
    return null;
  }
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `name p50 X (target <= T: met)`: a figure next to its target. */
export function against(name: string, value: number, targetMs: number): string {
  const verdict = value <= targetMs ? "met" : "not met";
  return `${name} ${sec(value)} (target <= ${sec(targetMs)}: ${verdict})`;
}

export function sortedOf(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export { percentile };

/** p50/p99/max of a figure, each with its target where it has one. */
export function spread(
  label: string,
  values: number[],
  targets: { p50?: number; p99?: number } = {},
): string {
  if (values.length === 0) return `  ${label}: no round completed`;
  const sorted = sortedOf(values);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const part = (name: string, v: number, target?: number) =>
    target === undefined ? `${name} ${sec(v)}` : against(name, v, target);
  return `  ${label}: ${part("p50", p50, targets.p50)}, ${part("p99", p99, targets.p99)}, ` +
    `max ${sec(sorted.at(-1) ?? NaN)}`;
}

/** The recorder's phases: p50 and max of each over the rounds that have a record. */
export function phaseBreakdown(rounds: RoundFigures[]): string {
  const records = rounds.flatMap((r) => r.record ? [r.record] : []);
  const parts = PHASES.map((phase) => {
    const durations = sortedOf(
      records.flatMap((r) => r.phases.filter((p) => p.name === phase).map((p) => p.durationMs)),
    );
    if (durations.length === 0) return `${phase} -`;
    return `${phase} ${Math.round(percentile(durations, 50))}/${Math.round(durations.at(-1)!)} ms`;
  });
  const totals = sortedOf(records.map((r) => r.totalMs));
  if (records.length === 0) return "  recorder phases: no record";
  return `  recorder phases (p50/max over ${records.length} records): ${parts.join(", ")}; ` +
    `total ${Math.round(percentile(totals, 50))}/${Math.round(totals.at(-1) ?? NaN)} ms`;
}

/** Acknowledged writes lost and time with two nodes committing: both must be 0. */
export function safety(rounds: RoundFigures[]): { line: string; ok: boolean } {
  const lost = rounds.reduce((n, r) => n + r.lost, 0);
  const dual = rounds.reduce((n, r) => n + r.dualCommitMs, 0);
  const ok = lost === 0 && dual === 0;
  return {
    line: `  acked writes lost ${lost} (target 0: ${lost === 0 ? "met" : "not met"}), ` +
      `two nodes committing ${Math.round(dual)} ms (target 0: ${dual === 0 ? "met" : "not met"})`,
    ok,
  };
}
