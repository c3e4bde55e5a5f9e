/** raft explain and the failover dry run: the core's rules, named in the lines they print. */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import {
  dryRunFailover,
  explainNode,
  initialState,
  leaseOf,
  type PeerData,
  raftOptions,
  type RaftState,
} from "../../src/raft/mod.ts";

const [A, B, C] = ["a:1", "b:1", "c:1"];
const options = raftOptions(A, mariadbComparator);

function follower(overrides: Partial<RaftState> = {}): RaftState {
  return {
    ...initialState(options),
    role: "FOLLOWER",
    term: 5,
    epoch: 1,
    peers: [A, B, C],
    dataTerm: 5,
    leader: B,
    leaderContactAt: 0,
    leaderPosition: "0-1-10",
    mysql: { alive: true, ioRunning: true, sqlRunning: true, position: "0-1-10" },
    reason: `following ${B} (term 5)`,
    now: 0,
    ...overrides,
  };
}

function peer(endpoint: string, position: string | null, extra: Partial<PeerData> = {}): PeerData {
  return {
    endpoint,
    role: "FOLLOWER",
    position,
    dataTerm: 5,
    modeReason: "",
    promotable: { ok: true, reason: "" },
    ...extra,
  };
}

const text = (lines: string[]) => lines.join("\n");

Deno.test("explain: a stale follower may not lead and names the peer that would refuse it", () => {
  const s = follower({
    mysql: { alive: true, ioRunning: true, sqlRunning: true, position: "0-1-4" },
  });
  const e = explainNode(options, s, 10_000, [peer(C, "0-1-10")]);
  const last = e.lines.at(-1)!;
  assert.match(last, /^may not lead: /);
  assert.match(last, /c:1 would refuse: its GTID 0-1-4 is behind 0-1-10/);
  assert.equal(e.self.promotable.ok, false);
  assert.match(text(e.lines), /vs c:1 \(FOLLOWER\): my GTID 0-1-4 is behind 0-1-10/);
});

Deno.test("explain: SQL thread stopped, MySQL down, INVALID and IDLE each say why not", () => {
  const cases: [Partial<RaftState>, RegExp][] = [
    [
      { mysql: { alive: true, ioRunning: true, sqlRunning: false, position: "0-1-10" } },
      /may not lead: local SQL thread is stopped/,
    ],
    [
      { mysql: { alive: false, ioRunning: false, sqlRunning: false, position: null } },
      /may not lead: local MySQL is down/,
    ],
    [
      { role: "INVALID", mode: "invalid", modeReason: "my GTID 0-1-12 is ahead" },
      /may not lead: INVALID: my GTID 0-1-12 is ahead/,
    ],
    [{ role: "IDLE", mode: "idle", modeReason: "disabled by the operator" }, /may not lead: IDLE/],
  ];
  for (const [overrides, expected] of cases) {
    const e = explainNode(options, follower(overrides), 10_000, [peer(C, "0-1-10")]);
    assert.match(e.lines.at(-1)!, expected);
  }
});

Deno.test("explain: an up-to-date follower is promotable; the leader's lease holds its vote", () => {
  const e = explainNode(options, follower(), 1000, [peer(C, "0-1-9")]);
  assert.match(e.lines.at(-1)!, /^promotable: MySQL up, SQL thread running, 2 of 3 votes/);
  assert.match(text(e.lines), /leader b:1 heard 1000 ms ago .*holds my vote for 2000 ms more/);
  // Within the lease, the core's pre-vote rule refuses c; the explanation says so.
  assert.match(text(e.lines), /I would grant c:1 a vote now: no: I heard from leader b:1/);
  const later = explainNode(options, follower(), 5000, [peer(C, "0-1-9")]);
  assert.match(text(later.lines), /I would grant c:1 a vote now: no: its GTID 0-1-9 is behind/);
});

Deno.test("explain: a 2-voter follower cannot fail over alone", () => {
  const s = follower({ peers: [A, B] });
  const e = explainNode(options, s, 10_000, []);
  assert.match(e.lines.at(-1)!, /may not lead: 1 of 2 votes .*2-voter cluster never fails over/);
});

Deno.test("explain and leaseOf: a leader's lease from its majority's acks", () => {
  const leader: RaftState = {
    ...follower(),
    role: "LEADER",
    leader: A,
    leaderContactAt: null,
    leadership: {
      since: 0,
      startPosition: "0-1-10",
      acks: { [B]: 1000 },
      positions: { [B]: "0-1-10", [C]: null },
      lastHeartbeatAt: 1000,
      phase: "writable",
      catchUpDeadline: 0,
      removing: [],
    },
  };
  const lease = leaseOf(options, leader, 1100)!;
  assert.equal(lease.valid, true);
  assert.ok(lease.remainingMs > 0 && lease.remainingMs < 3000, String(lease.remainingMs));
  const e = explainNode(options, leader, 1100);
  assert.match(text(e.lines), /quorum: heartbeat acks from 2 of 3 voters/);
  assert.match(text(e.lines), /lease: valid for \d+ ms more/);
  assert.deepEqual(leaseOf(options, leader, 100_000), { valid: false, remainingMs: 0 });
  assert.equal(leaseOf(options, follower(), 0), null);
});

Deno.test("dry run: the most up-to-date eligible node wins; the others say why not", () => {
  const nodes = [
    peer(A, "0-1-10", { role: "LEADER" }),
    peer(B, "0-1-9"),
    peer(C, "0-1-8"),
  ];
  const v = dryRunFailover({ comparator: mariadbComparator }, [A, B, C], nodes, A);
  assert.equal(v.winner, B);
  assert.match(
    text(v.lines),
    /c:1: could not win: 1 of 3 votes \(need 2\); refused by b:1: its GTID 0-1-8 is behind 0-1-9/,
  );
  assert.match(v.lines.at(-1)!, /^b:1 would win/);
  const stopped = nodes.map((n) =>
    n.endpoint === B
      ? { ...n, promotable: { ok: false, reason: "local SQL thread is stopped" } }
      : n
  );
  const none = dryRunFailover({ comparator: mariadbComparator }, [A, B, C], stopped, A);
  assert.equal(none.winner, null);
  assert.match(text(none.lines), /b:1: could not win: local SQL thread is stopped/);
  assert.match(none.lines.at(-1)!, /no node could win/);
});
