/**
 * The faults of src/sim/faults.ts scripted one at a time, and the invariants that must catch
 * what the MariaDB model allows: an OK no replica acknowledged, a stale read through the VIP.
 */
import assert from "node:assert/strict";
import type { World } from "../../src/sim/world.ts";
import { leader, run, world } from "./_world.ts";

Deno.test("wall-clock jumps change no decision: the shell's leases run on the monotonic clock", async () => {
  const plain = world(3, 23);
  const jumped = world(3, 23);
  await run(plain, 8000);
  await run(jumped, 8000);
  for (const [i, n] of jumped.nodes.entries()) n.armed.wallJumpMs = (i % 2 ? -1 : 1) * 3_600_000;
  for (const w of [plain, jumped]) {
    const l = leader(w);
    for (const o of w.nodes) if (o !== l) w.net.block(l.id, o.id), w.net.block(o.id, l.id);
    await run(w, 15_000);
    w.net.heal();
    await run(w, 10_000);
  }
  const figures = (w: World) => [w.steps, w.elections, w.inv.ackedCount, leader(w).id];
  assert.deepEqual(figures(jumped), figures(plain));
});

Deno.test("power loss of a primary with sync_binlog=1, innodb_flush_log_at_trx_commit=1 raised to 3", async () => {
  const w = world(3, 29);
  await run(w, 8000);
  const old = leader(w);
  // master-sysvars set 1/1; the promote raises the flush so a truncating restart keeps commits.
  assert.deepEqual(old.mysql.durability, { syncBinlog: 1, flushAtCommit: 3 }, "master-sysvars");
  const acked = w.inv.ackedCount;
  assert.ok(acked > 0);
  w.crashAgent(old);
  assert.equal(old.mysql.losePower(), 0, "nothing committed was lost");
  await run(w, 15_000);
  assert.notEqual(leader(w), old);
  w.restartMysql(old, true);
  w.startAgent(old);
  await run(w, 10_000);
  assert.ok(w.inv.ackedCount > acked);
});

Deno.test("a full disk under peers.json: the node fences and stops, systemd starts it again", async () => {
  const w = world(3, 31);
  await run(w, 8000);
  const old = leader(w);
  const first = old.proc;
  old.armed.diskFullUntil = w.now + 20_000;
  // A term change must be written: the others elect without it, it hears the new term.
  for (const o of w.nodes) if (o !== old) w.net.block(old.id, o.id), w.net.block(o.id, old.id);
  await run(w, 6000);
  w.net.heal();
  await run(w, 3000);
  assert.ok(w.faults.get("disk full")! > 0, "a write of peers.json failed");
  assert.ok(w.trace.some((l) => l.includes(`${old.id} agent stops: cannot write peers.json`)));
  assert.ok(!old.mysql.alive || old.mysql.readOnly, "fenced before it stopped");
  await run(w, 25_000);
  assert.notEqual(old.proc, first, "started again");
  assert.equal(old.agent, "running");
  leader(w);
});

Deno.test("a leader whose agent cannot reach its mysqld has it stopped hard, then fails over", async () => {
  const w = world(3, 37);
  await run(w, 8000);
  const old = leader(w);
  old.armed.mysqlUnreachable = true;
  await run(w, 20_000);
  const next = leader(w);
  assert.notEqual(next, old);
  assert.ok(!old.mysql.alive || old.mysql.readOnly, "the old primary takes no writes");
  old.armed.mysqlUnreachable = false;
  await run(w, 10_000);
});

Deno.test("a paused (SIGSTOPped) mysqld on the leader: a new leader, nothing acknowledged lost", async () => {
  const w = world(3, 41);
  await run(w, 8000);
  const old = leader(w);
  w.pauseMysqld(old);
  await run(w, 20_000);
  assert.notEqual(leader(w), old);
  w.resumeMysqld(old);
  await run(w, 10_000);
  assert.ok(!old.mysql.alive || old.mysql.readOnly);
});

Deno.test("the invariants catch an OK that no replica acknowledged (semi-sync off on a leader)", async () => {
  const w = world(3, 43);
  await run(w, 8000);
  const l = leader(w);
  for (const o of w.nodes) if (o !== l) w.net.cutReplication(o.id, l.id);
  await run(w, 200);
  assert.ok(l.mysql.pending.length > 0, "commits wait for an acknowledgement");
  w.returned(l, l.mysql.setWaitCount(0));
  assert.equal(w.inv.violations[0]?.invariant, "acknowledged writes are on a replica");
});

Deno.test("the invariants catch a killed waiting session's group returning OK", async () => {
  const w = world(3, 43);
  await run(w, 8000);
  const l = leader(w);
  for (const o of w.nodes) if (o !== l) w.net.cutReplication(o.id, l.id);
  await run(w, 200);
  const group = l.mysql.pending.find((p) =>
    l.mysql.pending.filter((q) => q.group === p.group).length > 1
  );
  assert.ok(group, "a group of several commits waits");
  w.returned(l, l.mysql.killWaitingSession(group.txn.id));
  assert.equal(w.inv.violations[0]?.invariant, "acknowledged writes are on a replica");
});

Deno.test("the invariants catch a read through the VIP that misses an acknowledged write", async () => {
  const w = world(3, 47);
  await run(w, 8000);
  const l = leader(w);
  assert.equal(w.vip, l.id, "leader-start-command moved the VIP");
  const lagging = w.nodes.find((n) => n !== l)!;
  lagging.mysql.sqlRunning = false;
  await run(w, 1000);
  w.inv.read(l);
  assert.equal(w.inv.violations.length, 0);
  // A replica writable with the VIP on it, its relay log not applied: what a promote without
  // catch-up would leave.
  lagging.mysql.readOnly = false;
  w.vip = lagging.id;
  w.inv.read(lagging);
  assert.equal(w.inv.violations[0]?.invariant, "no stale read through the writable node");
});

Deno.test("an account with READ ONLY ADMIN writing through read_only: no acknowledged write lost", async () => {
  let adminWrites = 0;
  for (const seed of [53, 59, 61]) {
    const w = world(3, seed);
    w.adminWriter = true;
    await run(w, 8000);
    const old = leader(w);
    for (const o of w.nodes) if (o !== old) w.net.block(old.id, o.id), w.net.block(o.id, old.id);
    await run(w, 8000);
    assert.notEqual(leader(w), old);
    // leader-stop-command failed to take the VIP down: the admin goes on writing on the fenced
    // old primary, through read_only; nobody acknowledges those commits.
    w.vip = old.id;
    await run(w, 4000);
    w.net.heal();
    await run(w, 20_000);
    leader(w);
    adminWrites += w.adminWrites;
  }
  assert.ok(adminWrites > 0, "the admin wrote through read_only");
});
