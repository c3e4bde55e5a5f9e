/**
 * Rebuild refusals and interruptions with real daemons, mariadbd, mariabackup and a loopback
 * sshd: a refusal is one line and touches nothing; --force keeps the old datadir aside; a
 * damaged replica is rebuilt in place; a stream killed mid-way or an agent restarted mid-way
 * leaves the node as it was, and running rebuildme again completes.
 */
import assert from "node:assert/strict";
import { assertNoLeaks, type MariaDBInstance } from "../harness/mod.ts";
import { startSshd } from "../harness/sshd.ts";
import { type E2ECluster, joinAll, startE2ECluster, waitFor } from "../e2e/_cluster.ts";
import { createWorkloadTables } from "../e2e/_workload.ts";
import { processesMentioning } from "../../src/sandbox/procs.ts";
import { processTree } from "../../src/backup/process_tree.ts";
import type { ResultOf } from "../../src/model/mod.ts";
import { addThroughLeader, assertSameData, backupConfig, emptyDatadir, xenon } from "./_rebuild.ts";

async function seed(cluster: E2ECluster, rows: number): Promise<void> {
  await joinAll(cluster);
  const leader = await cluster.waitForLeader(30_000);
  await createWorkloadTables(leader.instance);
  await leader.instance.query("CREATE TABLE app.seed (id INT PRIMARY KEY, pad VARCHAR(200))");
  await leader.instance.query(
    `INSERT INTO app.seed SELECT seq, REPEAT('x', 200) FROM app.seq_1_to_${rows}`,
  );
  await leader.instance.query("INSERT INTO app.acked VALUES (1, 1)");
}

/** What a refusal must leave as it was: the rows, the datadir's entries, no rebuild files. */
async function untouched(instance: MariaDBInstance): Promise<string> {
  const [sum] = await instance.query<{ Checksum: number }>("CHECKSUM TABLE app.seed");
  const entries = [...Deno.readDirSync(instance.dataDir)].map((e) => e.name).sort().join(",");
  const siblings = [...Deno.readDirSync(`${instance.dataDir}/..`)].map((e) => e.name)
    .filter((n) => /xenon-staging|before-rebuild/.test(n));
  return JSON.stringify({ sum: sum.Checksum, entries, siblings });
}

function oneErrorLine(run: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], pattern);
}

