/**
 * A simulator that cannot catch a broken agent proves nothing: with one safety rule switched off
 * (test-only switches in RaftOptions), in the election core or in the shell that carries out its
 * effects (src/node), the CI seed budget must find a violation.
 */
import assert from "node:assert/strict";
import type { RaftOptions } from "../../src/raft/mod.ts";
import { runSeed } from "../../src/sim/run.ts";

async function firstViolation(
  core: Partial<RaftOptions>,
): Promise<{ seed: number; invariant: string } | null> {
  for (let seed = 1; seed <= 500; seed++) {
    const r = await runSeed(seed, { timeMs: 60_000, core });
    if (r.violation !== null) return { seed, invariant: r.violation.invariant };
  }
  return null;
}

const MUTATIONS: { name: string; core: Partial<RaftOptions>; found: RegExp }[] = [
  {
    name: "without the lease: two writable primaries",
    core: { unsafeDisableLease: true },
    found: /fencing order|one committing primary|acknowledged writes/,
  },
  {
    name: "without the vote's GTID check: lost acknowledged writes",
    core: { unsafeDisableVoteGtidCheck: true },
    found: /acknowledged writes survive|leader not behind its voters/,
  },
  {
    name: "catch-up reporting done at once: a leader writable without acknowledged writes",
    core: { unsafeSkipCatchUp: true },
    found: /acknowledged writes survive/,
  },
  {
    name: "a hand-over that skips the fence: the old leader still writable",
    core: { unsafeSkipHandOverFence: true },
    found: /fencing order|one committing primary|acknowledged writes/,
  },
  {
    // In the executor (src/node/effects.ts): found only because the simulator runs it.
    name: "promote without its lease re-check before read_only OFF: a paused promote's write",
    core: { unsafeSkipPromoteLeaseCheck: true },
    found: /fencing order|one committing primary|acknowledged writes/,
  },
  {
    // Also in the executor: a truncating restart (--init-rpl-role=SLAVE) cuts returned commits.
    name: "promote leaving innodb_flush_log_at_trx_commit at 1: a restart truncates acked commits",
    core: { unsafeSkipCommitFlush: true },
    found: /acknowledged writes survive/,
  },
];

for (const { name, core, found: expected } of MUTATIONS) {
  Deno.test(`the simulator catches ${name}`, async () => {
    const found = await firstViolation(core);
    assert.ok(found !== null, "no violation found within 500 seeds");
    assert.match(found.invariant, expected, `seed ${found.seed}`);
  });
}
