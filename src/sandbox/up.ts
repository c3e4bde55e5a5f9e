/**
 * `sandbox up`: N MariaDB instances with a lossless profile and N agents that supervise them,
 * bootstrapped as the field notes do (`cluster add` on each node), until one leader is writable.
 * If anything fails, everything made so far is removed again (`down`).
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import { randomHex } from "../lib/random.ts";
import { agentConfig } from "./agent_config.ts";
import { agentPid, spawnAgent } from "./agents.ts";
import { nodeLabel, SandboxClient } from "./client.ts";
import { down } from "./down.ts";
import { installDataDir, makeInstanceDirs } from "./install.ts";
import { answersOnSocket, createAccounts, errorLogSummary, REPLICATION_GRANTS } from "./mariadb.ts";
import { type MysqldOptions, renderMyCnf } from "./mycnf.ts";
import { createNetwork, loopbackNetwork, NetnsNetwork, type SandboxNetwork } from "./network.ts";
import type { Tools } from "./preflight.ts";
import { freeLoopbackPort } from "./procs.ts";
import {
  hasState,
  nodePaths,
  type NodeState,
  readState,
  type SandboxState,
  writeState,
} from "./state.ts";
import { waitFor } from "./wait.ts";

/**
 * Lossless on top of the shared profile: durable commits, a replica that rebuilds its relay log
 * after a crash, parallel apply, and read-only until xenon elects a leader. Semi-sync (AFTER_SYNC) is switched on
 * by the leader, with a timeout so long it never falls back to async silently.
 */
export const LOSSLESS_PROFILE: MysqldOptions = {
  read_only: 1,
  sync_binlog: 1,
  innodb_flush_log_at_trx_commit: 1,
  relay_log_recovery: 1,
  rpl_semi_sync_master_wait_point: "AFTER_SYNC",
  // The leader sets it too; in my.cnf it also holds after a restart (`xenon mysql doctor`).
  rpl_semi_sync_master_timeout: "1000000000000000000",
  slave_net_timeout: 4,
  // Parallel apply in commit order, as `mysql doctor` recommends (MariaDB's parallelApply row in
  // src/mysql/flavor.ts; a test keeps them equal): a new leader applies its relay log sooner.
  slave_parallel_threads: 4,
  slave_parallel_mode: "optimistic",
};

export interface UpOptions {
  dir: string;
  nodes: number;
  tools: Tools;
  /** Progress lines. */
  say(line: string): void;
  /** @default loopbackNetwork */
  network?: SandboxNetwork;
  /** Longest wait for a writable leader after the agents started. @default 60000 */
  leaderTimeoutMs?: number;
}

export interface UpResult {
  state: SandboxState;
  leader: NodeState;
  /** From the start of `up` to a writable leader. */
  elapsedMs: number;
}

const WRITTEN_BY = "xenon sandbox";

