/**
 * A new leader's catch-up under load (catch_up.ts): it waits while its SQL thread makes progress
 * and steps back only for a stalled apply, its hard limit, or a voter that could be writable
 * sooner by a measured margin. Driven through `step` alone: one node, its peers' replies made up.
 */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import {
  DEFAULT_TIMERS,
  emptyMeta,
  explainNode,
  type Heartbeat,
  initialState,
  type Message,
  type RaftEvent,
  raftOptions,
  type RaftState,
  step,
  type Transition,
} from "../../src/raft/mod.ts";

const PEERS = ["a", "b", "c"];
const MINE = "0-1-100";

/** A peer's answer; a function backlog follows mine (its SQL thread applies alongside). */
type Reply = { position: string; backlog?: number | null | ((mine: number) => number) } | null;

const like = (mine: number) => mine;

/** Node `a`, elected leader of term 1 with `position`, catching up. */
class Leader {
  readonly options = raftOptions("a", mariadbComparator, { seed: 1 });
  state: RaftState = initialState(this.options);
  now = 0;
  readonly sent: Message[] = [];
  readonly notes: string[] = [];
  /** What b and c answer to heartbeats (null: nothing, they are gone). */
  replies: Record<string, Reply> = {
    b: { position: MINE, backlog: like },
    c: { position: MINE, backlog: like },
  };
  /** My backlog as last reported. */
  left = 50000;

  constructor(position = MINE) {
    this.apply({ type: "start", now: 0, meta: { ...emptyMeta("a", false), peers: PEERS } });
    this.apply({
      type: "mysql",
      now: 0,
      observation: { alive: true, ioRunning: true, sqlRunning: true, position },
    });
    this.now = 2 * DEFAULT_TIMERS.electionTimeoutMs + 1;
    this.apply({ type: "tick", now: this.now });
    const term = this.state.term + 1;
    this.apply(this.message({ kind: "preVoteReply", granted: true, reason: "", term }));
    this.apply({ type: "replicationFrozen", now: this.now, position });
    this.apply(this.message({ kind: "voteReply", granted: true, reason: "", term }));
    assert.equal(this.phase(), "catchingUp");
  }

  message(body: Record<string, unknown>, from = "b"): RaftEvent {
    const message = { from, to: "a", term: 1, role: "FOLLOWER", position: MINE, dataTerm: 0 };
    return { type: "message", now: this.now, message: { ...message, ...body } as Message };
  }

  apply(event: RaftEvent): Transition {
    const t = step(this.options, this.state, event);
    this.state = t.state;
    this.notes.push(...t.notes);
    for (const e of t.effects) {
      if (e.kind !== "send") continue;
      this.sent.push(e.message);
      if (e.message.kind === "heartbeat") this.answer(e.message);
    }
    return t;
  }

  answer(h: Heartbeat): void {
    const r = this.replies[h.to];
    if (r === null || r === undefined) return;
    this.apply(this.message({
      kind: "heartbeatReply",
      ok: true,
      reason: "",
      sentAt: h.sentAt,
      term: h.term,
      position: r.position,
      ...(r.backlog === undefined
        ? {}
        : { backlog: typeof r.backlog === "function" ? r.backlog(this.left) : r.backlog }),
    }, h.to));
  }

  phase(): string {
    return this.state.role === "LEADER" ? this.state.leadership!.phase : this.state.role;
  }

  /**
   * `ms` of ticks every 100 ms and a progress report every 500 ms, `backlog(t)` transactions
   * left at `t` ms from now (the applied position moves with it); stops once no longer leading.
   */
  run(ms: number, backlog: (t: number) => number, sqlRunning = true): void {
    const start = this.now;
    for (let t = 100; t <= ms && this.state.role === "LEADER"; t += 100) {
      this.now = start + t;
      this.apply({ type: "tick", now: this.now });
      if (t % 500 !== 0 || this.state.role !== "LEADER") continue;
      const left = backlog(t);
      this.left = left;
      this.apply({
        type: "catchUpProgress",
        now: this.now,
        term: this.state.term,
        applied: `0-1-${100000 - left}`,
        backlog: left,
        sqlRunning,
        ...(sqlRunning ? {} : { sqlError: "Duplicate entry '7' for key 'PRIMARY'" }),
      });
    }
  }

  handedOverTo(): string | null {
    const released = this.sent.filter((m) => m.kind === "leaseReleased");
    return released.length === 0 ? null : released[0].target;
  }
}

