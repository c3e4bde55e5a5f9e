/**
 * `deno task bench:agent`: what an agent costs on a 3-node cluster on loopback: each agent's RSS
 * and CPU (utime+stime from /proc/<pid>/stat) over 60 s idle, and the latency of `cluster status`
 * (p50/p99 of 50 runs of the CLI's code path in-process: config load, three nodes asked in
 * parallel, table rendered).
 *
 * Options: --idle-seconds N (default 60), --runs N (default 50).
 */
import { runCli } from "../src/cli/run.ts";
import { percentile } from "../src/sim/failover.ts";
import { type Agent, joinAll, sleep, startE2ECluster } from "../tests/e2e/_cluster.ts";

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

function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function pidOf(a: Agent): number {
  const pid = a.pid();
  if (pid === undefined) throw new Error(`agent ${a.endpoint} is not running`);
  return pid;
}

async function main(): Promise<void> {
  const idleSeconds = option("idle-seconds", 60);
  const runs = option("runs", 50);
  const hz = clockTicks();
  await using cluster = await startE2ECluster(3);
  await joinAll(cluster);
  const leader = await cluster.waitForLeader(30_000);
  await sleep(3000); // followers settle into replication

  const roles = new Map<Agent, string>();
  for (const a of cluster.agents) {
    roles.set(a, (await cluster.call(a, "RaftRPC.Status")).state);
  }
  const before = cluster.agents.map((a) => cpuTicks(pidOf(a)));
  const rss = cluster.agents.map((a) => [rssMiB(pidOf(a))]);
  const started = performance.now();
  for (let t = 0; t < idleSeconds; t += 5) {
    await sleep(Math.min(5, idleSeconds - t) * 1000);
    cluster.agents.forEach((a, i) => rss[i].push(rssMiB(pidOf(a))));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`agents idle for ${seconds.toFixed(1)} s (3 nodes, heartbeat 300 ms, loopback):`);
  cluster.agents.forEach((a, i) => {
    const cpu = (cpuTicks(pidOf(a)) - before[i]) / hz;
    console.log(
      `  agent${a.index} ${roles.get(a)!.padEnd(8)} RSS ${rss[i][0].toFixed(1)} → ${
        rss[i].at(-1)!.toFixed(1)
      } MiB (max ${Math.max(...rss[i]).toFixed(1)})  CPU ${cpu.toFixed(2)} s = ${
        (100 * cpu / seconds).toFixed(2)
      }% of one core`,
    );
  });

  const times: number[] = [];
  let failures = 0;
  const io = { out: () => {}, err: () => {}, write: () => {}, exeDir: "/nonexistent" };
  const argv = ["-c", leader.configPath, "cluster", "status"];
  await runCli(argv, "xenoncli", io); // warm-up: module and config caches
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    if (await runCli(argv, "xenoncli", io) !== 0) failures++;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `cluster status (in-process CLI path, 3 nodes): ${runs} runs, p50 ${
      percentile(times, 50).toFixed(1)
    } ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${
      times.at(-1)!.toFixed(1)
    } ms, ${failures} non-zero exits`,
  );
}

await main();
