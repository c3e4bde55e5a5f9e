/**
 * Peer RPC authentication on real daemons: a request without the cluster secret is refused with
 * HTTP 401 and one line; a node configured with another secret cannot join (its messages are
 * refused, the cluster keeps its leader and term); the CLI with the right secret works, with the
 * wrong one it is refused in one line, and `cluster status` shows the intruder's refusal.
 */
import assert from "node:assert/strict";
import type { RaftStatusResult } from "../../src/model/mod.ts";
import { cli } from "../cli/_cli.ts";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  type Agent,
  type E2ECluster,
  joinAll,
  sleep,
  startE2ECluster,
  waitFor,
} from "./_cluster.ts";

type ActionResult = { ok: boolean; reason: string };
const WRONG_SECRET = "not-the-cluster-secret-987654321";

async function statusOf(cluster: E2ECluster, a: Agent) {
  return await cluster.call(a, "RaftRPC.Status");
}

Deno.test("auth: unsigned requests get 401, a wrong-secret node cannot join, the CLI needs the secret", async () => {
  {
    await using cluster = await startE2ECluster(3);
    await joinAll(cluster);
    const leader = await cluster.waitForLeader(30_000);
    const before = await statusOf(cluster, leader);

    // 1. No MAC at all: refused before any handler runs.
    for (const method of ["ServerRPC.Ping", "NodeRPC.AddNodes", "RaftRPC.Message"]) {
      const response = await fetch(`http://${leader.endpoint}/rpc/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(method === "NodeRPC.AddNodes" ? { nodes: ["127.0.0.1:1"] } : {}),
      });
      const text = await response.text();
      assert.equal(response.status, 401, `${method}: ${text}`);
      const body = JSON.parse(text) as { error: string; code: string };
      assert.ok(body.error.length > 0 && !body.error.includes("\n"), body.error);
    }
    assert.equal((await cluster.call(leader, "NodeRPC.GetNodes")).peers.length, 3);

    // 2. A node with another secret adds the members and campaigns: every message is refused.
    const { agent: intruder, rpc: intruderRpc } = await cluster.addAgent({ secret: WRONG_SECRET });
    const added = await intruderRpc.call<ActionResult>(intruder.endpoint, "NodeRPC.AddNodes", {
      nodes: cluster.agents.map((a) => a.endpoint),
    }, { timeoutMs: 3000 });
    assert.ok(added.ok, added.reason);
    await sleep(3 * 1500); // three election timeouts of campaigning
    for (const a of cluster.agents) {
      const st = await statusOf(cluster, a);
      assert.equal(st.leader, leader.endpoint, `${a.endpoint} still follows the leader`);
      assert.equal(st.viewId, before.viewId, `${a.endpoint}: no new term`);
      const nodes = await cluster.call(a, "NodeRPC.GetNodes");
      assert.ok(!nodes.peers.includes(intruder.endpoint), "the intruder is no member");
    }
    const intruderState = await intruderRpc.call<RaftStatusResult>(
      intruder.endpoint,
      "RaftRPC.Status",
      {},
      {
        timeoutMs: 3000,
      },
    );
    assert.notEqual(intruderState.state, "LEADER");
    assert.equal(await readOnly(intruder), true, "the intruder's MySQL stays read-only");
    const refusals = cluster.agents.map((a) => refusalLines(a, intruder.endpoint));
    assert.ok(
      refusals.every((lines) => lines.length >= 1),
      `each member logs the intruder's refusal: ${JSON.stringify(refusals)}`,
    );
    assert.ok(
      refusals.every((lines) => lines.length <= 3),
      `refusals are logged once per peer and reason, not per request: ${JSON.stringify(refusals)}`,
    );

    // 3. The CLI signs with the secret from the config it reads.
    const right = await cli(["-c", leader.configPath, "raft", "status"]);
    assert.equal(right.code, 0, right.err);
    assert.equal(JSON.parse(right.stdout).state, "LEADER");
    const wrong = await cli([
      "-c",
      intruder.configPath,
      "--endpoint",
      leader.endpoint,
      "raft",
      "status",
    ]);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stdout, "");
    assert.equal(wrong.err.split("\n").length, 1, wrong.err);
    assert.match(
      wrong.err,
      new RegExp(`^error: .*${leader.endpoint}.*(401|secret|MAC|authent)`, "i"),
    );

    // 4. Made a member by mistake (`cluster add` on the leader), the intruder refuses the leader:
    //    `cluster status` shows it as one UNKNOW row with the refusal, and exits 1.
    const add = await cli(["-c", leader.configPath, "cluster", "add", intruder.endpoint]);
    assert.equal(add.code, 0, add.err);
    const status = await waitFor("cluster status to list the intruder", async () => {
      const r = await cli(["-c", leader.configPath, "--timeout", "2s", "cluster", "status"]);
      return r.out.includes(intruder.endpoint) ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 200 });
    assert.equal(status.code, 1);
    const row = status.out.split("\n").find((l) => l.includes(intruder.endpoint))!;
    assert.match(row, /UNKNOW/);
    assert.match(status.out, /@LEADER/);
    assert.match(status.out, /\(4 rows\)$/);
    assert.match(
      status.err,
      new RegExp(`warning: .*${intruder.endpoint}.*(401|secret|MAC|authent)`, "i"),
    );
    console.log(`cluster status with the intruder:\n${status.out}\n${status.err}`);
    const after = await statusOf(cluster, leader);
    assert.equal(after.state, "LEADER");
  }
  await assertNoLeaks();
});

async function readOnly(a: Agent): Promise<boolean> {
  const rows = await a.instance.query<{ ro: number }>("SELECT @@GLOBAL.read_only AS ro");
  return Number(rows[0].ro) === 1;
}

/** The log lines in which `a` refused a request from `peer`. */
function refusalLines(a: Agent, peer: string): string[] {
  const text = Deno.readTextFileSync(a.logPath);
  return text.split("\n").filter((l) => l.includes("refused a request from") && l.includes(peer));
}
