/**
 * The time to fence is bounded even while the leader's MySQL is busy (issue 10, item 6). A
 * `createuser` stuck behind FLUSH TABLES WITH READ LOCK held by another session:
 * - on a healthy network it causes no election (heartbeats do not wait behind it);
 * - when the leader loses both followers (their agents SIGSTOPped) meanwhile, it is read-only
 *   within the bound the lease arithmetic computes (src/raft/lease.ts), measured from the moment
 *   both followers stopped (the last majority-acked heartbeat was sent before that).
 */
import assert from "node:assert/strict";
import type mysql from "mysql2/promise";
import { loadConfig, timersOf } from "../../src/config/mod.ts";
import { comparatorFor } from "../../src/gtid/mod.ts";
import type { ActionResult } from "../../src/model/mod.ts";
import { leaseArithmetic, raftOptions } from "../../src/raft/mod.ts";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  type Agent,
  type E2ECluster,
  joinAll,
  oneLine,
  sleep,
  startE2ECluster,
} from "./_cluster.ts";

/** Holds FLUSH TABLES WITH READ LOCK on `agent`'s MySQL until `release` (or the fence kills it). */
async function holdGlobalReadLock(agent: Agent): Promise<{ release(): Promise<void> }> {
  const conn = await agent.instance.connect();
  await conn.query("FLUSH TABLES WITH READ LOCK");
  return {
    release: async () => {
      await conn.query("UNLOCK TABLES").catch(() => {});
      await conn.end().catch(() => conn.destroy());
    },
  };
}

/** `createuser` on the leader: it blocks behind the global read lock. */
function createUser(cluster: E2ECluster, leader: Agent, user: string): Promise<ActionResult> {
  return cluster.rpc.call(leader.endpoint, "UserRPC.CreateNormalUser", {
    user,
    host: "%",
    passwd: "fence-bound-pw-1",
  }, { timeoutMs: 20_000 }).then(
    (r) => r as ActionResult,
    (error) => ({ ok: false, reason: oneLine(error) }),
  );
}

async function terms(cluster: E2ECluster): Promise<number[]> {
  return await Promise.all(
    cluster.agents.map(async (a) => (await cluster.call(a, "RaftRPC.Status")).viewId),
  );
}

/** Polls @@read_only on its own connection (reopened when the fence ends it); first 1 seen. */
async function readOnlyAt(agent: Agent, timeoutMs: number): Promise<number> {
  let conn: mysql.Connection | null = null;
  const deadline = performance.now() + timeoutMs;
  try {
    while (performance.now() < deadline) {
      try {
        conn ??= await agent.instance.connect();
        const [rows] = await conn.query("SELECT @@GLOBAL.read_only AS ro");
        if (Number((rows as { ro: number }[])[0].ro) === 1) return performance.now();
      } catch {
        conn?.destroy();
        conn = null;
      }
      await sleep(5);
    }
    throw new Error(`${agent.endpoint} still writable after ${timeoutMs} ms`);
  } finally {
    conn?.destroy();
  }
}

Deno.test("fence bound: a statement blocked 4 s on the leader causes no election", async () => {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    await sleep(1000);
    const before = await terms(cluster);
    const lock = await holdGlobalReadLock(leader);
    const created = createUser(cluster, leader, "blocked1");
    try {
      await sleep(4000);
    } finally {
      await lock.release();
    }
    const r = await created;
    await sleep(500);
    assert.deepEqual(await terms(cluster), before, "an election happened while it blocked");
    assert.equal(await cluster.waitForLeader(5000), leader);
    assert.ok(r.ok, `createuser: ${r.reason}`);
  }
  await assertNoLeaks();
});

Deno.test("fence bound: a leader cut off while a statement blocks is read-only within the bound", async () => {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const { config } = await loadConfig(leader.configPath);
    const options = raftOptions(leader.endpoint, comparatorFor("mariadb"), timersOf(config));
    const bound = leaseArithmetic(options).oldLeaderReadOnlyByMs;
    await sleep(1000);
    const followers = cluster.agents.filter((a) => a !== leader);
    const lock = await holdGlobalReadLock(leader);
    const created = createUser(cluster, leader, "blocked2");
    try {
      await sleep(300); // createuser is waiting for the lock now
      for (const f of followers) await f.kill("SIGSTOP");
      const stoppedAt = performance.now();
      const tookMs = (await readOnlyAt(leader, 15_000)) - stoppedAt;
      console.log(
        `fence bound: leader read-only ${Math.round(tookMs)} ms after both followers stopped ` +
          `(bound ${Math.round(bound)} ms after the last majority-acked heartbeat)`,
      );
      assert.ok(tookMs <= bound, `read-only after ${Math.round(tookMs)} ms > ${bound} ms`);
    } finally {
      for (const f of followers) await f.kill("SIGCONT");
      await lock.release();
      await created;
    }
  }
  await assertNoLeaks();
});
