/** `cluster history`, `raft explain` and `cluster failover --dry-run` against stub daemons. */
import assert from "node:assert/strict";
import type { DryRunFailoverResult, ExplainPeer, ExplainResult } from "../../src/model/mod.ts";
import type { FailoverRecord } from "../../src/recorder/mod.ts";
import { cli } from "./_cli.ts";
import { nodesResult, type StubCluster, withStubCluster } from "./_stub.ts";

const run = (c: StubCluster, ...argv: string[]) =>
  cli(["-c", c.configPath, "--timeout", "2s", ...argv]);

function record(c: StubCluster, by: string, phases: [string, number, number][]): FailoverRecord {
  return {
    id: `t7@${c.a.endpoint}`,
    trigger: `no heartbeat from leader ${c.b.endpoint} for 1700 ms`,
    oldLeader: c.b.endpoint,
    newLeader: c.a.endpoint,
    oldTerm: 6,
    newTerm: 7,
    startedAtMs: Math.min(...phases.map((p) => p[1])),
    totalMs: 0,
    phases: phases.map(([name, startMs, durationMs]) => ({
      name: name as FailoverRecord["phases"][number]["name"],
      startMs,
      durationMs,
    })),
    flavor: "mariadb",
    positions: { oldLeader: "0-1-10", newLeader: "0-1-10" },
    verdict: { lost: 0, missing: "", text: "0 transactions lost" },
    recordedBy: by,
  };
}

function members(c: StubCluster, leader = "") {
  const peers = [c.a.endpoint, c.b.endpoint, c.c];
  c.a.answers["NodeRPC.GetNodes"] = nodesResult("FOLLOWER", leader, peers);
}

Deno.test("cluster history: every node's records merged, phases from both leaders; --json; --last", async () => {
  await withStubCluster(async (c) => {
    members(c);
    const t0 = Date.UTC(2024, 0, 2, 3, 4, 5);
    c.a.answers["RaftRPC.History"] = [
      record(c, c.a.endpoint, [
        ["detect", t0, 1700],
        ["elect", t0 + 1700, 120],
        ["catchUp", t0 + 1820, 30],
        ["promote", t0 + 1850, 400],
        ["leaderStartCommand", t0 + 2250, 10],
      ]),
    ];
    c.b.answers["RaftRPC.History"] = [{
      ...record(c, c.b.endpoint, [["fenceOld", t0 + 300, 25]]),
      trigger: "this node (leader of term 6) fenced itself",
    }];
    const json = await run(c, "--json", "cluster", "history");
    assert.equal(json.code, 1, "c did not answer");
    const [merged] = JSON.parse(json.out) as FailoverRecord[];
    assert.deepEqual(merged.phases.map((p) => p.name), [
      "detect",
      "fenceOld",
      "elect",
      "catchUp",
      "promote",
      "leaderStartCommand",
    ]);
    assert.equal(merged.totalMs, 2260);
    assert.equal(merged.recordedBy, c.a.endpoint, "the new leader's record, with the fence added");
    assert.match(merged.trigger, /^no heartbeat from leader/);
    assert.deepEqual(merged.seenBy, [c.a.endpoint, c.b.endpoint].sort());
    assert.deepEqual(c.a.calls.at(-1), { method: "RaftRPC.History", request: { last: 20 } });

    const table = await run(c, "cluster", "history", "--last", "5");
    assert.equal(table.code, 1);
    assert.match(table.out, /2024-01-02 03:04:05Z/);
    assert.match(table.out, new RegExp(`${c.b.endpoint} -> ${c.a.endpoint}`));
    assert.match(table.out, /6 -> 7/);
    assert.match(
      table.out,
      /\|\s+2260 \|\s+1700 \| -\s+\|\s+120 \|\s+25 \|\s+30 \|\s+400 \|\s+10 \|/,
    );
    assert.match(table.out, /0 transactions lost/);
    assert.match(table.out, /\(1 rows\)/);
    assert.match(table.err, /warning: history incomplete: .*127\.0\.0\.1/);

    const bad = await run(c, "cluster", "history", "--last", "0");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--last 0: expected a whole number from 1 to 10000/);
  });
});

