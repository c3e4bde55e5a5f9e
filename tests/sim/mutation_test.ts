/**
 * A simulator that cannot catch a broken core proves nothing: with the lease rule or the vote's
 * GTID check switched off, the CI seed budget must find a violation.
 */
import assert from "node:assert/strict";
import type { RaftOptions } from "../../src/raft/mod.ts";
import { runSeed } from "../../src/sim/run.ts";

function firstViolation(core: Partial<RaftOptions>): { seed: number; invariant: string } | null {
  for (let seed = 1; seed <= 500; seed++) {
    const r = runSeed(seed, { timeMs: 60_000, core });
    if (r.violation !== null) return { seed, invariant: r.violation.invariant };
  }
  return null;
}

Deno.test("without the lease the simulator finds two writable primaries", () => {
  const found = firstViolation({ unsafeDisableLease: true });
  assert.ok(found !== null, "no violation found within 500 seeds");
  assert.match(found.invariant, /fencing order|one committing primary|acknowledged writes/);
});

Deno.test("without the vote's GTID check the simulator finds lost acknowledged writes", () => {
  const found = firstViolation({ unsafeDisableVoteGtidCheck: true });
  assert.ok(found !== null, "no violation found within 500 seeds");
  assert.match(found.invariant, /acknowledged writes survive|leader not behind its voters/);
});
