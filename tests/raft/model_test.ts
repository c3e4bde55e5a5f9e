/**
 * Model-based properties of the core (fast-check): random sequences of messages, ticks,
 * restarts and MySQL samples against one node running the daemon's shell (the freeze results
 * come from its executor), checked after every step the core makes.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import type { Message } from "../../src/raft/mod.ts";
import { TestCluster } from "../support/test_cluster.ts";

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

Deno.test("term never decreases, one vote per term across restarts, votes obey positions, epochs come from the leader", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 60 }), async (actions) => {
      // One real node (the daemon's loop and executor); its peers exist only in the messages.
      const c = await TestCluster.create([SELF], {}, { peers: PEERS });
      let disk = c.disk.get(SELF)!;
      let checked = 0;
      const votes = new Map<number, string>();
      /** Checks every step the node made since the last check; returns the messages it sent. */
      const check = (): Message[] => {
        const sent: Message[] = [];
        const steps = c.steps(SELF);
        for (const { event, before, state, persist, effects } of steps.slice(checked)) {
          const termBefore = before.role === "STOPPED" ? disk.viewId : before.term;
          const epochBefore = before.role === "STOPPED" ? disk.epochId : before.epoch;
          if (persist) disk = persist;
          assert.ok(state.term >= termBefore, "term went backwards");
          if (state.epoch !== epochBefore) {
            // The leader's, even a lower one: an epoch of mine it lacks was never settled.
            assert.ok(
              event.type === "message" && event.message.kind === "heartbeat" &&
                event.message.epoch === state.epoch,
              "epoch from a heartbeat only",
            );
          }
          if (disk.votedFor !== null) {
            const earlier = votes.get(disk.viewId);
            assert.ok(earlier === undefined || earlier === disk.votedFor, "two votes in one term");
            votes.set(disk.viewId, disk.votedFor);
          }
          for (const e of effects) {
            if (e.kind !== "send") continue;
            sent.push(e.message);
            if (e.message.kind === "voteReply" && e.message.granted) {
              assert.equal(disk.votedFor, e.message.to, "vote sent before it was durable");
            }
          }
        }
        checked = steps.length;
        return sent;
      };
      check();
      for (const a of actions) {
        if (a.kind === "tick") {
          c.jump(SELF, a.ms); // one tick after `ms`, as a loop held that long would see it
          await c.apply(SELF, { type: "tick" });
        } else if (a.kind === "restart") {
          await c.start(SELF);
        } else if (a.kind === "observe") {
          c.positions.set(SELF, a.position);
          await c.observe(SELF);
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
            sentAt: c.clock(SELF),
            ranking: [],
          };
          await c.apply(SELF, { type: "message", message: m });
        } else {
          check();
          const dataTermBefore = c.state(SELF).dataTerm;
          const mine = c.positions.get(SELF);
          await c.apply(SELF, {
            type: "message",
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
          // The vote's own step and those of the shell's results (the frozen position).
          for (const m of check()) {
            if (m.kind !== "voteReply" || !m.granted) continue;
            granted++;
            const cmp = mariadbComparator.compare(a.position, mine);
            assert.ok(
              cmp === "equal" || cmp === "ahead",
              `granted ${a.position} against mine ${mine}`,
            );
            assert.ok(a.dataTerm >= dataTermBefore, "granted an older data term");
            assert.ok(
              PEERS.includes(a.from) && c.state(SELF).peers.includes(a.from),
              "granted a non-voter",
            );
            const earlier = votes.get(m.term);
            assert.ok(earlier === undefined || earlier === m.to, "two votes in one term");
            votes.set(m.term, m.to);
          }
        }
        check();
      }
    }),
    { numRuns: 500 },
  );
  assert.ok(granted > 20, `only ${granted} votes granted: the property barely ran`);
});
