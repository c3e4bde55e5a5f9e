/**
 * Model-based properties of the core (fast-check): random sequences of messages, ticks,
 * restarts and freeze results against one node, checked after every step.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import {
  initialState,
  type Message,
  type PersistedMeta,
  type RaftEvent,
  raftOptions,
  step,
} from "../../src/raft/mod.ts";

const SELF = "n1:1";
const PEERS = ["n1:1", "n2:1", "n3:1"];
const position = fc.integer({ min: 1, max: 30 }).chain((seq) =>
  fc.constantFrom(`0-1-${seq}`, `0-2-${seq}`)
);

type Action =
  | { kind: "vote"; from: string; term: number; position: string; dataTerm: number }
  | { kind: "heartbeat"; from: string; term: number; epoch: number; peers: string[] }
  | { kind: "tick"; ms: number }
  | { kind: "restart" }
  | { kind: "observe"; position: string };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("vote" as const),
      from: fc.constantFrom("n2:1", "n3:1", "x:1"),
      term: fc.integer({ min: 0, max: 8 }),
      position,
      dataTerm: fc.integer({ min: 0, max: 3 }),
    }),
    weight: 3,
  },
  fc.record({
    kind: fc.constant("heartbeat" as const),
    from: fc.constantFrom("n2:1", "n3:1"),
    term: fc.integer({ min: 0, max: 8 }),
    epoch: fc.integer({ min: 0, max: 4 }),
    peers: fc.constantFrom(PEERS, ["n1:1", "n2:1"], ["n2:1", "n3:1"]),
  }),
  // Weighted: a restart holds votes for one election timeout, so time must pass often.
  {
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.integer({ min: 1, max: 4000 }),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant("restart" as const) }),
  fc.record({ kind: fc.constant("observe" as const), position }),
);

let granted = 0;

Deno.test("term never decreases, one vote per term across restarts, votes obey positions, epochs only grow from the leader", () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
      const o = raftOptions(SELF, mariadbComparator, { seed: 1 });
      let disk: PersistedMeta = {
        viewId: 0,
        votedFor: null,
        epochId: 1,
        peers: PEERS,
        idlePeers: [],
        mode: "normal",
        modeReason: "",
        dataTerm: 0,
        source: null,
      };
      let now = 0;
      let mine = "0-1-10";
      let state = initialState(o);
      const votes = new Map<number, string>();
      const apply = (ev: RaftEvent): void => {
        const termBefore = state.role === "STOPPED" ? disk.viewId : state.term;
        const epochBefore = state.role === "STOPPED" ? disk.epochId : state.epoch;
        const t = step(o, state, ev);
        state = t.state;
        if (t.persist) disk = t.persist;
        assert.ok(state.term >= termBefore, "term went backwards");
        if (state.epoch !== epochBefore) {
          assert.ok(state.epoch > epochBefore, "epoch went backwards");
          assert.ok(
            ev.type === "message" && ev.message.kind === "heartbeat",
            "epoch from a heartbeat only",
          );
        }
        if (disk.votedFor !== null) {
          const earlier = votes.get(disk.viewId);
          assert.ok(earlier === undefined || earlier === disk.votedFor, "two votes in one term");
          votes.set(disk.viewId, disk.votedFor);
        }
        for (const e of t.effects) {
          if (e.kind === "send" && e.message.kind === "voteReply" && e.message.granted) {
            assert.equal(disk.votedFor, e.message.to, "vote sent before it was durable");
          }
          if (e.kind === "freezeReplication") {
            apply({ type: "replicationFrozen", now, position: mine });
          }
        }
      };
      apply({ type: "start", now, meta: disk });
      for (const a of actions) {
        if (a.kind === "tick") {
          now += a.ms;
          apply({ type: "tick", now });
        } else if (a.kind === "restart") {
          state = initialState(o);
          apply({ type: "start", now, meta: disk });
        } else if (a.kind === "observe") {
          mine = a.position;
          apply({
            type: "mysql",
            now,
            observation: { alive: true, ioRunning: true, sqlRunning: true, position: mine },
          });
        } else if (a.kind === "heartbeat") {
          const m: Message = {
            kind: "heartbeat",
            from: a.from,
            to: SELF,
            term: a.term,
            epoch: a.epoch,
            peers: a.peers,
            idlePeers: [],
            position: "0-1-1",
            termStart: "0-1-1",
            writable: true,
            sentAt: now,
            ranking: [],
          };
          apply({ type: "message", now, message: m });
        } else {
          const dataTermBefore = state.dataTerm;
          const sent: Message[] = [];
          const t = step(o, state, {
            type: "message",
            now,
            message: {
              kind: "vote",
              from: a.from,
              to: SELF,
              term: a.term,
              position: a.position,
              dataTerm: a.dataTerm,
              transfer: false,
            },
          });
          state = t.state;
          if (t.persist) disk = t.persist;
          if (t.effects.some((e) => e.kind === "freezeReplication")) {
            const r = step(o, state, { type: "replicationFrozen", now, position: mine });
            state = r.state;
            if (r.persist) disk = r.persist;
            for (const e of r.effects) if (e.kind === "send") sent.push(e.message);
          }
          for (const m of sent) {
            if (m.kind !== "voteReply" || !m.granted) continue;
            granted++;
            const cmp = mariadbComparator.compare(a.position, mine);
            assert.ok(
              cmp === "equal" || cmp === "ahead",
              `granted ${a.position} against mine ${mine}`,
            );
            assert.ok(a.dataTerm >= dataTermBefore, "granted an older data term");
            assert.ok(
              PEERS.includes(a.from) && state.peers.includes(a.from),
              "granted a non-voter",
            );
            const earlier = votes.get(m.term);
            assert.ok(earlier === undefined || earlier === m.to, "two votes in one term");
            votes.set(m.term, m.to);
          }
        }
      }
    }),
    { numRuns: 500 },
  );
  assert.ok(granted > 20, `only ${granted} votes granted: the property barely ran`);
});