Deno.test("rebuild refusals are one line and touch nothing; --force keeps the old datadir aside; --init-config", async () => {
  {
    await using sshd = await startSshd();
    await using cluster = await startE2ECluster(3, { supervised: true, extra: backupConfig(sshd) });
    await seed(cluster, 500);
    const leader = await cluster.waitForLeader(30_000);
    const follower = cluster.agents.find((a) => a !== leader)!;

    const before = await untouched(leader.instance);
    oneErrorLine(
      await xenon(leader, "mysql", "rebuildme"),
      /^error: rebuild failed: this node is the leader/,
    );
    assert.equal(await untouched(leader.instance), before);

    // A transaction only this follower has (written around read_only by root).
    await follower.instance.query("INSERT INTO app.seed VALUES (100000, 'errant')");
    const errantBefore = await untouched(follower.instance);
    oneErrorLine(
      await xenon(follower, "mysql", "rebuildme"),
      /^error: rebuild failed: this node has transactions donor \S+ lacks \(domain 0: .*\): they would be lost; rebuild with --force/,
    );
    assert.equal(await untouched(follower.instance), errantBefore);

    const forced = await xenon(follower, "mysql", "rebuildme", "--force");
    assert.equal(
      forced.code,
      0,
      `${forced.stdout}\n${forced.stderr}\n${cluster.logTail(follower, 20)}`,
    );
    const aside = /the old datadir is kept at (\S+)/.exec(forced.stdout)?.[1];
    assert.ok(aside, forced.stdout);
    assert.ok(Deno.statSync(`${aside}/app/seed.ibd`).isFile, "the old datadir is intact aside");
    await assertSameData((await cluster.waitForLeader(30_000)).instance, follower.instance);
    await Deno.remove(aside, { recursive: true });

    // backup --to: a prepared hot backup of this node into a new directory, with its figures.
    const to = await Deno.makeTempDir({ prefix: "xenon-backup-to-" });
    try {
      const backup = await xenon(
        follower,
        "mysql",
        "backup",
        "--to",
        `${to}/b`,
        "--from",
        follower.endpoint,
      );
      assert.equal(backup.code, 0, `${backup.stdout}\n${backup.stderr}`);
      assert.match(backup.stdout, /streamed [\d.]+ MiB in [\d.]+ s \([\d.]+ MiB\/s\)/);
      assert.match(backup.stdout, /backup done in [\d.]+ s/);
      assert.match(
        await Deno.readTextFile(`${to}/b/xtrabackup_checkpoints`),
        /backup_type = (log-applied|full-prepared)/,
      );
      oneErrorLine(
        await xenon(follower, "mysql", "backup", "--to", `${to}/b`),
        /^error: backup failed: --to \S+ is not empty: give a new or empty directory$/,
      );
    } finally {
      await Deno.remove(to, { recursive: true });
    }

    // A node whose my.cnf is missing: its daemon waits in the rebuild-only mode.
    const { agent: bare } = await cluster.addAgent({
      config: (instance) => ({ backup: { backupdir: instance.dataDir } }),
      beforeStart: async (instance) => {
        await instance.stop();
        await Deno.remove(instance.cnfPath);
        await emptyDatadir(instance);
      },
    });
    oneErrorLine(
      await xenon(bare, "mysql", "rebuildme", "--from", follower.endpoint),
      /^error: rebuild failed: mysql\.defaults-file \S+ does not exist: write the my\.cnf .*, or run rebuildme --init-config/,
    );
    assert.deepEqual([...Deno.readDirSync(bare.instance.dataDir)], [], "nothing written");
    // --init-config writes a minimal my.cnf from the donor's settings, then rebuilds.
    await addThroughLeader(cluster, bare, follower);
    const init = await xenon(
      bare,
      "mysql",
      "rebuildme",
      "--from",
      follower.endpoint,
      "--init-config",
    );
    assert.equal(init.code, 0, `${init.stdout}\n${init.stderr}\n${cluster.logTail(bare, 20)}`);
    const cnf = await Deno.readTextFile(bare.instance.cnfPath);
    assert.match(cnf, /^# Written by xenon mysql rebuildme --init-config from donor/);
    assert.match(cnf, new RegExp(`^datadir=${bare.instance.dataDir}$`, "m"));
    assert.match(cnf, /^gtid_strict_mode=ON$/m);
    await assertSameData((await cluster.waitForLeader(30_000)).instance, bare.instance);
  }
  await assertNoLeaks();
});

/** Waits until the receiver's extractor runs (the stream is under way), then returns its pids. */
async function extractorPids(instance: MariaDBInstance): Promise<number[]> {
  return await waitFor("the stream to be under way", () => {
    const pids = processesMentioning(`${instance.dataDir}.xenon-staging`)
      .filter((p) => p.comm === "mbstream").map((p) => p.pid);
    return pids.length > 0 ? pids : undefined;
  }, { timeoutMs: 60_000, intervalMs: 50 });
}

Deno.test("a damaged replica is rebuilt in place; a killed stream or agent leaves it as it was and a re-run completes", async () => {
  {
    await using sshd = await startSshd();
    // Throttled so that each stream lasts long enough to be interrupted.
    await using cluster = await startE2ECluster(3, {
      supervised: true,
      extra: backupConfig(sshd, { "backup-iops-limits": 20 }),
    });
    await seed(cluster, 3000);
    const leader = await cluster.waitForLeader(30_000);
    const [victim] = cluster.agents.filter((a) => a !== leader);

    // Damage while stopped: a table's tablespace is gone.
    const down = await xenon(victim, "mysql", "shutdown");
    assert.equal(down.code, 0, down.stderr);
    await Deno.remove(`${victim.instance.dataDir}/app/seed.ibd`);
    const up = await xenon(victim, "mysql", "start");
    assert.equal(up.code, 0, up.stderr);
    await waitFor("the damaged server to answer again", async () => {
      const st = await cluster.call(victim, "MysqlRPC.Status").catch(() => null);
      return st?.status === "ALIVE" || undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    // The agent's sample may say ALIVE a moment before the server takes TCP clients again.
    const damage = await waitFor("the damaged table's error", async () => {
      try {
        await victim.instance.query("SELECT COUNT(*) FROM app.seed");
        return "the table still answered";
      } catch (error) {
        const text = String(error);
        return /ECONNREFUSED|Connection lost/.test(text) ? undefined : text;
      }
    }, { timeoutMs: 30_000, intervalMs: 200 });
    assert.match(damage, /doesn't exist|missing|discarded/i);

    // 1. The stream is cut on the receiver's side: the rebuild fails cleanly.
    const cut = xenon(victim, "mysql", "rebuildme");
    for (const pid of await extractorPids(victim.instance)) Deno.kill(pid, "SIGKILL");
    const failed = await cut;
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(
      failed.stderr,
      /^error: rebuild failed: the stream from \S+ failed: ssh to 127\.0\.0\.1 failed/,
    );
    assert.equal((await cluster.call(victim, "RaftRPC.Status")).state, "FOLLOWER");
    assert.equal((await cluster.call(victim, "MysqlRPC.Status")).status, "ALIVE");

    // 2. cancelbackup on the rebuilding node ends the donor's whole pipeline.
    const detached = await xenon(victim, "mysql", "rebuildme", "--detach");
    assert.equal(detached.code, 0, detached.stderr);
    await extractorPids(victim.instance);
    const donorEndpoint = (await cluster.call(victim, "RebuildRPC.Status")).donor;
    const donor = cluster.agents.find((a) => a.endpoint === donorEndpoint)!;
    assert.match(
      (await cluster.call(donor, "MysqldRPC.Status")).backupInfo,
      /^State:\[BACKUPING\]/,
    );
    assert.match(
      (await cluster.call(victim, "MysqldRPC.Status")).backupInfo,
      /^State:\[REBUILDING\], Phase:\[streaming\]/,
    );
    const canceled = await xenon(victim, "mysql", "cancelbackup");
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.match(
      canceled.stdout,
      /canceled the rebuild at its stream from \S+; nothing was changed/,
    );
    assert.deepEqual(
      processesMentioning(`${victim.instance.dataDir}.xenon-staging`).map((p) => p.comm),
      [],
      "no ssh or extractor left",
    );
    assert.deepEqual(processTree(donor.pid()!), [donor.pid()], "no backup tool left on the donor");
    assert.equal((await cluster.call(donor, "BackupRPC.Status")).outcome, "canceled");
    assert.equal((await cluster.call(victim, "RaftRPC.Status")).state, "FOLLOWER");

    // 3. The agent is killed mid-stream and restarted: its state says so; a re-run completes.
    const started = await xenon(victim, "mysql", "rebuildme", "--detach");
    assert.equal(started.code, 0, started.stderr);
    await extractorPids(victim.instance);
    await victim.kill("SIGKILL");
    victim.start();
    const status = await waitFor(
      "the restarted agent to report the interrupted rebuild",
      async () => {
        const r = await xenon(victim, "mysql", "rebuildstatus");
        return r.code !== 0 && /interrupted at streaming by an agent restart/.test(r.stderr)
          ? r
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(status.stderr.trim().split("\n").length, 1);

    const rerun = await xenon(victim, "mysql", "rebuildme");
    assert.equal(rerun.code, 0, `${rerun.stdout}\n${rerun.stderr}\n${cluster.logTail(victim, 20)}`);
    await assertSameData((await cluster.waitForLeader(30_000)).instance, victim.instance);

    // 4. A failover during the stream: its donor becomes the leader. Its backup is a consistent
    // copy of the history the new leader continues, so the rebuild completes from it.
    const oldLeader = await cluster.waitForLeader(30_000);
    const next = cluster.agents.find((a) => a !== victim && a !== oldLeader)!;
    const detachedAgain = await xenon(
      victim,
      "mysql",
      "rebuildme",
      "--from",
      next.endpoint,
      "--detach",
    );
    assert.equal(detachedAgain.code, 0, detachedAgain.stderr);
    await extractorPids(victim.instance);
    const switched = await cluster.rpc.call<ResultOf<"HARPC.HATryToLeader">>(
      next.endpoint,
      "HARPC.HATryToLeader",
      {},
      {
        timeoutMs: 30_000,
      },
    );
    assert.ok(switched.ok, switched.reason);
    const followed = await xenon(victim, "mysql", "rebuildstatus");
    if (followed.code !== 0) {
      // Under load an election may follow and make the node being rebuilt the leader: the check
      // right before anything moves refuses then, and nothing was changed.
      oneErrorLine(followed, /^error: rebuild failed: this node is the leader/);
      assert.equal((await cluster.call(victim, "RaftRPC.Status")).state, "LEADER");
      assert.equal((await cluster.call(victim, "MysqlRPC.Status")).status, "ALIVE");
    } else {
      await assertSameData((await cluster.waitForLeader(30_000)).instance, victim.instance);
    }
  }
  await assertNoLeaks();
});
