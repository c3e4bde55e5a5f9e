/** `raft ...` and `xenon ping` against stub daemons: self or --endpoint, exact JSON, refusals. */
import assert from "node:assert/strict";
import { renderTable } from "../../src/cli/table.ts";
import { cli } from "./_cli.ts";
import { healthyButOneDown, nodesResult, type StubCluster, withStubCluster } from "./_stub.ts";

const run = (c: StubCluster, ...argv: string[]) =>
  cli(["-c", c.configPath, "--timeout", "2s", ...argv]);

Deno.test("raft status prints exactly {state, leader, nodes} without a trailing newline", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.a.answers["NodeRPC.GetNodes"] = nodesResult("FOLLOWER", c.b.endpoint, [
      c.a.endpoint,
      c.b.endpoint,
    ], [c.c]);
    const { code, stdout } = await run(c, "raft", "status");
    assert.equal(code, 0);
    assert.equal(
      stdout,
      JSON.stringify({
        state: "FOLLOWER",
        leader: c.b.endpoint,
        nodes: [c.a.endpoint, c.b.endpoint, c.c],
      }),
    );
    const other = await run(c, "--endpoint", c.b.endpoint, "raft", "status");
    assert.equal(JSON.parse(other.stdout).state, "LEADER");
  });
});

Deno.test("raft nodes: one column, (N rows)", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { code, out } = await run(c, "raft", "nodes");
    assert.equal(code, 0);
    assert.equal(out, renderTable(["Nodes"], [[c.a.endpoint], [c.b.endpoint], [c.c]]));
  });
});

Deno.test("raft actions go to self and print the daemon's answer", async () => {
  await withStubCluster(async (c) => {
    const cases: [string[], string][] = [
      [["raft", "enable"], "HARPC.HAEnable"],
      [["raft", "disable"], "HARPC.HADisable"],
      [["raft", "enablepurgebinlog"], "RaftRPC.EnablePurgeBinlog"],
      [["raft", "disablepurgebinlog"], "RaftRPC.DisablePurgeBinlog"],
      [["raft", "enablechecksemisync"], "RaftRPC.EnableCheckSemiSync"],
      [["raft", "disablechecksemisync"], "RaftRPC.DisableCheckSemiSync"],
      [["xenon", "ping"], "ServerRPC.Ping"],
    ];
    for (const [argv, method] of cases) {
      (c.a.answers as Record<string, unknown>)[method] = { ok: true, reason: `did ${method}` };
      const { code, out, err } = await run(c, ...argv);
      assert.equal(code, 0, err);
      assert.equal(out, `${c.a.endpoint}: did ${method}`);
      assert.equal(c.a.calls.at(-1)?.method, method);
      const json = await run(c, "--json", ...argv);
      assert.deepEqual(JSON.parse(json.out), {
        endpoint: c.a.endpoint,
        ok: true,
        reason: `did ${method}`,
      });
    }
    assert.equal(c.b.calls.length, 0, "nothing went to another node");
  });
});

Deno.test("raft add/remove change this node's members only", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.a.answers["NodeRPC.AddNodes"] = { ok: true, reason: "added" };
    c.a.answers["NodeRPC.RemoveNodes"] = { ok: true, reason: "removed" };
    assert.equal(
      (await run(c, "raft", "add", "10.0.0.9:8801,10.0.0.10:8801")).out,
      `${c.a.endpoint}: added`,
    );
    assert.deepEqual(c.a.calls.at(-1), {
      method: "NodeRPC.AddNodes",
      request: { nodes: ["10.0.0.9:8801", "10.0.0.10:8801"] },
    });
    assert.equal((await run(c, "raft", "remove", "10.0.0.9:8801")).code, 0);
    assert.equal(c.b.calls.length, 0, "not forwarded to the leader");
  });
});

Deno.test("raft trytoleader returns once asked; --wait prints the write-block time; a refusal is one line, exit 1", async () => {
  await withStubCluster(async (c) => {
    c.a.answers["HARPC.HATryToLeader"] = { ok: true, reason: "asked leader x to hand over" };
    const asked = await run(c, "raft", "trytoleader");
    assert.equal(asked.code, 0);
    assert.equal(asked.err, "");
    assert.equal(asked.out, `${c.a.endpoint}: asked leader x to hand over`);
    assert.deepEqual(c.a.calls.at(-1), { method: "HARPC.HATryToLeader", request: { wait: false } });
    c.a.answers["HARPC.HATryToLeader"] = { ok: true, reason: "promoted", writeBlockMs: 840 };
    const done = await run(c, "raft", "trytoleader", "--wait");
    assert.equal(done.code, 0);
    assert.equal(done.out, `${c.a.endpoint}: promoted; writes were blocked for 840 ms`);
    assert.deepEqual(c.a.calls.at(-1), { method: "HARPC.HATryToLeader", request: { wait: true } });
    c.a.answers["HARPC.HATryToLeader"] = { ok: false, reason: "MySQL is 120 transactions behind" };
    const refused = await run(c, "raft", "trytoleader");
    assert.equal(refused.code, 1);
    assert.equal(
      refused.err,
      `error: xenon at ${c.a.endpoint} refused to become leader: MySQL is 120 transactions behind`,
    );
  });
});

Deno.test("xenon ping: exit 1 and one line when the daemon is down", async () => {
  await withStubCluster(async (c) => {
    const { code, out, err } = await run(c, "--endpoint", c.c, "xenon", "ping");
    assert.equal(code, 1);
    assert.equal(out, "");
    assert.equal(
      err,
      `error: cannot reach xenon at ${c.c}: connection refused — is 'xenon serve' running? see its log`,
    );
  });
});

Deno.test("a daemon with another cluster key is refused in one line naming the keys to check", async () => {
  await withStubCluster(async (c) => {
    const text = await Deno.readTextFile(c.configPath);
    await Deno.writeTextFile(
      c.configPath,
      text.replace(/"passwd":"[^"]*"/, '"passwd":"another-password-9a8b"'),
    );
    const { code, err } = await run(c, "raft", "status");
    assert.equal(code, 1);
    assert.equal(err.split("\n").length, 1);
    assert.match(err, /cluster-secret/);
    assert.doesNotMatch(err, /another-password/);
  });
});
