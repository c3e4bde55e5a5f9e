/**
 * `deno task bench:failover:local`: on a real 3-node cluster on loopback, under a continuous
 * writer, N leader-MySQL kills (mysqld_safe and mysqld SIGKILLed, MySQL stays down) and N planned
 * switchovers (`HARPC.HATryToLeader` on a follower). Prints, per kind, p50/p99/max of the time
 * without a writable leader (the writer's last ack on the old leader to its first ack on the new
 * one) and the acknowledged writes lost (must be 0). Bounded in time; everything is cleaned up.
 *
 * Options: --kills N (default 10), --switchovers N (default 10).
 */
import { percentile } from "../src/sim/failover.ts";
import {
  type Agent,
  type E2ECluster,
  joinAll,
  oneLine,
  startE2ECluster,
  waitFor,
  waitReaped,
} from "../tests/e2e/_cluster.ts";
import { healthy } from "./_health.ts";
import { type Ack, createWorkloadTables, missingAcks, Writer } from "../tests/e2e/_workload.ts";

const DEADLINE_MS = 8 * 60_000;

interface Sample {
  gapMs: number;
  lost: number;
  /** What the daemon itself reported (switchovers). */
  reportedMs?: number;
}

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(Deno.args[i + 1]);
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    console.error(`error: --${name} needs a count 0-100, got ${Deno.args[i + 1]}`);
    Deno.exit(2);
  }
  return n;
}

/** Writer's last ack on `from` before its first ack on `to` after `since`: the gap between. */
function writeGap(acks: Ack[], from: Agent, to: Agent, since: number): number {
  const firstNew = acks.find((a) => a.at > since && a.node === to.instance.serverId);
  if (!firstNew) throw new Error("the writer never wrote on the new leader");
  const lastOld = acks.findLast((a) => a.at < firstNew.at && a.node === from.instance.serverId);
  return firstNew.at - (lastOld?.at ?? since);
}

async function round(
  cluster: E2ECluster,
  writer: Writer,
  leader: Agent,
  act: () => Promise<number | undefined>,
  repair: () => Promise<void>,
): Promise<{ next: Agent; sample: Sample }> {
  const since = performance.now();
  const reportedMs = await act();
  const next = await cluster.waitForLeader(30_000, leader);
  await waitFor(
    "the writer to write on the new leader",
    () => writer.acks.some((a) => a.at > since && a.node === next.instance.serverId) || undefined,
    {
      timeoutMs: 15_000,
      intervalMs: 20,
    },
  );
  const gapMs = writeGap(writer.acks, leader, next, since);
  const acked = [...writer.acks];
  await repair();
  await healthy(cluster, next);
  const lost = (await missingAcks(next.instance, acked)).length;
  return { next, sample: { gapMs, lost, reportedMs } };
}

function report(kind: string, samples: Sample[]): void {
  const gaps = samples.map((s) => s.gapMs).sort((a, b) => a - b);
  const ms = (v: number) => `${Math.round(v)} ms`;
  const lost = samples.reduce((n, s) => n + s.lost, 0);
  const reported = samples.flatMap((s) => s.reportedMs === undefined ? [] : [s.reportedMs]);
  console.log(
    `${kind.padEnd(22)} n=${samples.length}  no writable leader: p50 ${ms(percentile(gaps, 50))}` +
      `  p99 ${ms(percentile(gaps, 99))}  max ${
        ms(gaps.at(-1) ?? NaN)
      }  acked writes lost: ${lost}` +
      (reported.length > 0
        ? `  (daemon-reported write block p50 ${
          ms(percentile(reported.sort((a, b) => a - b), 50))
        })`
        : ""),
  );
}

async function main(): Promise<number> {
  const kills = option("kills", 10);
  const switchovers = option("switchovers", 10);
  await using cluster = await startE2ECluster(3);
  const deadline = setTimeout(() => {
    console.error(`error: benchmark exceeded ${DEADLINE_MS / 60_000} min; stopping`);
    Promise.resolve(cluster[Symbol.asyncDispose]()).finally(() => Deno.exit(1));
  }, DEADLINE_MS);
  await joinAll(cluster);
  let leader = await cluster.waitForLeader(30_000);
  await createWorkloadTables(leader.instance);
  await healthy(cluster, leader);
  const writer = new Writer(() => [
    leader.instance,
    ...cluster.agents.filter((a) => a !== leader).map((a) => a.instance),
  ]);
  writer.start();
  const killed: Sample[] = [];
  const switched: Sample[] = [];
  try {
    for (let i = 0; i < kills; i++) {
      const old = leader;
      const pid = old.instance.mysqldPid();
      const r = await round(cluster, writer, old, async () => {
        await old.instance.killAll();
        return undefined;
      }, async () => {
        await waitReaped(pid);
        // As the daemon's supervised start does: a restarted ex-primary comes back as a replica
        // and drops a binlog tail no replica acknowledged.
        await old.instance.start(["--init-rpl-role=SLAVE"]);
      });
      killed.push(r.sample);
      leader = r.next;
      console.log(`kill ${i + 1}: ${Math.round(r.sample.gapMs)} ms, lost ${r.sample.lost}`);
    }
    for (let i = 0; i < switchovers; i++) {
      const old = leader;
      const followers = cluster.agents.filter((a) => a !== old);
      const target = followers[i % followers.length];
      const r = await round(cluster, writer, old, async () => {
        const answer = await cluster.rpc.call(target.endpoint, "HARPC.HATryToLeader", {
          wait: true,
        }, {
          timeoutMs: 30_000,
        }) as { ok: boolean; reason: string; writeBlockMs?: number };
        if (!answer.ok) throw new Error(`switchover to ${target.endpoint}: ${answer.reason}`);
        return answer.writeBlockMs;
      }, async () => {});
      switched.push(r.sample);
      leader = r.next;
      console.log(
        `switchover ${i + 1}: ${
          Math.round(r.sample.gapMs)
        } ms (reported ${r.sample.reportedMs} ms), lost ${r.sample.lost}`,
      );
    }
  } finally {
    await writer.stop();
    clearTimeout(deadline);
  }
  const finalMissing = await missingAcks(leader.instance, writer.acks);
  console.log(
    `\n${writer.acks.length} writes acknowledged, ${writer.failures} attempts failed; ` +
      `missing on the final leader: ${finalMissing.length}`,
  );
  if (killed.length > 0) report("leader MySQL killed", killed);
  if (switched.length > 0) report("switchover", switched);
  const lost = finalMissing.length + [...killed, ...switched].reduce((n, s) => n + s.lost, 0);
  return lost === 0 ? 0 : 1;
}

try {
  Deno.exit(await main());
} catch (error) {
  // The cluster is already torn down (await using); E2E_KEEP_LOGS=DIR keeps the agents' logs.
  console.error(`error: ${oneLine(error)}`);
  Deno.exit(1);
}
