/**
 * The flight recorder and health endpoints on 3 real nodes: the leader's mysqld_safe and mysqld
 * are killed under a writer; `cluster history` then shows one record with 0 lost whose phases
 * add up to the outage the writer measured, and /primary, /replica, /health and /metrics answer
 * over real HTTP as the roles say.
 */
import assert from "node:assert/strict";
import type { FailoverRecord } from "../../src/recorder/mod.ts";
import { cli } from "../cli/_cli.ts";
import { assertNoLeaks } from "../harness/mod.ts";
import { freePort } from "../harness/registry.ts";
import { parsePrometheusText } from "../http/_prom_parser.ts";
import { type Agent, joinAll, sleep, startE2ECluster, TIMERS, waitFor } from "./_cluster.ts";
import { createWorkloadTables, missingAcks, Writer } from "./_workload.ts";

/**
 * The record starts at the last heartbeat the new leader received, which the old leader keeps
 * sending until its poller declares MySQL dead (up to ping-timeout x (admit-defeat-count + 1)
 * after the kill), and the writer needs a reconnect after the promote: the writer's outage is
 * longer than the record by at most that much plus scheduling slack.
 */
const TOLERANCE_MS = TIMERS.ping * (TIMERS.pingCount + 1) + TIMERS.heartbeat + 1000;

async function get(port: number, path: string, method = "GET") {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    signal: AbortSignal.timeout(3000),
  });
  const text = await response.text();
  return { status: response.status, text };
}

