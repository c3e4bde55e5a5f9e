/**
 * One voter change at a time: the leader refuses the next one until a majority of the new voters
 * acknowledged the last, so a leader cut off with a minority cannot shrink the voters down to
 * its side and keep its lease while the others elect a second leader.
 */
import assert from "node:assert/strict";
import { TestCluster } from "../support/test_cluster.ts";

const FIVE = ["a:1", "b:1", "c:1", "d:1", "e:1"];

async function removePeer(c: TestCluster, on: string, endpoint: string) {
  const t = await c.apply(on, { type: "admin", command: { kind: "removePeer", endpoint } });
  return t.admin!;
}

Deno.test("removing the voters beyond a partition: the second removal waits, one leader writable", async () => {
  const c = await TestCluster.create(FIVE);
  await c.run(6000);
  const [leader] = c.leaders();
  assert.ok(leader && c.writable.has(leader));
  const [a, b, cc] = FIVE.filter((n) => n !== leader);
  const sideOne = new Set([leader, a]);
  c.network.blocked = (from, to) => sideOne.has(from) !== sideOne.has(to);
  // Right after the split the DBA removes b and c, unreachable, on the leader.
  assert.equal((await removePeer(c, leader, b)).ok, true);
  const second = await removePeer(c, leader, cc);
  assert.equal(second.ok, false);
  assert.equal(
    second.reason,
    "one voter change at a time: the last one (epoch 2) is acknowledged by 1 of 4 voters, " +
      "3 needed; retry once a majority of the voters answers heartbeats",
  );
  let both = "";
  for (let t = 0; t < 10_000 && both === ""; t += 100) {
    await c.run(100);
    if (c.writable.size > 1) both = `${[...c.writable].join(", ")} writable at ${c.now} ms`;
  }
  assert.equal(both, "");
});

Deno.test("on a healthy cluster the next voter change goes through after one heartbeat round", async () => {
  const c = await TestCluster.create(FIVE);
  await c.run(6000);
  const [leader] = c.leaders();
  const [, b, cc] = FIVE.filter((n) => n !== leader);
  assert.equal((await removePeer(c, leader, b)).ok, true);
  await c.deliver();
  await c.run(1000);
  const second = await removePeer(c, leader, cc);
  assert.equal(second.ok, true, second.reason);
  assert.deepEqual(c.state(leader).peers.length, 3);
  assert.equal((await removePeer(c, leader, "x:1")).reason, "x:1 is not a member");
});

Deno.test("a voter change the next leader lacks gives way to that leader's membership", async () => {
  const c = await TestCluster.create(FIVE);
  await c.run(6000);
  const [old] = c.leaders();
  const removed = FIVE.find((n) => n !== old)!;
  c.cut.add(old); // nobody hears of the change
  assert.equal((await removePeer(c, old, removed)).ok, true);
  assert.equal(c.state(old).epoch, 2);
  await c.run(8000); // the old leader's lease ends; the others elect one in epoch 1
  const [next] = c.leaders();
  assert.ok(next !== undefined && next !== old, c.log.join("\n"));
  assert.equal(c.state(next).epoch, 1);
  c.cut.delete(old);
  await c.run(3000);
  // Kept, epoch 2 would count 4 voters where the leader counts 5 (and the removed one acks it).
  assert.equal(c.state(old).epoch, 1, c.log.join("\n"));
  assert.ok(c.state(old).peers.includes(removed));
});