function peer(endpoint: string, role: ExplainPeer["role"], position: string): ExplainPeer {
  return {
    endpoint,
    role,
    position,
    dataTerm: 6,
    modeReason: "",
    promotable: { ok: role === "FOLLOWER", reason: role === "FOLLOWER" ? "" : `${role}` },
  };
}

function explainResult(c: StubCluster, self: ExplainPeer, lines: string[]): ExplainResult {
  return {
    self,
    term: 6,
    leader: "",
    voters: [c.a.endpoint, c.b.endpoint, c.c],
    flavor: "mariadb",
    lines,
  };
}

Deno.test("raft explain: asks the members for their data, then this node explains itself", async () => {
  await withStubCluster(async (c) => {
    members(c);
    const b = peer(c.b.endpoint, "FOLLOWER", "0-1-12");
    c.b.answers["RaftRPC.Explain"] = explainResult(c, b, ["b's lines"]);
    c.a.answers["RaftRPC.Explain"] = (request) =>
      explainResult(c, peer(c.a.endpoint, "FOLLOWER", "0-1-10"), [
        "FOLLOWER in term 6 (epoch 2): not campaigning",
        `may not lead: ${request.peers?.[0]?.endpoint} would refuse: its GTID 0-1-10 is behind`,
      ]);
    const { code, out } = await run(c, "raft", "explain");
    assert.equal(code, 0);
    assert.deepEqual(c.a.calls.at(-1), { method: "RaftRPC.Explain", request: { peers: [b] } });
    const lines = out.split("\n");
    assert.equal(lines[0], `${c.a.endpoint}:`);
    assert.equal(lines[1], "  FOLLOWER in term 6 (epoch 2): not campaigning");
    assert.match(lines[2], new RegExp(`may not lead: ${c.b.endpoint} would refuse`));
    assert.match(lines[3], /^ {2}not compared: .*127\.0\.0\.1/);
    const json = JSON.parse((await run(c, "--json", "raft", "explain")).out);
    assert.equal(json.self.endpoint, c.a.endpoint);
    assert.equal(json.unanswered.length, 1);
  });
});

Deno.test("cluster failover: --dry-run prints the daemon's verdict; without it, a one-line refusal", async () => {
  await withStubCluster(async (c) => {
    const verdict: DryRunFailoverResult = {
      leader: c.b.endpoint,
      winner: c.a.endpoint,
      lines: [
        `${c.b.endpoint}: the leader, assumed failed`,
        `${c.a.endpoint}: could win with 2 of 3 votes (need 2)`,
        `${c.c}: could not win: did not answer`,
        `${c.a.endpoint} would win: the only eligible node`,
      ],
      nodes: [peer(c.a.endpoint, "FOLLOWER", "0-1-12"), peer(c.b.endpoint, "LEADER", "0-1-12")],
    };
    c.a.answers["RaftRPC.DryRunFailover"] = verdict;
    const { code, out } = await run(c, "cluster", "failover", "--dry-run");
    assert.equal(code, 0);
    assert.equal(out, verdict.lines.join("\n"));
    assert.deepEqual(c.a.calls.map((x) => x.method), ["RaftRPC.DryRunFailover"]);
    assert.deepEqual(c.b.calls, [], "the CLI asks one daemon; that daemon asks the members");

    const json = await run(c, "--json", "cluster", "failover", "--dry-run");
    assert.deepEqual(JSON.parse(json.out), verdict);

    c.a.answers["RaftRPC.DryRunFailover"] = { ...verdict, winner: null };
    assert.equal((await run(c, "cluster", "failover", "--dry-run")).code, 1, "none could win");

    const unreachable = await run(c, "--endpoint", c.c, "cluster", "failover", "--dry-run");
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.err.split("\n").length, 1);
    assert.match(unreachable.err, new RegExp(`cannot reach xenon at ${c.c}`));

    const refused = await run(c, "cluster", "failover");
    assert.equal(refused.code, 2);
    assert.equal(refused.err.split("\n").length, 1);
    assert.match(refused.err, /only runs with --dry-run; .*raft trytoleader/);
  });
});
