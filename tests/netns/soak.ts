/**
 * `deno task soak`: a randomized mix of the netns fault scenarios (scenarios.ts, the long ones
 * included) for a given time, each on a fresh cluster under write load, each printing its figures;
 * a summary line at the end. Exits 1 if any scenario broke a check. Bounded in time and count.
 *
 * Usage: deno task soak [--minutes 10] [--seed N] [--only F12,F13]
 */
import { parseArgs } from "node:util";
import { oneLine } from "../../src/lib/errors.ts";
import { Rng } from "../../src/sim/prng.ts";
import { runNetnsScenario } from "./scenario.ts";
import { SCENARIOS } from "./scenarios.ts";

const MAX_RUNS = 1000;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "10" },
    seed: { type: "string" },
    only: { type: "string" },
  },
});
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const ids = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(SCENARIOS);
const unknown = ids.filter((id) => !(id in SCENARIOS));
if (!(minutes > 0 && minutes <= 24 * 60) || !Number.isInteger(seed) || unknown.length > 0) {
  console.error(
    unknown.length > 0
      ? `soak: unknown scenario ${unknown.join(", ")}: choose from ${
        Object.keys(SCENARIOS).join(", ")
      }`
      : "soak: expected --minutes 1-1440 and an integer --seed",
  );
  Deno.exit(2);
}

console.log(`soak: ${minutes} min, seed ${seed}, scenarios ${ids.join(" ")}`);
const rng = new Rng(seed);
const deadline = performance.now() + minutes * 60_000;
const failures: string[] = [];
let runs = 0;
while (performance.now() < deadline && runs < MAX_RUNS) {
  const id = rng.pick(ids);
  runs++;
  try {
    await runNetnsScenario(SCENARIOS[id]);
  } catch (error) {
    const line = `${id} (run ${runs}): ${oneLine(error)}`;
    failures.push(line);
    console.log(`FAILED ${line}`);
  }
}
console.log(`${runs - failures.length} passed, ${failures.length} failed`);
Deno.exit(failures.length === 0 ? 0 : 1);
