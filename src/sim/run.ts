/** One seed, start to finish: chaos, then heal, then a leader must appear (liveness). */
import type { RaftOptions } from "../raft/mod.ts";
import { Nemesis } from "./nemesis.ts";
import { Rng } from "./prng.ts";
import type { Violation } from "./invariants.ts";
import { type CountedFault, World } from "./world.ts";

export interface SeedOptions {
  /** Virtual ms of faults; then HEAL_MS more with none. */
  readonly timeMs: number;
  /** Overrides for every node's core options (test-only switches go here). */
  readonly core?: Partial<RaftOptions>;
  /** Fraction of the drift bound that clock rates use (1 = at the bound, 3 = beyond it). */
  readonly driftUse?: number;
  readonly nodes?: number;
}

export interface SeedResult {
  readonly seed: number;
  readonly nodes: number;
  readonly virtualMs: number;
  readonly steps: number;
  readonly elections: number;
  readonly acknowledged: number;
  /** How often each counted fault was injected. */
  readonly faults: ReadonlyMap<CountedFault, number>;
  readonly violation: Violation | null;
  /** The event trace leading to the violation (empty when there is none). */
  readonly trace: readonly string[];
}

/** After the heal, a writable leader must exist within this much virtual time. */
export const HEAL_MS = 30_000;
const TRACE_LINES = 60;

export async function runSeed(seed: number, opts: SeedOptions): Promise<SeedResult> {
  const rng = new Rng(seed);
  const shape = rng.fork("shape");
  const nodes = opts.nodes ?? shape.pick([3, 3, 3, 3, 5, 5, 4, 2]);
  const world = new World(rng.fork("world"), {
    nodes,
    seed,
    options: opts.core ?? {},
    driftUse: opts.driftUse ?? 0.95,
    traceLimit: 400,
  });
  new Nemesis(world, rng.fork("nemesis")).plan(opts.timeMs);
  const end = opts.timeMs + HEAL_MS;
  await world.runUntil(end);
  let violation = world.inv.violations[0] ?? null;
  if (violation === null && world.writableLeader() === undefined) {
    violation = {
      at: world.now,
      invariant: "liveness after heal",
      detail: `no writable leader ${HEAL_MS / 1000}s after every fault healed: ` +
        world.nodes.map((n) => `${n.id} ${n.state.role} (${n.state.reason})`).join("; "),
    };
    world.log(`VIOLATION ${violation.invariant}: ${violation.detail}`);
  }
  return {
    seed,
    nodes,
    virtualMs: world.now,
    steps: world.steps,
    elections: world.elections,
    acknowledged: world.inv.ackedCount,
    faults: world.faults,
    violation,
    trace: violation === null ? [] : world.trace.slice(-TRACE_LINES),
  };
}
