/**
 * `deno task sim --seeds N [--seed S] [--time T]`: runs seeds through the simulator and prints
 * what ran and, for a failing seed, the command that replays it and the trace around the failure.
 * Exit codes: 0 all safe, 1 a violation, 2 bad arguments.
 */
import { runSeed, type SeedResult } from "./run.ts";

interface Args {
  seeds: number;
  seed: number;
  timeS: number;
  unsafe: string | null;
}

function parse(argv: string[]): Args {
  const args: Args = { seeds: 100, seed: 1, timeS: 60, unsafe: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    const num = Number(value);
    if (flag === "--unsafe") {
      if (value !== "lease" && value !== "gtid") throw new Error(`--unsafe takes lease or gtid`);
      args.unsafe = value;
      continue;
    }
    if (!Number.isSafeInteger(num) || num < 0) {
      throw new Error(`${flag} needs a whole number, got ${value}`);
    }
    if (flag === "--seeds") args.seeds = num;
    else if (flag === "--seed") args.seed = num;
    else if (flag === "--time") args.timeS = num;
    else throw new Error(`unknown option ${flag}; use --seeds N [--seed S] [--time T]`);
  }
  if (args.seeds < 1 || args.timeS < 1) throw new Error("--seeds and --time must be at least 1");
  return args;
}

function main(): number {
  let args: Args;
  try {
    args = parse(Deno.args);
  } catch (err) {
    console.error(`sim: ${(err as Error).message}`);
    return 2;
  }
  const core = args.unsafe === "lease"
    ? { unsafeDisableLease: true }
    : args.unsafe === "gtid"
    ? { unsafeDisableVoteGtidCheck: true }
    : {};
  const started = performance.now();
  let virtualMs = 0, steps = 0, elections = 0, acked = 0, failed: SeedResult | null = null;
  let ran = 0;
  const faults = new Map<string, number>();
  for (let s = args.seed; s < args.seed + args.seeds; s++) {
    const r = runSeed(s, { timeMs: args.timeS * 1000, core });
    ran++;
    virtualMs += r.virtualMs;
    steps += r.steps;
    elections += r.elections;
    acked += r.acknowledged;
    for (const [fault, n] of r.faults) faults.set(fault, (faults.get(fault) ?? 0) + n);
    if (r.violation !== null) {
      failed = r;
      break;
    }
  }
  const wall = (performance.now() - started) / 1000;
  console.log(
    `seeds ${ran} (from ${args.seed}), virtual ${
      Math.round(virtualMs / 1000)
    } s, steps ${steps}, ` +
      `elections ${elections}, acknowledged writes ${acked}, violations ${failed ? 1 : 0}, ` +
      `wall ${wall.toFixed(1)} s (${Math.round(virtualMs / 1000 / wall)} simulated s per s)`,
  );
  const counted = [...faults].sort(([a], [b]) => (a < b ? -1 : 1));
  console.log(`faults injected: ${counted.map(([f, n]) => `${f} ${n}`).join(", ") || "none"}`);
  if (failed === null) return 0;
  const v = failed.violation!;
  console.log(
    `\nVIOLATION in seed ${failed.seed} (${failed.nodes} nodes) at ${
      (v.at / 1000).toFixed(3)
    } s: ${v.invariant}: ${v.detail}`,
  );
  const unsafe = args.unsafe ? ` --unsafe ${args.unsafe}` : "";
  console.log(
    `replay: deno task sim --seeds 1 --seed ${failed.seed} --time ${args.timeS}${unsafe}`,
  );
  console.log(`trace (last ${failed.trace.length} events):`);
  for (const line of failed.trace) console.log(`  ${line}`);
  return 1;
}

Deno.exit(main());
