/**
 * Failover time in virtual time: a healthy 3-node cluster under write load, then the leader's
 * host dies at a random moment; how long until another node is writable.
 */
import { Rng } from "./prng.ts";
import { World } from "./world.ts";

export interface FailoverSample {
  readonly seed: number;
  /** Virtual ms from the crash to the next writable leader; null if none within the limit. */
  readonly ms: number | null;
  readonly violation: string | null;
}

const LIMIT_MS = 60_000;

export async function measureFailover(seed: number, nodes = 3): Promise<FailoverSample> {
  const rng = new Rng(seed);
  const w = new World(rng.fork("world"), {
    nodes,
    seed,
    options: {},
    driftUse: 0.95,
    traceLimit: 50,
  });
  await w.runUntil(10_000 + rng.between(0, 5_000));
  const old = w.writableLeader();
  if (old === undefined) return { seed, ms: null, violation: "no leader before the crash" };
  w.crashHost(old);
  const crashedAt = w.now;
  for (let t = w.now; t < crashedAt + LIMIT_MS; t += 10) {
    if (!await w.runUntil(t)) break;
    const next = w.writableLeader();
    if (next !== undefined && next !== old) return { seed, ms: w.now - crashedAt, violation: null };
  }
  const v = w.inv.violations[0];
  return { seed, ms: null, violation: v ? `${v.invariant}: ${v.detail}` : null };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}
