/**
 * `deno task bench:sim`: simulator speed (simulated seconds per wall second, steps per second)
 * and failover time after a leader's host dies (p50/p99, virtual time, default timers).
 */
import { runSeed } from "../src/sim/run.ts";
import { measureFailover, percentile } from "../src/sim/failover.ts";

const SPEED_SEEDS = 200;
/** The nightly 50,000 seeds (90 simulated s each) within 2 hours on 2 jobs: per job, this fast. */
const TARGET_SIMULATED_S_PER_S = (50_000 * 90) / 7200 / 2;
const FAILOVER_SEEDS = 500;
const TARGET_P50_MS = 4000;
const TARGET_P99_MS = 6000;

let virtualMs = 0, steps = 0, violations = 0;
const started = performance.now();
for (let seed = 1; seed <= SPEED_SEEDS; seed++) {
  const r = await runSeed(seed, { timeMs: 60_000 });
  virtualMs += r.virtualMs;
  steps += r.steps;
  if (r.violation !== null) violations++;
}
const wall = (performance.now() - started) / 1000;
const speed = virtualMs / 1000 / wall;
console.log(
  `speed: ${SPEED_SEEDS} seeds, ${Math.round(virtualMs / 1000)} simulated s in ${
    wall.toFixed(1)
  } s: ${Math.round(speed)} simulated s per wall s (${
    speed >= TARGET_SIMULATED_S_PER_S ? "meets" : "MISSES"
  } target ${Math.round(TARGET_SIMULATED_S_PER_S)}: the nightly run within 2 hours on 2 jobs), ` +
    `${Math.round(steps / wall)} steps/s, ${violations} violations`,
);

const times: number[] = [];
let failed = 0;
for (let seed = 1; seed <= FAILOVER_SEEDS; seed++) {
  const s = await measureFailover(seed);
  if (s.ms === null) failed++;
  else times.push(s.ms);
}
times.sort((a, b) => a - b);
const p50 = percentile(times, 50), p99 = percentile(times, 99);
const verdict = (x: number, target: number) =>
  (x <= target ? "meets" : "MISSES") + ` target ${target / 1000} s`;
console.log(
  `failover (3 nodes, leader host crash, default timers, ${FAILOVER_SEEDS} runs, virtual time): ` +
    `p50 ${(p50 / 1000).toFixed(2)} s (${verdict(p50, TARGET_P50_MS)}), ` +
    `p99 ${(p99 / 1000).toFixed(2)} s (${verdict(p99, TARGET_P99_MS)}), ` +
    `max ${(times[times.length - 1] / 1000).toFixed(2)} s, no failover in ${failed}`,
);