/** 1,000 transactions/s from `from`: the SQL thread keeps applying. */
const applyingFrom = (from: number) => (t: number) => Math.max(0, from - t);

Deno.test("a catching-up leader keeps waiting past the stall window while its SQL thread applies", () => {
  const n = new Leader();
  n.run(3 * DEFAULT_TIMERS.catchUpStallMs, applyingFrom(50000));
  assert.equal(n.phase(), "catchingUp", n.notes.join("\n"));
  assert.equal(n.handedOverTo(), null);
});

Deno.test("a leader whose SQL thread applies nothing steps back after catchUpStallMs", () => {
  const n = new Leader();
  n.run(DEFAULT_TIMERS.catchUpStallMs - 500, () => 5000);
  assert.equal(n.phase(), "catchingUp");
  n.run(1000, () => 5000);
  assert.equal(n.state.role, "FOLLOWER");
  assert.match(n.state.reason, /my SQL thread applied nothing for 6\d\d\d ms/);
  assert.equal(n.handedOverTo(), "b", "b applies the same position and takes over at once");
});

Deno.test("without progress reports (an older shell) the stall window is the old deadline", () => {
  const n = new Leader();
  n.replies = { b: { position: MINE }, c: { position: MINE } };
  for (let t = 100; t <= DEFAULT_TIMERS.catchUpStallMs + 100; t += 100) {
    n.apply({ type: "tick", now: n.now + 100 });
    n.now += 100;
  }
  assert.equal(n.state.role, "FOLLOWER");
  assert.equal(n.handedOverTo(), null, "no voter is known to be applying: no hand-over");
  assert.ok(n.state.campaignPenaltyUntil > n.now, "it lets another voter campaign first");
});

Deno.test("a leader whose SQL thread stops steps back at once and says why", () => {
  const n = new Leader();
  n.run(1000, applyingFrom(5000));
  n.run(500, () => 4000, false);
  assert.equal(n.state.role, "FOLLOWER");
  assert.match(n.state.reason, /my SQL thread stopped: Duplicate entry/);
});

Deno.test("no step back for a voter that received as much with only a little less to apply", () => {
  const n = new Leader();
  // I apply 1,000/s; b has 1,000 less: 1 s saved, less than a 2 s hand-over.
  n.replies = {
    b: { position: MINE, backlog: (mine) => mine - 1000 },
    c: { position: MINE, backlog: (mine) => mine + 1000 },
  };
  n.run(4000, applyingFrom(9000));
  assert.equal(n.phase(), "catchingUp", n.notes.join("\n"));
  assert.equal(n.handedOverTo(), null);
});

Deno.test("a step back for a voter that received as much and has clearly less to apply", () => {
  const n = new Leader();
  n.replies = { b: { position: MINE, backlog: 1000 }, c: { position: MINE, backlog: 9000 } };
  n.run(4000, applyingFrom(9000));
  assert.equal(n.state.role, "FOLLOWER");
  assert.equal(n.handedOverTo(), "b");
  assert.match(n.state.reason, /b received as much and has 1000 transactions left to apply/);
});

Deno.test("never a step back for a voter that received less, however little it has to apply", () => {
  const n = new Leader();
  n.replies = { b: { position: "0-1-90", backlog: 0 }, c: { position: "0-1-90", backlog: 0 } };
  n.run(10000, applyingFrom(50000));
  assert.equal(n.phase(), "catchingUp");
});

Deno.test("a step back for a voter that received more", () => {
  const n = new Leader();
  n.replies = { b: { position: MINE, backlog: 10 }, c: { position: "0-1-120", backlog: 9000 } };
  n.run(1000, applyingFrom(50000));
  assert.equal(n.handedOverTo(), "c");
  assert.match(n.state.reason, /c received more/);
});

Deno.test("a voter that does not report its backlog (an older peer) is no preference", () => {
  const n = new Leader();
  n.replies = { b: { position: MINE }, c: { position: MINE, backlog: null } };
  n.run(10000, applyingFrom(50000));
  assert.equal(n.phase(), "catchingUp");
});

Deno.test("a voter gone silent is not handed over to", () => {
  const n = new Leader();
  n.replies = { b: { position: MINE, backlog: like }, c: { position: MINE } };
  n.run(1000, () => 5000);
  n.replies.b = null; // b answered, then went silent: its old reply no longer counts
  n.run(DEFAULT_TIMERS.catchUpStallMs, () => 5000);
  assert.match(n.state.reason, /applied nothing/);
  assert.equal(n.handedOverTo(), null);
});

