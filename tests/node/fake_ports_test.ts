/**
 * The daemon's own event loop, effect executor and poller (src/node) on in-memory ports and a
 * clock the test moves: three nodes elect one writable leader that the others replicate from,
 * and when the leader is cut off it fences itself before another one becomes writable. What
 * runs here is the code a database host runs, only its ports are not real (issue 11).
 */
import assert from "node:assert/strict";
import { TestCluster } from "../support/test_cluster.ts";

const NAMES = ["10.0.0.1:8801", "10.0.0.2:8801", "10.0.0.3:8801"];

/** Three agents whose pollers sample their MySQL on their timers, as the daemon's do. */
const started = () => TestCluster.create(NAMES, {}, { polling: true });

/** The only writable node. */
function writableLeader(c: TestCluster): string {
  const [leader, ...more] = c.writable;
  assert.ok(leader !== undefined && more.length === 0, `writable: ${[...c.writable]}`);
  assert.ok(c.state(leader).role === "LEADER", `${leader} is writable but not the leader`);
  return leader;
}

Deno.test("fake ports: one writable leader, the others read-only and replicating from it", async () => {
  const c = await started();
  await c.run(15_000);
  const leader = writableLeader(c);
  assert.equal(c.server(leader).waitCount, 1, "semi-sync waits for one of two replicas");
  assert.equal(c.commands(leader).at(-1), `start ${c.state(leader).term}`);
  for (const n of NAMES.filter((n) => n !== leader)) {
    assert.equal(c.server(n).readOnly, true, `${n} is writable`);
    assert.equal(c.server(n).source, `${c.server(leader).address.host}:3306`);
  }
  assert.deepEqual(c.fatal, []);
});

Deno.test("fake ports: a leader cut off fences itself before another becomes writable", async () => {
  const c = await started();
  await c.run(15_000);
  const old = writableLeader(c);
  const oldTerm = c.state(old).term;
  c.cut.add(old);
  // The old leader must be read-only at every step from the moment another one is writable.
  let overlap = false;
  for (let t = 0; t < 15_000; t += 50) {
    await c.run(50);
    if (c.writable.size > 1) overlap = true;
  }
  assert.equal(overlap, false, "two writable servers at once");
  const next = writableLeader(c);
  assert.ok(next !== old, "no new writable leader");
  assert.ok(c.state(next).term > oldTerm);
  assert.equal(c.server(old).readOnly, true);
  assert.ok(c.commands(old).includes(`stop ${oldTerm}`), c.commands(old).join(", "));
});
