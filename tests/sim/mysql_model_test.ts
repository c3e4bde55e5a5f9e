/** The simulator's MariaDB model, where safety lives: each behaviour as MariaDB 10.11 has it. */
import assert from "node:assert/strict";
import { MysqlModel } from "../../src/sim/mysql_model.ts";

function primary(): MysqlModel {
  const m = new MysqlModel(1, 1);
  m.readOnly = false;
  m.waitCount = 1;
  return m;
}

Deno.test("a killed waiting session: its client gets an error, its group OK, the commit stays", () => {
  const m = primary();
  const group = m.commitGroup([1, 2, 3])!;
  const other = m.commitGroup([4])!;
  const released = m.killWaitingSession(2);
  assert.deepEqual(released.map((p) => p.txn.id), [1, 3]);
  assert.equal(group[1].clientWaiting, false);
  assert.ok(released.every((p) => p.clientWaiting && p.acks.size === 0), "OK, acked by nobody");
  assert.ok(m.ids.has(2), "the killed session's commit stays in the binlog");
  assert.deepEqual(m.pending, other, "other groups still wait");
});

Deno.test("semi-sync turned off releases every waiter: OK without a replica", () => {
  const m = primary();
  m.commitGroup([1, 2]);
  m.commitGroup([3]);
  assert.deepEqual(m.releaseAcknowledged(), []);
  const released = m.setWaitCount(0);
  assert.deepEqual(released.map((p) => p.txn.id), [1, 2, 3]);
  assert.equal(m.pending.length, 0);
});

Deno.test("read_only refuses writes, except from an account with READ ONLY ADMIN", () => {
  const m = new MysqlModel(1, 1);
  assert.equal(m.commitGroup([1]), null);
  assert.equal(m.commitGroup([1], { admin: true }), null, "no such account yet");
  m.readOnlyAdmin = true;
  assert.equal(m.commitGroup([1], { admin: true })?.length, 1, "read_only does not stop it");
  assert.ok(m.ids.has(1));
});

Deno.test("--init-rpl-role=SLAVE truncates the unacknowledged tail; the prepare after a commit wrote it", () => {
  const m = primary();
  const [acked] = m.commitGroup([1])!;
  acked.acks.add("r");
  assert.deepEqual(m.releaseAcknowledged().map((p) => p.txn.id), [1]);
  m.commitGroup([2, 3]);
  m.truncateUncommitted();
  assert.deepEqual(m.history.map((t) => t.id), [1]);
  assert.equal(m.position(), "0-1-1");
});

Deno.test("--init-rpl-role=SLAVE at innodb_flush_log_at_trx_commit=1 truncates the last returned commit; at 3 not", () => {
  for (const [flush, kept] of [[1, []], [3, [1]]] as const) {
    const m = primary();
    m.applySysvars(`innodb_flush_log_at_trx_commit=${flush}`);
    const [acked] = m.commitGroup([1])!;
    acked.acks.add("r");
    assert.deepEqual(m.releaseAcknowledged().map((p) => p.txn.id), [1]);
    m.truncateUncommitted(); // killed before any later prepare or once-a-second flush
    assert.deepEqual(m.history.map((t) => t.id), kept, `flush ${flush}`);
  }
});

Deno.test("power loss with sync_binlog=1 and innodb_flush_log_at_trx_commit=1 loses nothing", () => {
  const m = primary();
  m.commitGroup([1, 2]);
  assert.equal(m.losePower(), 0);
  assert.deepEqual(m.history.map((t) => t.id), [1, 2]);
});

Deno.test("power loss with looser settings loses the tail written since the last sync", () => {
  for (const loose of [{ syncBinlog: 0, flushAtCommit: 1 }, { syncBinlog: 1, flushAtCommit: 2 }]) {
    const m = new MysqlModel(1, 1, loose as ConstructorParameters<typeof MysqlModel>[2]);
    m.readOnly = false;
    m.commitGroup([1]);
    m.sync();
    m.commitGroup([2, 3]);
    assert.equal(m.losePower(), 2, JSON.stringify(loose));
    assert.deepEqual(m.history.map((t) => t.id), [1]);
    assert.equal(m.alive, false);
  }
});

Deno.test("the master profile's sync_binlog=1 makes what is there durable from then on", () => {
  const m = new MysqlModel(1, 1, { syncBinlog: 0, flushAtCommit: 2 });
  m.readOnly = false;
  m.commitGroup([1]);
  m.applySysvars("sync_binlog=1;innodb_flush_log_at_trx_commit=1");
  m.commitGroup([2]);
  assert.equal(m.losePower(), 0);
});

Deno.test("a read sees only what the SQL thread applied", () => {
  const m = new MysqlModel(2, 1);
  m.append({ id: 7, gtid: "0-1-1" });
  assert.equal(m.sees(7), false, "received, not applied");
  m.applied = 1;
  assert.equal(m.sees(7), true);
  const before = m.generation;
  m.discardRelayLog();
  assert.equal(m.generation, before + 1, "a replaced history is read anew");
});
