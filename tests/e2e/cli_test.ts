/**
 * The field-notes workflow through the real command line (`deno run -A main.ts`, and the
 * `xenoncli` launcher for the operator's `raft status`) against real daemons on MariaDB.
 */
import assert from "node:assert/strict";
import { assertNoLeaks } from "../harness/mod.ts";
import { type Agent, startE2ECluster, waitFor } from "./_cluster.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const COLUMNS = [
  "ID",
  "Raft",
  "Mysqld",
  "Monitor",
  "Backup",
  "Mysql",
  "IO/SQL_RUNNING",
  "MyLeader",
  "Apply_Backlog",
  "Failover_Forecast",
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One command line, as an operator types it on `agent`'s host. */
async function xenon(agent: Agent, ...argv: string[]): Promise<Run> {
  return await exec(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}main.ts`,
    "-c",
    agent.configPath,
    ...argv,
  ]);
}

async function exec(command: string, args: string[]): Promise<Run> {
  const out = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(45_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** The cells of each data row of one of xenoncli's tables (continuation lines skipped). */
function rows(table: string): string[][] {
  return table.split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
}

Deno.test("cli: field-notes workflow with the real command line", async () => {
  {
    await using cluster = await startE2ECluster(3);
    const [a, b] = cluster.agents;
    const all = cluster.agents.map((x) => x.endpoint);

    // On each host: `xenoncli cluster add` the others (the original's workflow).
    for (const agent of cluster.agents) {
      const others = all.filter((e) => e !== agent.endpoint).join(",");
      const r = await xenon(agent, "cluster", "add", others);
      assert.equal(r.code, 0, r.stderr);
      // "add B,C on A (no leader found)" then "A: added voter B (epoch 1); ...".
      assert.match(r.stdout, new RegExp(`^add ${others} on \\S+:\\d+`), r.stdout);
      assert.match(r.stdout, /^\S+:\d+: .+/m, r.stdout);
    }
    const leader = await cluster.waitForLeader(30_000);

    let last: Run | undefined;
    const status = await waitFor("cluster status: a leader, followers replicating", async () => {
      const r = last = await xenon(a, "cluster", "status");
      const replicating = rows(r.stdout).filter((row) => row[1]?.endsWith("@FOLLOWER"))
        .every((row) => row[6] === "[true/true]");
      return r.code === 0 && replicating ? r : undefined;
    }, { timeoutMs: 20_000, intervalMs: 500, explain: () => JSON.stringify(last) });
    const table = rows(status.stdout);
    assert.deepEqual(table[0], COLUMNS, "the original's columns");
    const data = table.slice(1).filter((r) => r[0] !== "");
    assert.deepEqual(data.map((r) => r[0]).toSorted(), all.toSorted());
    const leaders = data.filter((r) => r[1].endsWith("@LEADER"));
    assert.equal(leaders.length, 1, status.stdout);
    assert.equal(leaders[0][0], leader.endpoint);
    assert.match(leaders[0][5], /\[ALIVE\] \[READWRITE\]/);
    for (const r of data.filter((r) => r !== leaders[0])) {
      assert.match(r[1], /^\[ViewID:\d+ EpochID:\d+\]@FOLLOWER$/);
      assert.match(r[5], /\[ALIVE\] \[READONLY\]/);
      assert.equal(r[6], "[true/true]");
      assert.equal(r[7], leader.endpoint);
    }
    assert.match(status.stdout, /\(3 rows\)\n?$/);
    assert.equal(status.stderr, "");

    const gtid = await xenon(b, "cluster", "gtid", "json");
    assert.equal(gtid.code, 0, gtid.stderr);
    const parsed = JSON.parse(gtid.stdout) as { gtid: Record<string, string>[] };
    assert.equal(parsed.gtid.length, 3);
    assert.equal(parsed.gtid.at(-1)!.id, leader.endpoint, "the leader last");
    assert.equal(parsed.gtid.at(-1)!.raft, "LEADER");
    for (const g of parsed.gtid) {
      assert.deepEqual(Object.keys(g), [
        "id",
        "raft",
        "mysql",
        "executed-gtid-set",
        "retrieved-gtid-set",
      ]);
      assert.equal(g.mysql, "ALIVE");
    }

    // The operator's probe, through the launcher named as the original binary.
    const follower = cluster.agents.find((x) => x !== leader)!;
    const raft = await exec(`${ROOT}bin/xenoncli`, ["-c", follower.configPath, "raft", "status"]);
    assert.equal(raft.code, 0, raft.stderr);
    assert.deepEqual(JSON.parse(raft.stdout), {
      state: "FOLLOWER",
      leader: leader.endpoint,
      nodes: JSON.parse(raft.stdout).nodes,
    });
    assert.deepEqual([...JSON.parse(raft.stdout).nodes].toSorted(), all.toSorted());

    // Planned switchover to a follower: it prints how long writes were blocked.
    const switched = await xenon(follower, "raft", "trytoleader", "--wait");
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(
      switched.stdout.trim(),
      new RegExp(`^${follower.endpoint}: .*; writes were blocked for \\d+ ms$`),
    );
    const next = await cluster.waitForLeader(20_000);
    assert.equal(next, follower);

    // With the local daemon down: one line naming the endpoint, exit 1.
    const down = cluster.agents.find((x) => x !== follower)!;
    await down.kill("SIGKILL");
    for (const argv of [["raft", "status"], ["cluster", "status"], ["xenon", "ping"]]) {
      const r = await xenon(down, ...argv);
      assert.equal(r.code, 1, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, "", argv.join(" "));
      assert.equal(
        r.stderr,
        `error: cannot reach xenon at ${down.endpoint}: connection refused — ` +
          `is 'xenon serve' running? see its log\n`,
        argv.join(" "),
      );
    }
  }
  await assertNoLeaks();
});