async function prepareDir(dir: string): Promise<void> {
  if (await hasState(dir)) {
    throw new XenonError(
      `a sandbox already exists in ${dir}: see it with xenon sandbox status, ` +
        `remove it with xenon sandbox down`,
    );
  }
  try {
    for await (const _ of Deno.readDir(dir)) {
      throw new XenonError(`${dir} exists and is not a sandbox: choose another --dir`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
}

export async function up(options: UpOptions): Promise<UpResult> {
  const started = performance.now();
  const { dir, say } = options;
  const network = options.network ?? loopbackNetwork;
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 9) {
    throw new XenonError(`--nodes ${options.nodes}: expected 1-9 (3 is the usual)`);
  }
  await prepareDir(dir);
  const secretFile = `${dir}/cluster.secret`;
  await Deno.writeTextFile(secretFile, randomHex(32) + "\n", { mode: 0o600 });
  const ports = new Set<number>();
  const state: SandboxState = {
    version: 1,
    dir,
    network: network.kind,
    netns: network instanceof NetnsNetwork ? network.layout : undefined,
    createdAt: new Date().toISOString(),
    admin: { user: "root", password: randomHex(16) },
    app: { user: "app", password: randomHex(16) },
    secretFile,
    nodes: Array.from({ length: options.nodes }, (_, i) => {
      const paths = nodePaths(dir, i);
      const host = network.host(i);
      const port = network.ports(i, () => freeLoopbackPort(ports));
      return {
        name: paths.name,
        serverId: i + 1,
        host,
        mysqlPort: port.mysql,
        endpoint: `${host}:${port.rpc}`,
        peerAddress: `${host}:${port.http}`,
        dir: paths.dir,
        mysql: paths.mysql,
        configPath: paths.configPath,
        metaDir: paths.metaDir,
        agentLog: paths.agentLog,
        leaderLog: paths.leaderLog,
      };
    }),
  };
  // Written first: a failed or interrupted `up` can always be removed with `down`.
  await writeState(state);
  try {
    const replication = { user: "repl", password: randomHex(16) };
    if (network.kind === "netns") {
      say(
        `creating ${options.nodes} hosts (network namespaces) on a bridge, VIP ${vipOf(network)}`,
      );
      await createNetwork(network);
    }
    say(`creating ${options.nodes} MariaDB instances in ${dir}`);
    await Promise.all(state.nodes.map((node) => installInstance(node, network)));
    await Promise.all(
      state.nodes.map((node, i) => startInstance(state, node, replication, network.runOn(i))),
    );
    say(`MariaDB ready after ${seconds(started)}; starting ${options.nodes} agents`);
    for (const [i, node] of state.nodes.entries()) {
      const config = agentConfig(state, node, replication, options.tools.basedir, network);
      await Deno.writeTextFile(node.configPath, config, { mode: 0o600 });
      await spawnAgent(node.configPath, node.agentLog, network.runOn(i));
    }
    const client = await SandboxClient.open(state);
    try {
      for (const node of state.nodes) await waitAnswering(client, node);
      for (const node of state.nodes) node.agentPid = agentPid(node.configPath);
      await writeState(state);
      say(`agents answering after ${seconds(started)}; cluster add on each node`);
      for (const node of state.nodes) {
        const others = state.nodes.filter((n) => n !== node).map((n) => n.endpoint);
        if (others.length === 0) continue;
        const r = await client.call(node, "NodeRPC.AddNodes", { nodes: others }, 5000);
        if (!r.ok) throw new XenonError(`cluster add on ${nodeLabel(node)}: ${r.reason}`);
      }
      // Writable, and its agent has seen it so: the status printed next shows READWRITE.
      const leader = await waitFor("a writable leader", async () => {
        const leader = await client.writableLeader();
        if (leader === undefined) return undefined;
        const mysql = await client.call(leader, "MysqlRPC.Status", {}).catch(() => null);
        return mysql?.options === "READWRITE" ? leader : undefined;
      }, {
        timeoutMs: options.leaderTimeoutMs ?? 60_000,
        intervalMs: 200,
        explain: () => describeAgents(state),
      });
      if (network instanceof NetnsNetwork) {
        // The leader adds the VIP once writable (after duplicate-address detection).
        const index = state.nodes.indexOf(leader);
        await waitFor(`the VIP ${network.vip} on ${leader.name}`, async () => {
          return await network.holdsVip(index) ? true : undefined;
        }, { timeoutMs: 10_000, intervalMs: 100, explain: () => logTail(leader.leaderLog, 2) });
      }
      const elapsedMs = performance.now() - started;
      // The status printed next should show the followers replicating too: they repoint once
      // the leader is writable, within a heartbeat or two.
      await waitFor("the followers to replicate from the leader", async () => {
        const threads = await Promise.all(
          state.nodes.map((node) =>
            client.call(node, "MysqlRPC.Status", {}).then(
              (m) => m.replication.slaveIoRunning && m.replication.slaveSqlRunning,
              () => false,
            )
          ),
        );
        return threads.every((running) => running) ? true : undefined;
      }, { timeoutMs: 15_000, intervalMs: 200, explain: () => describeAgents(state) });
      return { state: await readState(dir), leader, elapsedMs };
    } finally {
      client.close();
    }
  } catch (error) {
    say(`sandbox up failed: ${oneLine(error)}; removing what it made`);
    await down(dir, () => {}).catch(() => {});
    throw error;
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function vipOf(network: SandboxNetwork): string {
  return network instanceof NetnsNetwork ? network.vip : "none";
}

/** The node's directories, my.cnf and data dir. */
async function installInstance(node: NodeState, network: SandboxNetwork): Promise<void> {
  const paths = node.mysql;
  await makeInstanceDirs(paths);
  await Deno.mkdir(node.metaDir, { recursive: true });
  // In a namespace it serves every address of its host, the VIP included once added.
  const where = { bind_address: network.bindAddress, report_host: node.host };
  const options = { ...LOSSLESS_PROFILE, ...where };
  const cnf = renderMyCnf(paths, node.mysqlPort, node.serverId, options, WRITTEN_BY);
  await Deno.writeTextFile(paths.cnfPath, cnf);
  await installDataDir(paths);
}

/**
 * A first start (detached mysqld_safe, which the agent then adopts and supervises), the accounts
 * without binlog and an empty binlog.
 */
async function startInstance(
  state: SandboxState,
  node: NodeState,
  replication: { user: string; password: string },
  runOn: string[],
): Promise<void> {
  const paths = node.mysql;
  const launched = await new Deno.Command("setsid", {
    args: ["--fork", ...runOn, "mysqld_safe", `--defaults-file=${paths.cnfPath}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  if (!launched.success) throw new XenonError(`${node.name}: cannot start mysqld_safe`);
  await waitFor(`${node.name}'s MariaDB to accept connections`, async () => {
    return await answersOnSocket(paths.socket) ? true : undefined;
  }, {
    timeoutMs: 30_000,
    intervalMs: 100,
    explain: () => `error.log: ${errorLogSummary(paths.errorLog)}`,
  });
  await createAccounts(paths.socket, [
    { ...state.admin, grants: ["ALL PRIVILEGES ON *.*"], grantOption: true },
    { ...replication, grants: [REPLICATION_GRANTS] },
    { ...state.app, grants: ["ALL PRIVILEGES ON app.*"] },
  ]);
}

async function waitAnswering(client: SandboxClient, node: NodeState): Promise<void> {
  await waitFor(`the agent of ${nodeLabel(node)} to answer`, async () => {
    const r = await client.call(node, "ServerRPC.Ping", {}).catch(() => null);
    return r ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200, explain: () => logTail(node.agentLog, 2) });
}

/** The last lines of a log, joined into one line. */
export function logTail(path: string, lines = 3): string {
  try {
    const text = Deno.readTextFileSync(path).trim();
    return text.split("\n").slice(-lines).join(" | ") || `(${path} is empty)`;
  } catch {
    return `(no log at ${path})`;
  }
}

function describeAgents(state: SandboxState): string {
  return state.nodes.map((n) => `${n.name}: ${logTail(n.agentLog, 1)}`).join(" || ");
}
