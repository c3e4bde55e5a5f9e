/**
 * `deno task sim --seeds N [--seed S] [--time T] [--jobs K] [--unsafe M]`: runs seeds through the
 * simulator (on K workers) and prints what ran and, for a failing seed, the command that replays
 * it and the trace around the failure. Exit codes: 0 all safe, 1 a violation, 2 bad arguments.
 */
import type { RaftOptions } from "../raft/mod.ts";
import { runSeeds } from "./seeds.ts";

/** The test-only switches `--unsafe` turns on (the mutations the simulator must catch). */
const MUTATIONS: Record<string, Partial<RaftOptions>> = {
  lease: { unsafeDisableLease: true },
  gtid: { unsafeDisableVoteGtidCheck: true },
  catchup: { unsafeSkipCatchUp: true },
  handover: { unsafeSkipHandOverFence: true },
  promote: { unsafeSkipPromoteLeaseCheck: true },
  flush: { unsafeSkipCommitFlush: true },
};

interface Args {
  seeds: number;
  seed: number;
  timeS: number;
  jobs: number;
  unsafe: string | null;
}

function parse(argv: string[]): Args {
  const args: Args = { seeds: 100, seed: 1, timeS: 60, jobs: 1, unsafe: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = inline ?? argv[++i];
    const num = Number(value);
    if (flag === "--unsafe") {
      if (!(value in MUTATIONS)) {
        throw new Error(`--unsafe takes one of ${Object.keys(MUTATIONS).join(", ")}`);
      }
      args.unsafe = value;
      continue;
    }
    if (!Number.isSafeInteger(num) || num < 0) {
      throw new Error(`${flag} needs a whole number, got ${value}`);
    }
    if (flag === "--seeds") args.seeds = num;
    else if (flag === "--seed") args.seed = num;
    else if (flag === "--time") args.timeS = num;
    else if (flag === "--jobs") args.jobs = num;
    else {
      throw new Error(`unknown option ${flag}; use --seeds N [--seed S] [--time T] [--jobs K]`);
    }
  }
  if (args.seeds < 1 || args.timeS < 1 || args.jobs < 1) {
    throw new Error("--seeds, --time and --jobs must be at least 1");
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(Deno.args);
  } catch (err) {
    console.error(`sim: ${(err as Error).message}`);
    return 2;
  }
  const core = args.unsafe === null ? {} : MUTATIONS[args.unsafe];
  const started = performance.now();
  const s = await runSeeds(
    { from: args.seed, count: args.seeds, timeMs: args.timeS * 1000, core },
    args.jobs,
  );
  const wall = (performance.now() - started) / 1000;
  console.log(
    `seeds ${s.ran} (from ${args.seed}), virtual ${Math.round(s.virtualMs / 1000)} s, ` +
      `steps ${s.steps} (${Math.round(s.steps / wall)} steps/s), elections ${s.elections}, ` +
      `acknowledged writes ${s.acknowledged}, violations ${s.failed ? 1 : 0}, ` +
      `wall ${wall.toFixed(1)} s (${Math.round(s.virtualMs / 1000 / wall)} simulated s per s)`,
  );
  const counted = [...s.faults].sort(([a], [b]) => (a < b ? -1 : 1));
  console.log(`faults injected: ${counted.map(([f, n]) => `${f} ${n}`).join(", ") || "none"}`);
  const failed = s.failed;
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

Deno.exit(await main());
