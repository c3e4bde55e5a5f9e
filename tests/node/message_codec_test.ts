/** The election message codec: bad peer input is a one-line ValidationError, never a crash. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { validateEnvelope } from "../../src/node/message_codec.ts";
import type { Message } from "../../src/raft/mod.ts";
import { ValidationError } from "../../src/rpc/mod.ts";

const A = "10.0.0.1:8801";
const B = "10.0.0.2:8801";

const heartbeat: Message = {
  kind: "heartbeat",
  from: A,
  to: B,
  term: 4,
  epoch: 2,
  peers: [A, B],
  idlePeers: [],
  position: "0-1-42",
  termStart: "0-1-40",
  writable: true,
  sentAt: 1234.5,
  ranking: [B],
};
const mysql = { host: "10.0.0.1", port: 3306 };

function refusal(body: unknown): string {
  try {
    validateEnvelope(body);
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
}

Deno.test("codec: a well-formed heartbeat passes, unknown fields dropped, null position kept null", () => {
  const out = validateEnvelope({ message: { ...heartbeat, extra: "x" }, mysql, junk: 1 });
  assert.deepEqual(out, { message: heartbeat, mysql });
  const noPos = validateEnvelope({ message: { ...heartbeat, position: null }, mysql });
  assert.equal((noPos.message as { position: unknown }).position, null);
});

Deno.test("codec: every kind is checked field by field, the error names the field", () => {
  assert.match(refusal(null), /^body: expected an object/);
  assert.match(refusal({ message: heartbeat }), /^mysql: expected an object/);
  assert.match(refusal({ message: "hi", mysql }), /^message: expected an object/);
  assert.match(refusal({ message: [heartbeat], mysql }), /^message: expected an object/);
  assert.match(
    refusal({ message: { ...heartbeat, kind: "appendEntries" }, mysql }),
    /message\.kind/,
  );
  assert.match(refusal({ message: { ...heartbeat, term: -1 }, mysql }), /message\.term/);
  assert.match(refusal({ message: { ...heartbeat, term: 1.5 }, mysql }), /message\.term/);
  assert.match(refusal({ message: { ...heartbeat, term: "4" }, mysql }), /message\.term/);
  assert.match(refusal({ message: { ...heartbeat, peers: [A, 7] }, mysql }), /message\.peers\[1\]/);
  assert.match(refusal({ message: { ...heartbeat, sentAt: null }, mysql }), /message\.sentAt/);
  const { from: _from, ...noFrom } = heartbeat;
  assert.match(
    refusal({ message: noFrom, mysql }),
    /message\.from: expected a string, got nothing/,
  );
  const reply = { kind: "voteReply", from: B, to: A, term: 4, granted: true, reason: "" };
  assert.match(
    refusal({ message: { ...reply, position: null, dataTerm: 1, role: "KING" }, mysql }),
    /message\.role: expected one of FOLLOWER\|/,
  );
  assert.match(refusal({ message: { kind: "vote", from: A, to: B, term: 5 }, mysql }), /position/);
});

Deno.test("codec: the MySQL address must be a host and a port 1-65535", () => {
  for (
    const bad of [{ host: "", port: 3306 }, { host: "h", port: 0 }, { host: "h", port: 70000 }]
  ) {
    assert.match(refusal({ message: heartbeat, mysql: bad }), /mysql: expected a host and a port/);
  }
  assert.match(refusal({ message: heartbeat, mysql: { host: 1, port: 3306 } }), /mysql\.host/);
});

Deno.test("codec: arbitrary JSON never throws anything but a one-line ValidationError", () => {
  const kinds = ["heartbeat", "heartbeatReply", "preVote", "vote", "voteReply", "ping", "x"];
  const messageLike = fc.record({
    kind: fc.constantFrom(...kinds),
    from: fc.oneof(fc.string(), fc.integer()),
    to: fc.string(),
    term: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string()),
  }, { requiredKeys: [] });
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record({ message: fc.oneof(fc.jsonValue(), messageLike), mysql: fc.jsonValue() }),
    fc.record({
      message: fc.record({
        ...Object.fromEntries(Object.keys(heartbeat).map((k) => [k, fc.jsonValue()])),
      }),
      mysql: fc.constant(mysql),
    }),
  );
  fc.assert(
    fc.property(body, (value) => {
      try {
        validateEnvelope(value);
      } catch (error) {
        return error instanceof ValidationError && !error.message.includes("\n");
      }
      return true;
    }),
    { numRuns: 2000, seed: 6 },
  );
});

Deno.test("codec: every field of every message kind survives validation (nothing the core reads is dropped)", () => {
  // Typed as Message: the compiler insists each sample has every field its kind declares.
  const samples: Message[] = [
    heartbeat,
    {
      kind: "heartbeatReply",
      from: B,
      to: A,
      term: 4,
      ok: true,
      reason: "",
      sentAt: 1.5,
      position: "0-1-42",
      role: "FOLLOWER",
      backlog: 120,
    },
    { kind: "preVote", from: A, to: B, term: 5, position: "0-1-42", dataTerm: 4 },
    { kind: "preVoteReply", from: B, to: A, term: 5, granted: true, reason: "", role: "FOLLOWER" },
    { kind: "vote", from: A, to: B, term: 5, position: "0-1-42", dataTerm: 4, transfer: false },
    {
      kind: "voteReply",
      from: B,
      to: A,
      term: 5,
      granted: false,
      reason: "behind",
      position: null,
      dataTerm: 4,
      role: "FOLLOWER",
    },
    { kind: "transfer", from: B, to: A, term: 5 },
    { kind: "leaseReleased", from: A, to: B, term: 5, target: B },
    { kind: "ping", from: A, to: B, term: 5 },
    { kind: "pingReply", from: B, to: A, term: 5, role: "LEADER", leader: B, epoch: 3 },
  ];
  for (const message of samples) {
    assert.deepEqual(validateEnvelope({ message, mysql }).message, message, message.kind);
  }
});
