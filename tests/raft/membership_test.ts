/**
 * One voter change at a time: the leader refuses the next one until a majority of the new voters
 * acknowledged the last, so a leader cut off with a minority cannot shrink the voters down to
 * its side and keep its lease while the others elect a second leader.
 */
import assert from "node:assert/strict";
import type { Message } from "../../src/raft/mod.ts";
import { TestCluster } from "./_cluster.ts";

const FIVE = ["a:1", "b:1", "c:1", "d:1", "e:1"];

function removePeer(c: TestCluster, on: string, endpoint: string) {
  const t = c.apply(on, { type: "admin", now: c.now, command: { kind: "removePeer", endpoint } });
  return t.admin!;
}

Deno.test("removing the voters beyond a partition: the second removal waits, one leader writable", () => {
  const c = new TestCluster(FIVE);
  c.run(6000);
  const [leader] = c.leaders();
  assert.ok(leader && c.writable.has(leader));
  const [a, b, cc] = FIVE.filter((n) => n !== leader);
  const sideOne = new Set([leader, a]);
  const queue = c["queue"] as Message[];
  const deliverAcrossSplit = () => {
    for (let i = 0; i < 10_000 && queue.length > 0; i++) {
      const m = queue.shift()!;
      if (sideOne.has(m.from) !== sideOne.has(m.to)) continue;
      c.apply(m.to, { type: "message", now: c.now, message: m });
    }
  };
  // Right after the split the DBA removes b and c, unreachable, on the leader.
  assert.equal(removePeer(c, leader, b).ok, true);
  const second = removePeer(c, leader, cc);
  assert.equal(second.ok, false);
  assert.equal(
    second.reason,
    "one voter change at a time: the last one (epoch 2) is acknowledged by 1 of 4 voters, " +
      "3 needed; retry once a majority of the voters answers heartbeats",
  );
  let both = "";
  for (let t = 0; t < 10_000 && both === ""; t += 100) {
    c.now += 100;
    for (const n of FIVE) c.apply(n, { type: "tick", now: c.now });
    deliverAcrossSplit();
    if (c.writable.size > 1) both = `${[...c.writable].join(", ")} writable at ${c.now} ms`;
  }
  assert.equal(both, "");
});

Deno.test("on a healthy cluster the next voter change goes through after one heartbeat round", () => {
  const c = new TestCluster(FIVE);
  c.run(6000);
  const [leader] = c.leaders();
  const [, b, cc] = FIVE.filter((n) => n !== leader);
  assert.equal(removePeer(c, leader, b).ok, true);
  c.deliver();
  c.run(1000);
  const second = removePeer(c, leader, cc);
  assert.equal(second.ok, true, second.reason);
  assert.deepEqual(c.state(leader).peers.length, 3);
  assert.equal(removePeer(c, leader, "x:1").reason, "x:1 is not a member");
});
