/**
 * Helpers for the rebuild scenarios: agents configured to stream backups over a real sshd on
 * loopback, the real command line, and what a rebuilt node must equal.
 */
import assert from "node:assert/strict";
import type { Sshd } from "../harness/sshd.ts";
import type { MariaDBInstance } from "../harness/mod.ts";
import { type Agent, type E2ECluster, type ExtraConfig, waitFor } from "../e2e/_cluster.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Every agent streams to and from this host through `sshd` with key auth. */
export function backupConfig(sshd: Sshd, extra: Record<string, unknown> = {}): ExtraConfig {
  return {
    backup: {
      "ssh-host": "127.0.0.1",
      "ssh-user": "root",
      "ssh-port": sshd.port,
      "ssh-identity-file": sshd.clientKey,
      "ssh-known-hosts-file": sshd.knownHosts,
      "xtrabackup-bindir": ".",
      "backup-use-memory": "64M",
      ...extra,
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One command line on `agent`'s host (`deno run -A main.ts -c <its config> ...`). */
export async function xenon(agent: Agent, ...argv: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "-c", agent.configPath, ...argv],
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(300_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Removes everything inside the instance's datadir (the directory itself stays). */
export async function emptyDatadir(instance: MariaDBInstance): Promise<void> {
  for await (const e of Deno.readDir(instance.dataDir)) {
    await Deno.remove(`${instance.dataDir}/${e.name}`, { recursive: true });
  }
}

/** The rows and position the rebuilt node must share with the leader once it applied all. */
export async function assertSameData(
  leader: MariaDBInstance,
  node: MariaDBInstance,
): Promise<void> {
  const [{ pos }] = await leader.query<{ pos: string }>("SELECT @@GLOBAL.gtid_binlog_pos AS pos");
  const [{ rc }] = await node.query<{ rc: number }>("SELECT MASTER_GTID_WAIT(?, 60) AS rc", [pos]);
  assert.equal(Number(rc), 0, `the rebuilt node did not apply ${pos}`);
  const sum = async (i: MariaDBInstance) => {
    const rows = await i.query<{ Checksum: number }>("CHECKSUM TABLE app.acked, app.seed");
    return rows.map((r) => String(r.Checksum)).join(",");
  };
  assert.equal(await sum(node), await sum(leader), "same rows as the leader");
  const [{ cur }] = await node.query<{ cur: string }>("SELECT @@GLOBAL.gtid_current_pos AS cur");
  assert.equal(cur, pos, "same GTID position as the leader");
}

/** Samples every process's argv until stopped; returns the ones that held a secret. */
export function watchArgv(secrets: string[]): { stop(): Promise<string[]> } {
  const found = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    for (let round = 0; round < 100_000 && !stopped; round++) {
      for (const e of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(e.name)) continue;
        let cmdline = "";
        try {
          cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
        } catch {
          continue;
        }
        if (secrets.some((s) => cmdline.includes(s))) found.add(cmdline.slice(0, 200));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return [...found];
    },
  };
}

/** `cluster add` of `node` through the leader, until `peer` (a follower) knows it too. */
export async function addThroughLeader(
  cluster: E2ECluster,
  node: Agent,
  peer: Agent,
): Promise<void> {
  await waitFor(`cluster add of ${node.endpoint} through the leader`, async () => {
    const leader = await cluster.waitForLeader(30_000);
    const added = await cluster.call(leader, "NodeRPC.AddNodes", { nodes: [node.endpoint] });
    return added.ok || undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  await waitFor(`${peer.endpoint} to know ${node.endpoint}`, async () => {
    const nodes = await cluster.call(peer, "NodeRPC.GetNodes");
    return nodes.peers.includes(node.endpoint) || undefined;
  }, { timeoutMs: 10_000, intervalMs: 100 });
}
