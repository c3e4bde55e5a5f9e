/**
 * `deno task bench:rebuild`: on a real 3-node cluster on loopback with a real sshd, loads at least
 * 1 GiB on a follower, then times in the same run, twice each and interleaved, (a) the bare
 * pipeline `mariabackup --backup --stream=xbstream | ssh | mbstream -x` from that follower and
 * (b) `xenon mysql rebuildme` of the other follower from it. Prints the stream throughput of each
 * (the faster run), their ratio (target >= 0.9) and the time from rebuildme to a caught-up
 * follower. Everything is cleaned up.
 *
 * Options: --mib N (data to load, default 1100).
 */
import { startSshd } from "../tests/harness/sshd.ts";
import {
  type Agent,
  type E2ECluster,
  joinAll,
  startE2ECluster,
  waitFor,
} from "../tests/e2e/_cluster.ts";
import { backupConfig, xenon } from "../tests/backup/_rebuild.ts";
import type { RebuildStatus } from "../src/model/mod.ts";

const TARGET_RATIO = 0.9;
const RUNS = 2;
const ROW_BYTES = 1000;
const BATCH_ROWS = 50_000;

function mibOption(): number {
  const i = Deno.args.indexOf("--mib");
  const n = i < 0 ? 1100 : Number(Deno.args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    console.error(`error: --mib needs a size in MiB (1-100000), got ${Deno.args[i + 1]}`);
    Deno.exit(2);
  }
  return n;
}

