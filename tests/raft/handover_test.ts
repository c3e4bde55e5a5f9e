/**
 * A hand-over releases the lease only after the shell confirmed the fence: with a failed fence
 * the voters must wait the lease out, as they would for a leader that went silent.
 */
import assert from "node:assert/strict";
import type { Message } from "../../src/raft/mod.ts";
import { TestCluster } from "../support/test_cluster.ts";

const ABC = ["a:1", "b:1", "c:1"];

async function handOverFrom(c: TestCluster) {
  await c.run(6000);
  const [old] = c.leaders();
  assert.ok(old, c.log.join("\n"));
  assert.ok(c.writable.has(old), "the leader was writable before the hand-over");
  const target = ABC.find((n) => n !== old)!;
  const released: Message[] = [];
  const term = c.state(old).term;
  const t = await c.apply(old, {
    type: "message",
    message: { kind: "transfer", from: target, to: old, term },
  });
  for (const e of t.effects) {
    if (e.kind === "send" && e.message.kind === "leaseReleased") released.push(e.message);
  }
  return { old, target, released };
}

Deno.test("a hand-over releases the lease after the fence is confirmed, not before", async () => {
  const c = await TestCluster.create(ABC);
  c.fenceReport = "none";
  const { old, released: early } = await handOverFrom(c);
  assert.deepEqual(early, []);
  const term = c.state(old).term;
  // The transfer's own transition fences but sends no release yet; the shell's `fenced` does.
  const t = await c.answerFence(old);
  assert.ok(t?.event.type === "fenced", "the shell reported the fence");
  assert.equal(t.event.term, term);
  const released = t.effects.filter((e) => e.kind === "send" && e.message.kind === "leaseReleased");
  assert.equal(released.length, 2, c.log.join("\n"));
  const again = await c.apply(old, { type: "fenced", term, ok: true });
  assert.equal(again.effects.length, 0, "one release per hand-over");
});

Deno.test("a failed fence releases no lease: the voters wait it out", async () => {
  const c = await TestCluster.create(ABC);
  c.fenceReport = "failed";
  const { old, released } = await handOverFrom(c);
  assert.deepEqual(released, []);
  assert.ok(c.log.some((l) => l.startsWith(`${old}: fence failed`)), c.log.join("\n"));
  await c.deliver();
  // No vote is granted within the old lease: no leader for most of one election timeout.
  await c.run(1000);
  assert.deepEqual(c.leaders(), [], c.log.join("\n"));
});

Deno.test("a leader stepping down runs leader-stop-command (the VIP) while its fence still runs", async () => {
  const c = await TestCluster.create(ABC);
  c.fenceReport = "none";
  const { old } = await handOverFrom(c);
  const term = c.state(old).term;
  // A fence can take seconds (a hard restart when commits wait for acks); the VIP need not wait.
  assert.ok(c.commands(old).includes(`stop ${term}`), c.commands(old).join(", "));
  await c.answerFence(old);
});
Deno.test("a fence reported for an older term releases nothing", async () => {
  const c = await TestCluster.create(ABC);
  c.fenceReport = "none";
  const { old } = await handOverFrom(c);
  const term = c.state(old).term;
  // The fence still runs (the loop waits for it): the pure core answers the stale report.
  const t = c.coreStep(old, { type: "fenced", term: term - 1, ok: true });
  assert.equal(t.effects.length, 0);
  await c.answerFence(old);
});

Deno.test("an idle leader hands over with the third voter down: its vote goes to equal data", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [old] = c.leaders();
  const [target, down] = ABC.filter((n) => n !== old);
  c.cut.add(down);
  const t = await c.apply(target, { type: "admin", command: { kind: "tryToLead" } });
  assert.equal(t.admin?.ok, true, t.admin?.reason);
  await c.run(1000);
  assert.deepEqual(c.leaders(), [target], c.log.join("\n"));
  assert.deepEqual([...c.writable], [target]);
  const granted = c.log.find((l) => l.startsWith(`${old}: send: vote granted to ${target}`));
  assert.ok(granted, c.log.join("\n"));
});

/** The leader steps down cut off, then hears a vote request for `position` at data term 0. */
async function voteOfFormerLeader(wrote: boolean): Promise<string> {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [old] = c.leaders();
  const candidate = ABC.find((n) => n !== old)!;
  if (wrote) {
    c.positions.set(old, "0-1-11");
    await c.observe(old);
  }
  c.cut.add(old);
  await c.run(4000);
  assert.deepEqual(c.leaders().filter((n) => n === old), [], "the cut-off leader stepped down");
  const term = c.state(old).term + 1;
  const vote = { kind: "vote" as const, from: candidate, to: old, term, dataTerm: 0 };
  const t = await c.apply(old, {
    type: "message",
    message: { ...vote, position: "0-1-11", transfer: false },
  });
  assert.ok(t.effects.some((e) => e.kind === "freezeReplication"));
  const mark = c.log.length;
  await c.run(0);
  return c.log.slice(mark).find((l) => l.startsWith(`${old}: send: vote `)) ?? c.log.join("\n");
}

Deno.test("a former leader that wrote in its term refuses older data at the same GTID", async () => {
  // 0-1-11 at data term 0 is another history's transaction under a reused GTID (a truncated,
  // unacknowledged tail): only the data term tells it from the leader's own write.
  assert.match(
    await voteOfFormerLeader(true),
    /vote denied to .*: its data follows term 0's leader/,
  );
  // Without a write of its term its data is what it was before: the candidate is ahead.
  assert.match(await voteOfFormerLeader(false), /vote granted to /);
});
