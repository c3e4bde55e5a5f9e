/** A scripted simulator world for the scenario and fault tests, and its two checks. */
import assert from "node:assert/strict";
import type { RaftOptions } from "../../src/raft/mod.ts";
import { Rng } from "../../src/sim/prng.ts";
import { type SimNode, World } from "../../src/sim/world.ts";

export function world(nodes: number, seed = 7, options: Partial<RaftOptions> = {}): World {
  return new World(new Rng(seed), { nodes, seed, options, driftUse: 0.95, traceLimit: 300 });
}

/** Runs `ms` of virtual time; a violation fails the test with the trace around it. */
export async function run(w: World, ms: number): Promise<void> {
  const ok = await w.runUntil(w.now + ms);
  const v = w.inv.violations[0];
  assert.ok(ok, `${v?.invariant}: ${v?.detail}\n${w.trace.slice(-40).join("\n")}`);
}

/** The writable leader, which must exist. */
export function leader(w: World): SimNode {
  const l = w.writableLeader();
  assert.ok(l, `no writable leader\n${w.trace.slice(-30).join("\n")}`);
  return l;
}