/** The bare pipeline the rebuild is compared with, timed by wall clock; returns seconds. */
async function barePipeline(
  cnf: string,
  sshd: { port: number; clientKey: string; knownHosts: string },
  dir: string,
): Promise<number> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const scratch = await Deno.makeTempDir({ prefix: "xenon-bench-bk-" });
  // root@localhost logs in over the unix socket without a password in the test harness.
  const script = `set -o pipefail; mariabackup --defaults-file=${cnf} --user=root --backup ` +
    `--stream=xbstream --parallel=2 --target-dir=${scratch} 2>${scratch}/log | ssh -p ${sshd.port} ` +
    `-i ${sshd.clientKey} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new ` +
    `-o UserKnownHostsFile=${sshd.knownHosts} root@127.0.0.1 "mbstream -x -C ${dir}"`;
  const started = performance.now();
  const out = await new Deno.Command("bash", { args: ["-c", script], stderr: "piped" }).output();
  const seconds = (performance.now() - started) / 1000;
  const log = await Deno.readTextFile(`${scratch}/log`).catch(() => "");
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  if (!out.success || !log.includes("completed OK!")) {
    throw new Error(`bare pipeline failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return seconds;
}

async function main(): Promise<number> {
  const wantMib = mibOption();
  await using sshd = await startSshd();
  await using cluster = await startE2ECluster(3, {
    extra: backupConfig(sshd, { "backup-iops-limits": 0, "backup-use-memory": "256M" }),
  });
  await joinAll(cluster);
  const leader = await cluster.waitForLeader(30_000);
  const [donor, target] = cluster.agents.filter((a) => a !== leader);
  // The data only the donor needs, written there with sql_log_bin=0: no replication load, so the
  // cluster stays quiet while it loads, and no GTID that the other nodes lack.
  const rows = Math.ceil(wantMib * 1048576 / ROW_BYTES);
  const loadStart = performance.now();
  const conn = await donor.instance.connect();
  try {
    await conn.query("SET SESSION sql_log_bin = 0");
    await conn.query("CREATE DATABASE bench");
    await conn.query("CREATE TABLE bench.big (id INT PRIMARY KEY, payload VARBINARY(1024))");
    for (let from = 0; from < rows; from += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, rows - from);
      await conn.query(
        `INSERT INTO bench.big SELECT seq + ${from}, RANDOM_BYTES(${ROW_BYTES}) FROM bench.seq_1_to_${n}`,
      );
    }
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
  console.log(
    `loaded ${rows} rows (${wantMib} MiB of payload) in ${
      ((performance.now() - loadStart) / 1000).toFixed(1)
    } s`,
  );

  const bareDir = `${target.instance.dir}/bare-restore`;
  const runs = { bare: [] as number[], ours: [] as Rebuilt[] };
  // Interleaved, twice each; the faster of each is compared (the page cache is warm for all).
  for (let round = 0; round < RUNS; round++) {
    runs.bare.push(await barePipeline(donor.instance.cnfPath, sshd, bareDir));
    const rebuilt = await rebuild(cluster, donor, target);
    if (typeof rebuilt === "string") {
      console.error(`rebuildme failed: ${rebuilt}`);
      return 1;
    }
    runs.ours.push(rebuilt);
  }
  const bareSeconds = Math.min(...runs.bare);
  const best = runs.ours.reduce((a, b) => (b.streamSeconds < a.streamSeconds ? b : a));
  const ours = best.streamMib / best.streamSeconds;
  const theirs = best.streamMib / bareSeconds;
  const ratio = ours / theirs;
  const list = (xs: number[]) => xs.map((x) => `${x.toFixed(1)} s`).join(" / ");

  console.log(
    `stream size: ${best.streamMib.toFixed(1)} MiB (${(best.streamMib / 1024).toFixed(2)} GiB)`,
  );
  console.log(
    `xenon rebuildme stream: ${list(runs.ours.map((r) => r.streamSeconds))}, ` +
      `${ours.toFixed(1)} MiB/s (the faster run)`,
  );
  console.log(
    `bare mariabackup | ssh | mbstream: ${list(runs.bare)}, ${
      theirs.toFixed(1)
    } MiB/s (the faster run)`,
  );
  console.log(
    `throughput ratio: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}): ${
      ratio >= TARGET_RATIO ? "met" : "not met"
    }`,
  );
  console.log(
    `rebuildme to a caught-up follower: ${list(runs.ours.map((r) => r.totalSeconds))}`,
  );
  if (best.streamMib < 1024) console.log("the stream was under 1 GiB: load more with --mib");
  return best.streamMib >= 1024 ? 0 : 1;
}

interface Rebuilt {
  streamMib: number;
  streamSeconds: number;
  totalSeconds: number;
}

/** One `rebuildme --from donor` of `target`, timed until it reports a caught-up follower. */
async function rebuild(
  cluster: E2ECluster,
  donor: Agent,
  target: Agent,
): Promise<Rebuilt | string> {
  // Under the load of the stream a leader can lose its lease; the node rebuilt must not lead.
  if ((await cluster.waitForLeader(60_000)) === target) {
    const third = cluster.agents.find((a) => a !== donor && a !== target)!;
    await cluster.rpc.call(third.endpoint, "HARPC.HATryToLeader", {}, { timeoutMs: 30_000 });
    await waitFor("another leader", async () => {
      const l = await cluster.waitForLeader(30_000);
      return l !== target ? l : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
  }
  const started = performance.now();
  const run = await xenon(target, "--json", "mysql", "rebuildme", "--from", donor.endpoint);
  const totalSeconds = (performance.now() - started) / 1000;
  const lines = run.stdout.trim().split("\n").filter((l) => l.startsWith("{"));
  const last = lines.length > 0 ? JSON.parse(lines[lines.length - 1]) as RebuildStatus : null;
  if (run.code !== 0 || last?.phase !== "done") return last?.error ?? run.stderr.trim();
  const streamed = last.steps.map((s) => /^streamed ([\d.]+) MiB in ([\d.]+) s/.exec(s))
    .find((m) => m !== null);
  if (!streamed) return "rebuildme did not report its stream";
  return { streamMib: Number(streamed[1]), streamSeconds: Number(streamed[2]), totalSeconds };
}

Deno.exit(await main());