Deno.test("a catch-up that keeps progressing still ends at catchUpLimitMs", () => {
  const n = new Leader();
  const limit = DEFAULT_TIMERS.catchUpLimitMs;
  n.run(limit - 1000, applyingFrom(10 * limit));
  assert.equal(n.phase(), "catchingUp");
  n.run(2000, applyingFrom(9 * limit));
  assert.equal(n.state.role, "FOLLOWER");
  assert.match(n.state.reason, /still not applied after the 60000 ms limit/);
});

Deno.test("a catch-up result or report of an earlier term is ignored", () => {
  const n = new Leader();
  const term = n.state.term;
  n.apply({ type: "catchUpDone", now: n.now, ok: true, term: term - 1 });
  assert.equal(n.phase(), "catchingUp");
  n.apply({
    type: "catchUpProgress",
    now: n.now,
    term: term - 1,
    applied: MINE,
    backlog: 0,
    sqlRunning: false,
  });
  assert.equal(n.phase(), "catchingUp");
  n.apply({ type: "catchUpDone", now: n.now, ok: true, term });
  assert.notEqual(n.phase(), "catchingUp");
});

Deno.test("heartbeats rank equally fresh voters by what they have left to apply", () => {
  const ranking = (replies: Record<string, Reply>): readonly string[] => {
    const n = new Leader();
    n.replies = replies;
    n.run(1500, applyingFrom(50000));
    const beats = n.sent.filter((m): m is Heartbeat => m.kind === "heartbeat");
    return beats[beats.length - 1].ranking;
  };
  const same = { position: MINE };
  assert.deepEqual(
    ranking({ b: { ...same, backlog: 5000 }, c: { ...same, backlog: 100 } }),
    ["c", "b"],
  );
  assert.deepEqual(
    ranking({ b: { ...same, backlog: 150 }, c: { ...same, backlog: 100 } }),
    ["b", "c"],
    "a difference under the margin ranks by name",
  );
  assert.deepEqual(ranking({ b: same, c: { ...same, backlog: 0 } }), ["b", "c"], "unknown");
  assert.deepEqual(
    ranking({ b: { position: "0-1-90", backlog: 0 }, c: { ...same, backlog: 9000 } }),
    ["c", "b"],
    "received position first",
  );
});

Deno.test("a follower tells its backlog only while it could campaign", () => {
  const o = raftOptions("b", mariadbComparator, { seed: 2 });
  let s = step(o, initialState(o), {
    type: "start",
    now: 0,
    meta: { ...emptyMeta("b", false), peers: PEERS },
  }).state;
  const replyTo = (sqlRunning: boolean) => {
    const observation = { alive: true, ioRunning: false, sqlRunning, position: MINE, backlog: 42 };
    s = step(o, s, { type: "mysql", now: 10, observation }).state;
    const heartbeat: Heartbeat = {
      kind: "heartbeat",
      from: "a",
      to: "b",
      term: 1,
      epoch: 0,
      peers: PEERS,
      idlePeers: [],
      position: MINE,
      termStart: MINE,
      writable: false,
      sentAt: 10,
      ranking: [],
    };
    const t = step(o, s, { type: "message", now: 10, message: heartbeat });
    s = t.state;
    const reply = t.effects.find((e) => e.kind === "send")!;
    return reply.kind === "send" && reply.message.kind === "heartbeatReply"
      ? reply.message.backlog
      : undefined;
  };
  assert.equal(replyTo(true), 42);
  assert.equal(replyTo(false), null, "a stopped SQL thread: no hand-over to it");
});

Deno.test("raft explain shows a catch-up's progress and the bounds it steps back at", () => {
  const n = new Leader();
  n.run(2000, applyingFrom(9000));
  const lines = explainNode(n.options, n.state, n.now).lines.join("\n");
  assert.match(
    lines,
    /leadership: catchingUp \(applying the relay log before becoming writable: 7000 transactions left at 1000\/s; last progress 0 ms ago \(steps back after 6000 ms without, or 60000 ms in all\)\)/,
  );
  assert.match(lines, /b: last heartbeat reply GTID 0-1-100, 7\d\d\d transactions to apply/);
});
