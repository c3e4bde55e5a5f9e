/**
 * The election windows a slow replication freeze must not eat (context.ts freezeWindowMs): on
 * MariaDB the first STOP SLAVE IO_THREAD after the source's host vanished takes about 2 s, on
 * the candidate and on each voter alike. Driven through `step` alone: one node, its peers'
 * messages made up.
 */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import {
  DEFAULT_TIMERS,
  type Effect,
  emptyMeta,
  initialState,
  type Message,
  type RaftEvent,
  raftOptions,
  type RaftState,
  step,
} from "../../src/raft/mod.ts";

const PEERS = ["a", "b", "c"];
const POSITION = "0-1-100";
/** How long the first stop takes after a host loss (MariaDB's 2 s re-signal, and some). */
const SLOW_FREEZE_MS = 2100;

class Node {
  readonly options;
  state: RaftState;
  now = 0;
  effects: Effect[] = [];

  constructor(readonly self: string) {
    this.options = raftOptions(self, mariadbComparator, { seed: 1 });
    this.state = initialState(this.options);
    this.apply({ type: "start", now: 0, meta: { ...emptyMeta(self, false), peers: PEERS } });
    this.apply({
      type: "mysql",
      now: 0,
      observation: { alive: true, ioRunning: true, sqlRunning: true, position: POSITION },
    });
  }

  apply(event: RaftEvent): void {
    const t = step(this.options, this.state, event);
    this.state = t.state;
    this.effects.push(...t.effects);
  }

  at(now: number): this {
    this.now = now;
    this.apply({ type: "tick", now });
    return this;
  }

  receive(message: Record<string, unknown>): void {
    const m = { to: this.self, term: this.state.term, role: "FOLLOWER", ...message } as Message;
    this.apply({ type: "message", now: this.now, message: m });
  }

  /** The id of the last freeze asked for. */
  lastFreeze(): number {
    const freezes = this.effects.flatMap((e) => e.kind === "freezeReplication" ? [e.id] : []);
    assert.ok(freezes.length > 0, "no freeze asked for");
    return freezes.at(-1)!;
  }

  frozen(freeze: number): void {
    this.apply({ type: "replicationFrozen", now: this.now, freeze, position: POSITION });
  }

  sent(kind: Message["kind"]): Message[] {
    return this.effects.flatMap((e) =>
      e.kind === "send" && e.message.kind === kind ? [e.message] : []
    );
  }
}

const VOTE = { kind: "vote", from: "a", position: POSITION, dataTerm: 0, transfer: false };
const quiet = 2 * DEFAULT_TIMERS.electionTimeoutMs; // past the start hold, no leader heard

Deno.test("slow freeze: a voter whose freeze takes 2 s still grants the vote", () => {
  const b = new Node("b").at(quiet);
  b.receive({ ...VOTE, term: b.state.term + 1 });
  const freeze = b.lastFreeze();
  b.at(quiet + SLOW_FREEZE_MS);
  assert.deepEqual(b.sent("voteReply"), [], "decided before its freeze ended");
  b.frozen(freeze);
  const [reply] = b.sent("voteReply");
  assert.ok(reply?.kind === "voteReply" && reply.granted, JSON.stringify(reply));
  assert.equal(b.state.votedFor, "a");
});

Deno.test("slow freeze: a voter's freeze that never ends denies within the freeze window", () => {
  const b = new Node("b").at(quiet);
  b.receive({ ...VOTE, term: b.state.term + 1 });
  b.at(quiet + DEFAULT_TIMERS.electionTimeoutMs + 1);
  const [reply] = b.sent("voteReply");
  assert.ok(reply?.kind === "voteReply" && !reply.granted, JSON.stringify(reply));
  assert.match(reply.reason, /no position reported within 3000 ms/);
});

Deno.test("slow freeze: a candidate whose freeze takes 2 s wins on votes as slow", () => {
  const a = new Node("a").at(quiet + 1000); // its election timer ran out: pre-vote
  const term = a.state.term + 1;
  a.receive({ kind: "preVoteReply", from: "b", term, granted: true, reason: "" });
  assert.equal(a.state.role, "CANDIDATE");
  const freeze = a.lastFreeze();
  a.at(a.now + SLOW_FREEZE_MS);
  assert.equal(a.state.role, "CANDIDATE", a.state.reason);
  a.frozen(freeze);
  assert.equal(a.sent("vote").length, 2);
  a.at(a.now + SLOW_FREEZE_MS); // b's freeze on the vote request is as slow
  assert.equal(a.state.role, "CANDIDATE", a.state.reason);
  a.receive({ kind: "voteReply", from: "b", granted: true, reason: "", position: POSITION });
  assert.equal(a.state.role, "LEADER", a.state.reason);
});