Deno.test("history: a killed leader MySQL is recorded once, 0 lost, phases add up to the outage; health endpoints over HTTP", async () => {
  {
    await using cluster = await startE2ECluster(3);
    // Each agent gets its own HTTP port (server.peer-address), restarted before joining.
    const ports = new Map<Agent, number>();
    for (const a of cluster.agents) {
      await a.stop();
      const config = JSON.parse(await Deno.readTextFile(a.configPath));
      const port = freePort();
      config.server["peer-address"] = `127.0.0.1:${port}`;
      await Deno.writeTextFile(a.configPath, JSON.stringify(config), { mode: 0o600 });
      ports.set(a, port);
      a.start();
    }
    for (const a of cluster.agents) {
      await waitFor(`agent ${a.endpoint} HTTP`, async () => {
        try {
          return (await get(ports.get(a)!, "/liveness")).status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      }, { timeoutMs: 30_000, intervalMs: 100, explain: () => cluster.logTail(a) });
    }
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const port = (a: Agent) => ports.get(a)!;
    await createWorkloadTables(leader.instance);
    const nodes = () => cluster.agents.map((a) => a.instance);
    const writer = new Writer(() => {
      const i = nodes().indexOf(leader.instance);
      return [...nodes().slice(i), ...nodes().slice(0, i)];
    });
    writer.start();
    let next: Agent;
    let killedAt: number;
    try {
      await sleep(1000);
      await cluster.assertLeads(leader);
      killedAt = performance.now();
      await leader.instance.killAll();
      next = await cluster.waitForLeader(30_000, leader);
      await waitFor(
        "the writer to write on the new leader",
        () =>
          writer.acks.some((a) => a.at > killedAt && a.node === next.instance.serverId) ||
          undefined,
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      await sleep(500);
    } finally {
      await writer.stop();
    }
    assert.deepEqual(await missingAcks(next.instance, writer.acks), []);
    const lastOld = writer.acks.filter((a) => a.node === leader.instance.serverId).at(-1)!;
    const firstNew = writer.acks.find((a) => a.node === next.instance.serverId && a.at > killedAt)!;
    const outageMs = firstNew.at - lastOld.at;

    // cluster history from the new leader's config, until the old leader's fenceOld arrived.
    const history = await waitFor("the failover record (with the old leader's fence)", async () => {
      const r = await cli([
        "-c",
        next.configPath,
        "--json",
        "--timeout",
        "3s",
        "cluster",
        "history",
      ]);
      const records = JSON.parse(r.out || "[]") as FailoverRecord[];
      return records.length === 1 && records[0].phases.some((p) => p.name === "fenceOld")
        ? records
        : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200, explain: () => cluster.logTail(leader, 6) });
    const [record] = history;
    assert.equal(record.oldLeader, leader.endpoint);
    assert.equal(record.newLeader, next.endpoint);
    // Usually the next term; a split pre-vote on a loaded machine can take one more round.
    assert.ok(record.newTerm > record.oldTerm, `terms ${record.oldTerm} -> ${record.newTerm}`);
    assert.equal(record.verdict.lost, 0, record.verdict.text);
    assert.match(record.trigger, /^no heartbeat from leader .* for \d+ ms/);
    assert.deepEqual(record.seenBy, [leader.endpoint, next.endpoint].sort());
    const phase = (name: string) => record.phases.find((p) => p.name === name)?.durationMs ?? 0;
    const sequence = ["detect", "elect", "catchUp", "promote", "leaderStartCommand"];
    // Terms that stepped back while catching up, if any, are a phase of the same outage.
    const sum = sequence.reduce((t, name) => t + phase(name), phase("earlierTerms"));
    console.log(
      `failover recorded: total ${Math.round(record.totalMs)} ms = ` +
        sequence.map((n) => `${n} ${Math.round(phase(n))}`).join(" + ") +
        ` (fenceOld ${Math.round(phase("fenceOld"))} ms on the old leader, overlapping); ` +
        `writer outage ${Math.round(outageMs)} ms; ${record.verdict.text}`,
    );
    for (const name of sequence) assert.ok(record.phases.some((p) => p.name === name), name);
    // The new leader's phases are contiguous: they add up to its part of the record.
    assert.ok(
      Math.abs(sum - record.totalMs) <= 50 + phase("fenceOld"),
      `${sum} vs ${record.totalMs}`,
    );
    assert.ok(
      record.totalMs <= outageMs + 100 && outageMs - record.totalMs <= TOLERANCE_MS,
      `recorded ${record.totalMs} ms vs writer outage ${outageMs} ms (tolerance ${TOLERANCE_MS})`,
    );

    // Health endpoints over HTTP: the new leader, a replica, the old leader with MySQL down.
    const follower = cluster.agents.find((a) => a !== leader && a !== next)!;
    assert.equal((await get(port(next), "/primary")).status, 200);
    assert.equal((await get(port(next), "/primary", "HEAD")).status, 200);
    assert.equal((await get(port(next), "/replica")).status, 503);
    await waitFor(
      "the remaining follower to replicate from the new leader",
      async () => (await get(port(follower), "/replica?lag=10s")).status === 200 || undefined,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    const primaryOnFollower = await get(port(follower), "/primary");
    assert.equal(primaryOnFollower.status, 503);
    assert.equal(JSON.parse(primaryOnFollower.text).leader, next.endpoint);
    assert.equal((await get(port(follower), "/primary", "HEAD")).status, 503);
    const oldHealth = await get(port(leader), "/health");
    assert.equal(oldHealth.status, 503);
    assert.match(JSON.parse(oldHealth.text).reason, /MySQL is down/);
    assert.equal((await get(port(leader), "/primary")).status, 503);
    const metrics = parsePrometheusText((await get(port(next), "/metrics")).text);
    const role = metrics.get("xenon_role")!.samples.find((s) => s.labels.role === "LEADER");
    assert.equal(role?.value, 1);
    assert.ok(metrics.size > 5);
    const admin = await get(port(next), "/v1/raft/status");
    assert.equal(admin.status, 404, "the admin API is off without server.enable-apis");

    // What an operator sees (printed for the README), and explain on the dead-MySQL node.
    const table = await cli(["-c", next.configPath, "cluster", "history"]);
    const explained = await cli(["-c", leader.configPath, "raft", "explain"]);
    const dryRun = await cli(["-c", follower.configPath, "cluster", "failover", "--dry-run"]);
    console.log(
      `$ xenon cluster history\n${table.out}\n$ xenon raft explain  # old leader\n` +
        `${explained.out}\n$ xenon cluster failover --dry-run\n${dryRun.out}`,
    );
    assert.match(explained.out, /may not lead: local MySQL is down/);
    assert.match(dryRun.out, new RegExp(`${leader.endpoint}: could not win: local MySQL is down`));
  }
  await assertNoLeaks();
});
