import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DEFAULT_TIMERS,
  leaseArithmetic,
  type RaftTimers,
  validateTimers,
} from "../../src/raft/mod.ts";
import { ConfigError } from "../../src/lib/errors.ts";

Deno.test("default timers: old leader read-only at least one heartbeat before any new leader", () => {
  const a = leaseArithmetic(DEFAULT_TIMERS);
  validateTimers(DEFAULT_TIMERS);
  assert.ok(a.leaseMs > DEFAULT_TIMERS.heartbeatMs, a.summary);
  assert.ok(a.marginMs >= DEFAULT_TIMERS.heartbeatMs - 1e-6, a.summary);
  assert.equal(Math.floor(a.newLeaderWritableFromMs), 2970);
  assert.equal(Math.floor(a.oldLeaderReadOnlyByMs), 1970);
  assert.equal(Math.floor(a.leaseMs), 1355);
  assert.match(
    a.summary,
    /^lease 1355 ms .* read-only by 1970 ms, earliest new leader writable at 2970 ms/,
  );
});

Deno.test("a config whose lease would not outlast a heartbeat is refused in one line", () => {
  const bad = { ...DEFAULT_TIMERS, electionTimeoutMs: 2000 };
  assert.throws(() => validateTimers(bad), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /raise election-timeout to at least \d+ ms/);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
  assert.throws(() => validateTimers({ ...DEFAULT_TIMERS, heartbeatMs: 0 }), /heartbeatMs/);
});

Deno.test("every valid config keeps a margin of at least one heartbeat (property)", () => {
  const timers = fc.record({
    heartbeatMs: fc.integer({ min: 10, max: 10_000 }),
    electionTimeoutMs: fc.integer({ min: 10, max: 100_000 }),
    requestTimeoutMs: fc.integer({ min: 1, max: 10_000 }),
    fenceBudgetMs: fc.integer({ min: 0, max: 5_000 }),
    tickMs: fc.integer({ min: 1, max: 1_000 }),
    clockDriftBound: fc.double({ min: 0, max: 0.2, noNaN: true }),
    catchUpTimeoutMs: fc.integer({ min: 1, max: 100_000 }),
  });
  fc.assert(
    fc.property(timers, (t: RaftTimers) => {
      try {
        validateTimers(t);
      } catch {
        return true; // refused configs are not run
      }
      const a = leaseArithmetic(t);
      return a.marginMs >= t.heartbeatMs - 1e-6 && a.leaseMs > t.heartbeatMs;
    }),
    { numRuns: 2000 },
  );
});
