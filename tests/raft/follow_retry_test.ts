/**
 * A follower whose CHANGE MASTER failed (a lock wait timeout, a lost session) is told so by the
 * shell and points its replication at the leader again, with a growing pause between attempts.
 */
import assert from "node:assert/strict";
import { TestCluster } from "../support/test_cluster.ts";

const ABC = ["a:1", "b:1", "c:1"];

Deno.test("a CHANGE MASTER that failed is retried: the follower replicates and acks again", async () => {
  const c = await TestCluster.create(ABC);
  for (const n of ABC) c.server(n).failing.set("changeMaster", 1);
  await c.run(6000);
  const [leader] = c.leaders();
  assert.ok(leader, c.log.join("\n"));
  await c.run(2000);
  for (const n of ABC.filter((x) => x !== leader)) {
    assert.equal(c.server(n).source, `${leader.split(":")[0]}:3306`, c.log.join("\n"));
    assert.ok(c.log.some((l) => l.startsWith(`${n}: replication from ${leader} not started: `)));
  }
});

Deno.test("a CHANGE MASTER that keeps failing is retried less and less often", async () => {
  const c = await TestCluster.create(ABC);
  for (const n of ABC) c.server(n).failing.set("changeMaster", 1000);
  await c.run(30_000);
  const [leader] = c.leaders();
  const follower = ABC.find((n) => n !== leader)!;
  const tries = c.timeline.filter((e) => e.line.startsWith(`${follower}: changeMaster: `))
    .map((e) => e.at);
  const gaps = tries.slice(1).map((t, i) => t - tries[i]);
  assert.ok(tries.length >= 4 && tries.length <= 20, `${tries.length} attempts: ${tries}`);
  assert.ok(gaps.at(-1)! > gaps[0], `the pause grows: ${gaps}`);
  assert.ok(Math.max(...gaps) <= 3100, `at most one election timeout between tries: ${gaps}`);
});
