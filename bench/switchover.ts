/**
 * `deno task bench:switchover`: on 3 hosts in network namespaces with xenon.json's default timers,
 * repeated planned switchovers (`HARPC.HATryToLeader` on a follower, waiting until it is
 * writable) under the 4-writer load through the VIP. Prints p50/p99/max of the write block (the
 * last write the old leader acknowledged to the first the new one did, as the clients saw it)
 * next to its target, the daemon's own figure, the flight recorder's phases, acknowledged writes
 * lost and time with two nodes committing. Exits 1 if a write was lost, two nodes committed at
 * once, or a round failed.
 *
 * Usage: deno task bench:switchover [--reps 20]
 */
import { DEFAULT_TIMERS, startNetnsCluster } from "../tests/netns/cluster.ts";
import { createNetnsTables } from "../tests/netns/workload.ts";
import { assertNoLeaks } from "../tests/harness/mod.ts";
import { phaseBreakdown, repsOption, round, rounds, safety, spread, UNDER_LOAD } from "./_netns.ts";

/** The target: switchover write block p50 <= 0.5 s, p99 <= 1 s. */
const WRITE_BLOCK = { p50: 500, p99: 1000 };

const reps = repsOption(20);
let ok = true;
{
  await using nc = await startNetnsCluster(3, DEFAULT_TIMERS);
  await createNetnsTables((await nc.cluster.waitForLeader(30_000)).instance);
  console.log(
    `bench:switchover: ${reps} switchovers under 4 writers, default timers (heartbeat ` +
      `${DEFAULT_TIMERS.heartbeat} ms, election timeout ${DEFAULT_TIMERS.election} ms), 3 hosts`,
  );
  const reported: number[] = [];
  let turn = 0;
  const { done, failed } = await rounds(
    "switchover",
    reps,
    () =>
      round(nc, UNDER_LOAD, async (leader) => {
        const followers = nc.cluster.agents.filter((a) => a !== leader);
        const target = followers[turn++ % followers.length];
        const answer = await nc.cluster.rpc.call(target.endpoint, "HARPC.HATryToLeader", {
          wait: true,
        }, { timeoutMs: 30_000 }) as { ok: boolean; reason: string; writeBlockMs?: number };
        if (!answer.ok) throw new Error(`switchover to ${target.endpoint}: ${answer.reason}`);
        if (answer.writeBlockMs !== undefined) reported.push(answer.writeBlockMs);
      }, () => Promise.resolve()),
    (r) => `write block ${(r.writeBlockMs / 1000).toFixed(2)} s, lost ${r.lost}`,
  );
  const safe = safety(done);
  ok = safe.ok && failed.length === 0;
  console.log(
    [
      `\nswitchover: ${done.length} rounds, ${failed.length} failed`,
      spread(
        "write block (clients: last ack on the old leader to the first on the new)",
        done.map((r) => r.writeBlockMs),
        WRITE_BLOCK,
      ),
      spread("write block as the daemon reports it", reported),
      phaseBreakdown(done),
      safe.line,
    ].join("\n"),
  );
}
await assertNoLeaks();
Deno.exit(ok ? 0 : 1);