Deno.test("slow freeze: a superseded freeze's result decides nothing", () => {
  const b = new Node("b").at(quiet);
  b.receive({ ...VOTE, term: b.state.term + 1 });
  const forVote = b.lastFreeze();
  // Another candidate of a later term: the first vote is left undecided, a new freeze asked.
  b.receive({ ...VOTE, from: "c", term: b.state.term + 1 });
  const forSecond = b.lastFreeze();
  assert.notEqual(forVote, forSecond);
  b.frozen(forVote);
  assert.deepEqual(b.sent("voteReply"), [], "the first freeze's result decided the vote");
  b.frozen(forSecond);
  const [reply] = b.sent("voteReply");
  assert.ok(reply?.kind === "voteReply" && reply.granted && reply.to === "c");
});

Deno.test("slow freeze: a voter deciding on a vote does not start a campaign of its own", () => {
  const b = new Node("b");
  const deadline = b.state.electionDeadline;
  b.at(deadline - 100); // the vote request comes just before its own election timer runs out
  assert.ok(b.now >= b.state.votesHeldUntil && b.state.campaign === null);
  b.receive({ ...VOTE, term: b.state.term + 1 });
  b.at(deadline + SLOW_FREEZE_MS);
  assert.equal(b.state.campaign, null, "campaigned with a vote pending");
  b.frozen(b.lastFreeze());
  const [reply] = b.sent("voteReply");
  assert.ok(reply?.kind === "voteReply" && reply.granted);
});

/** A heartbeat from a writable leader "a" in term 1, sent at `at`. */
function heartbeatAt(at: number): Record<string, unknown> {
  return {
    kind: "heartbeat",
    from: "a",
    term: 1,
    epoch: 0,
    peers: PEERS,
    idlePeers: [],
    position: POSITION,
    termStart: POSITION,
    writable: true,
    sentAt: at,
    ranking: ["b", "c"],
  };
}

/** Follower "b" replicating from leader "a", its last heartbeat at `at`. */
function following(at: number): Node {
  const b = new Node("b").at(at);
  b.receive(heartbeatAt(at));
  b.frozen(b.lastFreeze());
  assert.ok(b.effects.some((e) => e.kind === "changeMaster"), "did not follow a");
  assert.equal(b.state.replicatingFrom, "a");
  return b;
}

Deno.test("slow freeze: a follower whose leader went quiet freezes before the election needs it", () => {
  const { electionTimeoutMs: E, heartbeatMs: H } = DEFAULT_TIMERS;
  const b = following(quiet);
  const freezes = () => b.effects.filter((e) => e.kind === "freezeReplication").length;
  const before = freezes();
  b.at(quiet + E - H - 100);
  assert.equal(freezes(), before, "froze while the leader was still on time");
  // One heartbeat before its lease on the leader ends: a stop that takes a second is over by
  // the time pre-votes come, and the vote's own freeze finds the IO thread stopped.
  b.at(quiet + E - H);
  assert.equal(freezes(), before + 1, "did not freeze for the quiet leader");
  assert.equal(b.state.quietLeaderStop, true);
  assert.match(b.state.reason + JSON.stringify(b.effects.at(-1)), /no heartbeat from leader a/);
  b.at(quiet + E - H + 500);
  assert.equal(freezes(), before + 1, "froze again");
});

Deno.test("slow freeze: a leader heard again after the early freeze is followed again", () => {
  const { electionTimeoutMs: E, heartbeatMs: H } = DEFAULT_TIMERS;
  const b = following(quiet);
  b.at(quiet + E - H);
  const changes = b.effects.filter((e) => e.kind === "changeMaster").length;
  b.at(quiet + E - H + 200);
  b.receive(heartbeatAt(b.now));
  b.frozen(b.lastFreeze());
  assert.equal(b.effects.filter((e) => e.kind === "changeMaster").length, changes + 1);
  assert.equal(b.state.replicatingFrom, "a");
  assert.equal(b.state.quietLeaderStop, false);
  assert.equal(b.state.role, "FOLLOWER");
});

Deno.test("slow freeze: acks of a new term the quiet leader was re-elected in stay recorded against it", () => {
  // b's agent was paused while its MySQL went on acking a, re-elected meanwhile in term 2: when it
  // runs again its first tick finds a quiet, and the queued heartbeat of term 2 comes after.
  const b = following(quiet);
  assert.equal(b.state.source?.term, 1);
  b.at(quiet + 50_000);
  assert.equal(b.state.quietLeaderStop, true);
  b.receive({ ...heartbeatAt(b.now), term: 2 });
  const source = b.state.source!;
  assert.equal(
    Math.max(source.term, source.ackedTerm ?? 0),
    2,
    "what b's MySQL acked is recorded as of term 1 only: a relay log lost now would let b vote " +
      "for a candidate lacking a's term-2 writes",
  );
});
