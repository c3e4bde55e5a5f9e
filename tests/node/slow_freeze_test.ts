/**
 * A replication freeze that hangs (STOP SLAVE IO_THREAD waiting for an IO thread stuck on a
 * vanished source, about 2 s on MariaDB) runs outside the daemon's event loop: meanwhile the
 * node answers pre-votes and heartbeats and its ticks go on, and when overlapping freezes end,
 * each result goes only to the flow that asked for it. On the daemon's shell over fake ports.
 */
import assert from "node:assert/strict";
import { RAFT_MESSAGE_METHOD } from "../../src/model/mod.ts";
import type { Message } from "../../src/raft/mod.ts";
import { TestCluster } from "../support/test_cluster.ts";

const A = "10.0.0.1:8801";
const B = "10.0.0.2:8801";
const C = "10.0.0.3:8801";

/** Node B alone (A and C exist only in the messages handed in), replicating, its stops hanging. */
async function hangingVoter(): Promise<TestCluster> {
  const c = await TestCluster.create([B], {}, { peers: [A, B, C] });
  await c.run(3100); // past the hold on votes after the start
  c.server(B).source = "10.0.0.1:3306";
  c.server(B).ioRunning = true;
  c.server(B).hanging.add("stopIo");
  return c;
}

function voteFrom(c: TestCluster, from: string): Message {
  const term = c.state(B).term + 1;
  return { kind: "vote", from, to: B, term, position: "0-1-10", dataTerm: 0, transfer: false };
}

function sent(c: TestCluster, kind: Message["kind"]): Message[] {
  return c.steps(B).flatMap((s) => s.effects)
    .flatMap((e) => e.kind === "send" && e.message.kind === kind ? [e.message] : []);
}

Deno.test("slow freeze: while a vote's freeze hangs the node answers a pre-vote and ticks", async () => {
  const c = await hangingVoter();
  const vote = voteFrom(c, A);
  const asked = await c.apply(B, { type: "message", message: vote });
  assert.ok(asked.effects.some((e) => e.kind === "freezeReplication"));
  const preVote: Message = {
    kind: "preVote",
    from: C,
    to: B,
    term: vote.term + 1,
    position: "0-1-10",
    dataTerm: 0,
  };
  const answered = await c.apply(B, { type: "message", message: preVote });
  assert.ok(answered.effects.some((e) => e.kind === "send" && e.message.kind === "preVoteReply"));
  await c.run(1500); // past the old 1 s window for a pending vote
  const ticked = c.steps(B).filter((s) => s.event.type === "tick").map((s) => s.event.now);
  assert.ok(Math.max(...ticked) > asked.event.now + 1400, "the loop stopped ticking");
  assert.deepEqual(sent(c, "voteReply"), [], "vote decided before the freeze ended");
  assert.equal(c.server(B).answerHung(), 1);
  await c.run(100);
  const [reply] = sent(c, "voteReply");
  assert.ok(reply?.kind === "voteReply" && reply.granted, c.log.join("\n"));
  assert.equal(c.server(B).ioRunning, false);
});

Deno.test("slow freeze: a vote's late freeze result does not start following a new leader", async () => {
  const c = await hangingVoter();
  const vote = voteFrom(c, A);
  await c.apply(B, { type: "message", message: vote });
  const heartbeat: Message = {
    kind: "heartbeat",
    from: C,
    to: B,
    term: vote.term,
    epoch: 1,
    peers: [A, B, C],
    idlePeers: [],
    position: "0-1-10",
    termStart: "0-1-10",
    writable: true,
    ranking: [],
    sentAt: c.clock(B),
  };
  // Over the wire, so B learns C's MySQL address as from a real heartbeat.
  const mysql = { host: "10.0.0.3", port: 3306 };
  void c.network.transport(C).call(B, RAFT_MESSAGE_METHOD, { message: heartbeat, mysql }, {
    timeoutMs: 1000,
  });
  await c.deliver();
  const heard = c.steps(B).at(-1)!;
  assert.ok(heard.effects.some((e) => e.kind === "send" && e.message.kind === "heartbeatReply"));
  assert.ok(heard.effects.some((e) => e.kind === "freezeReplication"), "no freeze to follow C");
  // The vote's freeze ends; the follow's starts and hangs in its turn.
  assert.equal(c.server(B).answerHung(), 1);
  await c.run(10);
  assert.equal(c.server(B).source, "10.0.0.1:3306", "followed C on the vote's freeze");
  assert.equal(c.server(B).answerHung(), 1);
  await c.run(10);
  assert.equal(c.server(B).source, "10.0.0.3:3306", c.log.join("\n"));
  assert.equal(c.server(B).ioRunning, true, "a freeze stopped the replication just started");
  assert.equal(c.state(B).replicatingFrom, C);
});
