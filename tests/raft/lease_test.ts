import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_TIMERS, leaseArithmetic, validateTimers } from "../../src/raft/mod.ts";
import { ConfigError } from "../../src/lib/errors.ts";
import { TestCluster } from "../support/test_cluster.ts";

const ABC = ["a:1", "b:1", "c:1"];

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

Deno.test("with drifted clocks the cut-off leader is fenced before any vote is granted (property)", async () => {
  // Measured on the core, not derived from leaseMsFor: real time of the old leader's fence plus
  // the fence budget, against the first vote any other voter grants after the cut.
  const scenario = fc.record({
    heartbeatMs: fc.integer({ min: 100, max: 1000 }),
    electionFactor: fc.double({ min: 2.5, max: 25, noNaN: true }),
    fenceBudgetMs: fc.integer({ min: 0, max: 500 }),
    clockDriftBound: fc.double({ min: 0, max: 0.1, noNaN: true }),
    rates: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
    worstCase: fc.boolean(),
  });
  let measured = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (x) => {
      const rho = x.clockDriftBound;
      const timers = {
        ...DEFAULT_TIMERS,
        heartbeatMs: x.heartbeatMs,
        electionTimeoutMs: Math.round(x.heartbeatMs * x.electionFactor + x.fenceBudgetMs * 2),
        fenceBudgetMs: x.fenceBudgetMs,
        clockDriftBound: rho,
        tickMs: Math.ceil(100 * (1 + rho)) + 1, // each node ticks on its own drifting clock
      };
      try {
        validateTimers(timers);
      } catch {
        return true; // refused configs are not run
      }
      const c = await TestCluster.create(ABC, timers);
      await c.run(4 * timers.electionTimeoutMs);
      const [leader] = c.leaders();
      if (leader === undefined || !c.writable.has(leader)) return true;
      // Worst case: the leader's clock slow (its lease lasts longest), the voters' fast.
      for (const [i, n] of ABC.entries()) {
        const rate = x.worstCase ? (n === leader ? -1 : 1) : x.rates[i];
        c.setClockRate(n, 1 + rate * rho);
      }
      const cutAt = c.now;
      let fencedAt = -1;
      let grantedAt = -1;
      c.onEffect.push((n, e, real) => {
        if (real < cutAt) return;
        if (n === leader && e.kind === "fence" && fencedAt < 0) fencedAt = real;
        const grant = e.kind === "send" && e.message.kind === "voteReply" && e.message.granted;
        if (n !== leader && grant && grantedAt < 0) grantedAt = real;
      });
      c.cut.add(leader);
      const rounds = Math.ceil((3 * timers.electionTimeoutMs + 10_000) / 100);
      for (let i = 0; i < rounds && grantedAt < 0; i++) await c.run(100);
      assert.ok(fencedAt >= 0, "the cut-off leader fenced");
      assert.ok(grantedAt >= 0, "the others granted a vote");
      assert.ok(
        fencedAt + timers.fenceBudgetMs <= grantedAt,
        `fence done by ${fencedAt + timers.fenceBudgetMs} ms, first vote granted at ` +
          `${grantedAt} ms (${leaseArithmetic(timers).summary})`,
      );
      measured++;
      return true;
    }),
    { numRuns: 100 },
  );
  assert.ok(measured > 50, `only ${measured} runs measured a fence and a vote`);
});
