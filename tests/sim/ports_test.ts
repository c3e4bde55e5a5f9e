/**
 * The simulator's ports behave as the real ones where safety lives: MariaDB 10.11's semi-sync
 * wait count, RESET SLAVE ALL dropping the unapplied relay log, the fence, uptime after a
 * restart, and a paused agent that hears nothing until it resumes.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/sim/prng.ts";
import { SimMysqlSession } from "../../src/sim/ports/mysql_session.ts";
import { type SimNode, World } from "../../src/sim/world.ts";

async function cluster(): Promise<World> {
  const w = new World(new Rng(5), {
    nodes: 3,
    seed: 5,
    options: {},
    driftUse: 0.95,
    traceLimit: 100,
  });
  assert.ok(await w.runUntil(8000));
  assert.ok(w.writableLeader(), "no leader");
  return w;
}

const session = (w: World, n: SimNode) => new SimMysqlSession(w, n, n.proc!);

Deno.test("sim MariaDB waits for one acknowledgement at most, none with 2 voters", async () => {
  const w = await cluster();
  const s = session(w, w.nodes[0]);
  const counts = Promise.all([2, 3, 4, 5, 7].map((v) => s.appliedWaitCount(v)));
  await w.runUntil(w.now + 50);
  assert.deepEqual(await counts, [0, 1, 1, 1, 1]);
});

Deno.test("sim RESET SLAVE ALL drops what the SQL thread had not applied", async () => {
  const w = await cluster();
  const replica = w.nodes.find((n) => n !== w.writableLeader())!;
  replica.mysql.sqlRunning = false;
  assert.ok(await w.runUntil(w.now + 1000));
  const backlog = replica.mysql.history.length - replica.mysql.applied;
  assert.ok(backlog > 0, "no relay log backlog");
  let after: { received: number; applied: number; source: string | null } | null = null;
  void session(w, replica).resetReplica().then(() => {
    const m = replica.mysql;
    after = { received: m.history.length, applied: m.applied, source: m.master };
  });
  await w.runUntil(w.now + 40);
  assert.ok(after !== null, "RESET SLAVE ALL did not return");
  const done = after as { received: number; applied: number; source: string | null };
  assert.equal(done.received, done.applied);
  assert.equal(done.source, null);
});

Deno.test("sim fence ends the client sessions and makes MySQL read-only", async () => {
  const w = await cluster();
  const leader = w.writableLeader()!;
  let after: { readOnly: boolean; clientsWaiting: number } | null = null;
  const outcome = session(w, leader).fence({ budgetMs: 500, keepThreadIds: [] }).then((r) => {
    const m = leader.mysql;
    after = {
      readOnly: m.readOnly,
      clientsWaiting: m.pending.filter((p) => p.clientWaiting).length,
    };
    return r;
  });
  await w.runUntil(w.now + 500);
  assert.equal((await outcome).ok, true);
  assert.deepEqual(after, { readOnly: true, clientsWaiting: 0 });
});

Deno.test("sim uptime goes back after a restart, and older sessions are lost", async () => {
  const w = await cluster();
  const n = w.nodes[0];
  const old = session(w, n);
  const first = old.sample();
  await w.runUntil(w.now + 50);
  const before = (await first).uptime;
  n.mysql.alive = false;
  await w.runUntil(w.now + 500);
  w.restartMysql(n, true);
  const stale = old.sample();
  const fresh = session(w, n).sample();
  await w.runUntil(w.now + 50);
  await assert.rejects(stale, /session lost/);
  assert.ok((await fresh).uptime < before, "uptime did not go back");
});

Deno.test("sim paused agent: its statement runs on the server, the answer waits for resume", async () => {
  const w = await cluster();
  const n = w.nodes.find((x) => x !== w.writableLeader())!;
  let answered = false;
  void session(w, n).stopIo().then(() => answered = true);
  w.pauseAgent(n);
  await w.runUntil(w.now + 100);
  assert.equal(n.mysql.ioRunning, false, "the server did not stop the IO thread");
  assert.equal(answered, false, "a paused agent heard the answer");
  w.resumeAgent(n);
  await w.runUntil(w.now + 50);
  assert.equal(answered, true);
});

Deno.test("sim fence: writable again while the agent is paused (commits wait for acks) is unattended", async () => {
  const w = await cluster();
  const leader = w.writableLeader()!;
  for (const r of w.nodes) if (r !== leader) r.mysql.ioRunning = false; // no more acks
  assert.ok(await w.runUntil(w.now + 200));
  assert.ok(leader.mysql.pending.length > 0, "no commit waits for an ack");
  void session(w, leader).fence({ budgetMs: 2000, keepThreadIds: [] });
  for (let i = 0; i < 400 && !leader.mysql.readOnly; i++) await w.runUntil(w.now + 5);
  assert.equal(leader.mysql.readOnly, true, "the fence's read_only did not run");
  w.pauseAgent(leader); // read-only for now: not unattended yet
  assert.equal(leader.unattended, false);
  await w.runUntil(w.now + 1000); // the grace ends: commits still wait, read_only goes back
  assert.equal(leader.mysql.readOnly, false);
  assert.equal(leader.unattended, true, "a paused agent's writable MySQL counted as attended");
});
