/** NodeStatus building and the election counters behind /metrics. */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import type { MysqlStatus } from "../../src/mysql/mod.ts";
import { buildNodeStatus } from "../../src/node/status.ts";
import { denialReason, RaftStats } from "../../src/node/stats.ts";
import { initialState, raftOptions, type RaftState } from "../../src/raft/mod.ts";

const [A, B, C] = ["a:1", "b:1", "c:1"];
const options = raftOptions(A, mariadbComparator);
const alive = { alive: true, ioRunning: true, sqlRunning: true, position: "0-1-10" };

const base: RaftState = {
  ...initialState(options),
  role: "FOLLOWER",
  term: 4,
  epoch: 2,
  peers: [A, B, C],
  leader: B,
  mysql: alive,
  reason: "following b:1",
};

function sample(replica: boolean, readOnly = true): MysqlStatus {
  return {
    version: "10.11",
    serverId: 1,
    readOnly,
    superReadOnly: false,
    positions: { executed: "0-1-10", binlog: "", slave: "" },
    replica: replica
      ? {
        ioRunning: true,
        sqlRunning: false,
        ioText: "Yes",
        sourceHost: "127.0.0.1",
        sourcePort: 3306,
        secondsBehind: null,
        lastIoError: "",
        lastSqlError: "Error 1062",
        relaySourceLogFile: "bin.000001",
        received: "0-1-13",
        sourceLogFile: "bin.000001",
        readSourceLogPos: 1500,
        backlogBytes: 600,
        backlogTransactions: 3,
      }
      : null,
  };
}

const counters = new RaftStats(() => 0).snapshot;
const sources = {
  options,
  now: 10_000,
  semiSync: null,
  blockedSince: null,
  counters,
  mysqldRestarts: 2,
  uptimeSeconds: 9,
};

Deno.test("status: a follower with a stopped SQL thread shows it, with the error and no lease", () => {
  const s = buildNodeStatus({ ...sources, state: base, sample: sample(true) });
  assert.equal(s.role, "FOLLOWER");
  assert.equal(s.leader, B);
  assert.equal(s.lease, null);
  assert.equal(s.writable, false);
  assert.deepEqual(s.mysql, {
    alive: true,
    readOnly: true,
    ioRunning: true,
    sqlRunning: false,
    secondsBehindMaster: null,
    relayBacklogBytes: 600,
    relayBacklogTransactions: 3,
    applyRate: null,
    position: "0-1-10",
    lastError: "Error 1062",
  });
  // Nothing applied lately: a failover to it would take the detection and an unknown apply.
  assert.equal(s.failoverForecast?.seconds, null);
  assert.match(s.failoverForecast?.text ?? "", /3 transactions to apply and no apply rate/);
  const applying = buildNodeStatus({ ...sources, state: base, sample: sample(true), applyRate: 2 });
  assert.equal(
    applying.failoverForecast?.text,
    "a failover now would take about 5.5 s " +
      "(detect 4.0 s + apply backlog 1.5 s: 3 transactions)",
  );
  assert.deepEqual(s.semiSync, {
    acking: null,
    clients: null,
    waitCount: null,
    blockedForMs: null,
  });
  assert.equal(s.counters.mysqldRestarts, 2);
});

Deno.test("status: dead MySQL has unknown read_only; a writable leader shows lease and semi-sync", () => {
  const dead = buildNodeStatus({
    ...sources,
    state: { ...base, mysql: { ...alive, alive: false } },
    sample: null,
  });
  assert.equal(dead.mysql.alive, false);
  assert.equal(dead.mysql.readOnly, null);
  const leader: RaftState = {
    ...base,
    role: "LEADER",
    leader: A,
    leadership: {
      since: 0,
      startPosition: "0-1-10",
      acks: { [B]: 9800 },
      positions: {},
      lastHeartbeatAt: 9800,
      phase: "writable",
      catchUpDeadline: 0,
      removing: [],
    },
  };
  const s = buildNodeStatus({
    ...sources,
    state: leader,
    sample: sample(false, false),
    semiSync: { acking: true, clients: 2, waiting: 3 },
    blockedSince: 9000,
  });
  assert.equal(s.writable, true);
  assert.equal(s.lease?.valid, true);
  assert.ok(s.lease!.remainingMs > 0);
  assert.deepEqual(s.semiSync, { acking: true, clients: 2, waitCount: 1, blockedForMs: 1000 });
  assert.equal(s.mysql.readOnly, false);
});

Deno.test("counters: elections, leader changes, heartbeat acks and vote denials by reason", () => {
  const c = new RaftStats(() => 0);
  const now = 0;
  const candidate = { ...base, role: "CANDIDATE" as const, leader: null };
  c.transition({ event: { type: "tick", now }, before: base, after: candidate, effects: [] });
  c.transition({
    event: { type: "tick", now },
    before: candidate,
    after: { ...candidate, role: "LEADER", leader: A },
    effects: [],
  });
  c.transition({
    event: {
      type: "message",
      now,
      message: {
        kind: "heartbeatReply",
        from: B,
        to: A,
        term: 5,
        ok: true,
        reason: "",
        sentAt: 0,
        position: null,
        role: "FOLLOWER",
      },
    },
    before: base,
    after: base,
    effects: [{
      kind: "send",
      reason: "",
      message: {
        kind: "voteReply",
        from: A,
        to: C,
        term: 5,
        granted: false,
        reason: "its GTID 0-1-4 is behind 0-1-10 (mine)",
        position: null,
        dataTerm: 4,
        role: "FOLLOWER",
      },
    }],
  });
  const s = c.snapshot;
  assert.equal(s.electionsStarted, 1);
  assert.equal(s.electionsWon, 1);
  assert.equal(s.leaderChanges, 1);
  assert.equal(s.heartbeatAcks, 1);
  assert.deepEqual(s.votesDenied, { data_behind: 1 });
  assert.equal(denialReason("I heard from leader b:1 20 ms ago (lease: 3000 ms)"), "leader_lease");
  assert.equal(denialReason("I already voted for b:1 in term 5"), "already_voted");
});
