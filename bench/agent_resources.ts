/**
 * `deno task bench:agent`: what an agent costs where most clusters run it, as the sidecar of the
 * Kubernetes operator (limits 100m CPU / 256Mi): a 3-node cluster configured as the operator
 * configures it (election-timeout 10000, heartbeat 2000, monitor-disabled), real mariadbd on
 * loopback. Prints, next to the targets of issue 12:
 * - each daemon's RSS and idle CPU (utime+stime from /proc/<pid>/stat) over --idle-seconds;
 *   targets: at most 50 MB RSS and 0.5 % of one core;
 * - whole-process CLI calls as the operator's probes make them (`xenoncli xenon ping`,
 *   `xenoncli raft status`, `xenoncli version`, each --runs times; wall time around the spawn,
 *   peak RSS from GNU time): targets at most 40 ms and 40 MB. The CLI runs `main.ts` through
 *   `deno run` (as bin/xenoncli does); a `deno compile` binary cannot be built here.
 *
 * Options: --idle-seconds N (default 60), --runs N (default 20).
 */
import { percentile } from "../src/sim/failover.ts";
import { OperatorCluster, type Pod } from "../tests/operator/_operator_cluster.ts";
import { sleep } from "../tests/harness/wait.ts";

const TARGETS = { daemonMb: 50, daemonCpuPct: 0.5, cliMs: 40, cliMb: 40 };
const ROOT = new URL("../", import.meta.url).pathname;

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(Deno.args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 3600) {
    console.error(`error: --${name} needs a whole number 1-3600, got ${Deno.args[i + 1]}`);
    Deno.exit(2);
  }
  return n;
}

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ). */
function clockTicks(): number {
  const out = new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync();
  const n = Number(new TextDecoder().decode(out.stdout).trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
}

/** utime + stime of `pid`, in ticks. */
function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS in MB (10^6 bytes). */
function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kib * 1024 / 1e6;
}

function pidOf(pod: Pod): number {
  const pid = pod.agent.pid();
  if (pid === undefined) throw new Error(`agent ${pod.endpoint} is not running`);
  return pid;
}

const verdict = (value: number, target: number) => value <= target ? "met" : "not met";

/** One CLI process, as a probe runs it: wall ms and peak RSS in MB. */
async function cliCall(pod: Pod, argv: string[]): Promise<{ ms: number; mb: number; ok: boolean }> {
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: [
      "-f",
      "%M",
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      `--config=${ROOT}deno.json`,
      `${ROOT}main.ts`,
      ...argv,
    ],
    cwd: pod.dir,
    env: { NO_COLOR: "1", XENON_INVOKED_AS: "xenoncli", XENON_EXE_DIR: pod.dir },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  const kib = Number(lines.at(-1));
  // GNU time's line is the only stderr a successful call may have.
  return { ms, mb: kib * 1024 / 1e6, ok: out.code === 0 && lines.length === 1 };
}

async function main(): Promise<void> {
  const idleSeconds = option("idle-seconds", 60);
  const runs = option("runs", 20);
  const hz = clockTicks();
  await using cluster = new OperatorCluster();
  await cluster.addPods(3, () => cluster.pods.map((p) => p.endpoint));
  const leader = await cluster.waitForLeader();
  await sleep(5000); // followers settle into replication

  const before = cluster.pods.map((p) => cpuTicks(pidOf(p)));
  const rss = cluster.pods.map((p) => [rssMb(pidOf(p))]);
  const started = performance.now();
  for (let t = 0; t < idleSeconds; t += 5) {
    await sleep(Math.min(5, idleSeconds - t) * 1000);
    cluster.pods.forEach((p, i) => rss[i].push(rssMb(pidOf(p))));
  }
  const seconds = (performance.now() - started) / 1000;
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.log(
    `daemons idle for ${seconds.toFixed(1)} s (3 nodes, the operator's timers: election ` +
      `10000 ms, heartbeat 2000 ms; load average ${load} on ${navigator.hardwareConcurrency} cores):`,
  );
  let maxRss = 0;
  let maxCpu = 0;
  cluster.pods.forEach((p, i) => {
    const cpuPct = 100 * (cpuTicks(pidOf(p)) - before[i]) / hz / seconds;
    const peak = Math.max(...rss[i]);
    maxRss = Math.max(maxRss, peak);
    maxCpu = Math.max(maxCpu, cpuPct);
    console.log(
      `  pod${p.index} ${p === leader ? "LEADER  " : "FOLLOWER"} RSS ${rss[i][0].toFixed(1)} → ${
        rss[i].at(-1)!.toFixed(1)
      } MB (max ${peak.toFixed(1)})  CPU ${cpuPct.toFixed(2)} % of one core`,
    );
  });
  console.log(
    `daemon RSS: max ${maxRss.toFixed(1)} MB, target ${TARGETS.daemonMb} MB: ` +
      verdict(maxRss, TARGETS.daemonMb),
  );
  console.log(
    `daemon idle CPU: max ${maxCpu.toFixed(2)} %, target ${TARGETS.daemonCpuPct} %: ` +
      verdict(maxCpu, TARGETS.daemonCpuPct),
  );

  const follower = cluster.pods.find((p) => p !== leader)!;
  let worstMs = 0;
  let worstMb = 0;
  for (const argv of [["xenon", "ping"], ["raft", "status"], ["version"]]) {
    const calls = [];
    await cliCall(follower, argv); // warm-up: Deno's module cache
    for (let i = 0; i < runs; i++) calls.push(await cliCall(follower, argv));
    const times = calls.map((c) => c.ms).sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const mb = Math.max(...calls.map((c) => c.mb));
    worstMs = Math.max(worstMs, p50);
    worstMb = Math.max(worstMb, mb);
    console.log(
      `  xenoncli ${argv.join(" ")}: ${runs} runs, p50 ${p50.toFixed(1)} ms, max ${
        times.at(-1)!.toFixed(1)
      } ms, peak RSS ${mb.toFixed(1)} MB, ${
        calls.filter((c) => !c.ok).length
      } failed or wrote stderr`,
    );
  }
  console.log(
    `CLI call time: worst p50 ${worstMs.toFixed(1)} ms, target ${TARGETS.cliMs} ms: ` +
      verdict(worstMs, TARGETS.cliMs),
  );
  console.log(
    `CLI call RSS: max ${worstMb.toFixed(1)} MB, target ${TARGETS.cliMb} MB: ` +
      verdict(worstMb, TARGETS.cliMb),
  );
}

await main();
