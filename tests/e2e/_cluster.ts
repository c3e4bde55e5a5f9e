/**
 * Real xenon daemons (subprocesses) over real mariadbd instances on loopback, for end-to-end
 * scenarios. Every daemon and instance is killed and removed by `close()` (use `await using`).
 */
import mysql from "mysql2/promise";
import { oneLine } from "../../src/lib/errors.ts";
import type { MethodName, RequestOf, ResultOf } from "../../src/model/mod.ts";
import { cliIdentity, deriveClusterKey, RpcClient } from "../../src/rpc/mod.ts";
import {
  createInstance,
  type MariaDBInstance,
  REPL_PASSWORD,
  REPL_USER,
  ROOT_PASSWORD,
} from "../harness/mod.ts";
import { freePort, newInstanceDir } from "../harness/registry.ts";
import type { MysqldOptions } from "../../src/sandbox/mycnf.ts";
import { sleep, waitFor } from "../harness/wait.ts";

export const CLUSTER_SECRET = "e2e-cluster-secret-0123456789";
const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;

/** Test timers: fast, and accepted by validateTimers (lease 578 ms > heartbeat 300 ms). */
export const TIMERS = { heartbeat: 300, election: 1500, request: 500, ping: 400, pingCount: 2 };

export interface Agent {
  readonly index: number;
  readonly endpoint: string;
  readonly instance: MariaDBInstance;
  readonly configPath: string;
  readonly logPath: string;
  running(): boolean;
  /** The agent's process id while it runs (for resource measurements). */
  pid(): number | undefined;
  start(role?: string): void;
  kill(signal?: Deno.Signal): Promise<void>;
  /** Sends SIGTERM and waits (bounded) for the agent to exit; returns its exit code. */
  stop(): Promise<number | null>;
}

/**
 * The agent's files live outside the instance's directory: the harness kills every process that
 * mentions an instance directory, and the agent must survive its MySQL being killed.
 */
export function configFor(
  instance: MariaDBInstance,
  endpoint: string,
  agentDir: string,
  overrides: {
    secret?: string;
    supervised?: boolean;
    extra?: ExtraConfig;
    /** `server.peer-address` (default: a free loopback port). */
    peerAddress?: string;
    leaderCommands?: { start: string; stop: string };
  } = {},
): string {
  const config: Record<string, Record<string, unknown>> = {
    server: {
      endpoint,
      "cluster-secret": overrides.secret ?? CLUSTER_SECRET,
      // Each agent's own HTTP listener (health, /metrics), not the shared default :6060.
      "peer-address": overrides.peerAddress ?? `127.0.0.1:${freePort()}`,
    },
    raft: {
      "meta-datadir": `${agentDir}/meta`,
      "heartbeat-timeout": TIMERS.heartbeat,
      "election-timeout": TIMERS.election,
      "leader-start-command": overrides.leaderCommands?.start ??
        `echo start >> ${agentDir}/vip.log`,
      "leader-stop-command": overrides.leaderCommands?.stop ?? `echo stop >> ${agentDir}/vip.log`,
      "purge-binlog-interval": 5000,
    },
    mysql: {
      admin: "root",
      passwd: ROOT_PASSWORD,
      host: instance.host,
      port: instance.port,
      version: "mariadb",
      basedir: "/usr",
      "defaults-file": instance.cnfPath,
      "ping-timeout": TIMERS.ping,
      "admit-defeat-ping-count": TIMERS.pingCount,
      "monitor-disabled": !overrides.supervised,
      "master-sysvars": "max_connect_errors=9999",
      "slave-sysvars": "max_connect_errors=8888",
    },
    replication: { user: REPL_USER, passwd: REPL_PASSWORD },
    rpc: { "request-timeout": TIMERS.request },
    log: { level: "INFO" },
  };
  for (const [section, values] of Object.entries(overrides.extra ?? {})) {
    config[section] = { ...config[section], ...values };
  }
  return JSON.stringify(config, null, 2);
}

/** Keys to add to (or override in) each agent's xenon.json, per section. */
export type ExtraConfig = Record<string, Record<string, unknown>>;

/** One agent subprocess; `originalForm` starts it as the original's `xenon -c FILE` (the operator's). */
export class AgentProcess implements Agent {
  #child: Deno.ChildProcess | null = null;
  #pump: Promise<void> | null = null;

  constructor(
    readonly index: number,
    readonly endpoint: string,
    readonly instance: MariaDBInstance,
    readonly configPath: string,
    readonly logPath: string,
    readonly originalForm = false,
    /** An argv prefix the agent runs under, e.g. `ip netns exec NS` (default: none). */
    readonly runOn: string[] = [],
  ) {}

  running(): boolean {
    return this.#child !== null;
  }

  pid(): number | undefined {
    return this.#child?.pid;
  }

  start(role?: string): void {
    if (this.#child) throw new Error(`agent ${this.endpoint} already running`);
    const argv = [
      ...this.runOn,
      Deno.execPath(),
      ...["run", "-A", MAIN, ...(this.originalForm ? [] : ["serve"]), "-c", this.configPath],
      ...(role ? ["-r", role] : []),
    ];
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.#child = child;
    const file = Deno.openSync(this.logPath, { append: true, create: true });
    const copy = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) file.writeSync(chunk);
    };
    this.#pump = Promise.all([copy(child.stdout), copy(child.stderr)]).then(
      () => file.close(),
      () => file.close(),
    );
  }

  async kill(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    if (signal === "SIGKILL") {
      await child.status;
      await this.#pump;
      this.#child = null;
    }
  }

  async stop(): Promise<number | null> {
    const child = this.#child;
    if (!child) return null;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const status = await child.status;
    clearTimeout(timer);
    await this.#pump;
    this.#child = null;
    return status.signal === null ? status.code : null;
  }
}

export interface E2ECluster extends AsyncDisposable {
  readonly agents: Agent[];
  readonly rpc: RpcClient;
  call<M extends MethodName>(agent: Agent, method: M, request?: RequestOf<M>): Promise<ResultOf<M>>;
  /** The one agent every running agent agrees leads, writable; waits up to `timeoutMs`. */
  waitForLeader(timeoutMs?: number, exclude?: Agent): Promise<Agent>;
  /**
   * Resolves once `agent` accepts signed calls: for up to a second after a quick restart a node
   * refuses requests stamped before its replay floor (src/rpc/replay_mark.ts).
   */
  waitAnswering(agent: Agent): Promise<void>;
  logTail(agent: Agent, lines?: number): string;
  /**
   * Throws unless `agent` leads right now, read from the agent itself and its MySQL (writable).
   * Call it just before breaking the leader: a scenario that broke a follower instead would pass
   * without any failover.
   */
  assertLeads(agent: Agent): Promise<void>;
  /**
   * One more instance and agent (started, answering), not in `agents` and not joined: a node
   * that is not (yet) a member, e.g. one configured with another cluster secret. Its `rpc` signs
   * with its own secret. Cleaned up with the cluster.
   */
  addAgent(options?: {
    secret?: string;
    /** Runs after the instance exists and before its agent starts (e.g. to empty its datadir). */
    beforeStart?: (instance: MariaDBInstance) => Promise<void>;
    /** This agent's own keys, on top of the cluster's `extra`. */
    config?: (instance: MariaDBInstance) => ExtraConfig;
  }): Promise<{ agent: Agent; rpc: RpcClient }>;
}

/** How `startE2ECluster` sets the nodes up. */
export interface E2EOptions {
  /**
   * Each agent starts and supervises its mysqld (`mysql.monitor-disabled` false): the harness
   * stops the instances it prepared and the agents start them through mysqld_safe.
   * @default false: the harness runs mysqld, the agents leave it alone
   */
  supervised?: boolean;
  /** The instances' [mysqld] options. @default { read_only: 1 } */
  mysqld?: MysqldOptions;
  /** Keys added to every agent's xenon.json. */
  extra?: ExtraConfig;
  /**
   * Node `index` runs on `hosts(index)` (tests/netns), its files under the harness root so a
   * killed test leaves no agent behind either. @default loopback
   */
  hosts?: (index: number) => E2EHost;
}

/** Where node `index` runs when it is not on loopback: a host of its own (tests/netns). */
export interface E2EHost {
  netns: { namespace: string; address: string };
  /** The argv prefix that runs the agent there, e.g. `ip netns exec NS`. */
  runOn: string[];
  /** The ports the agent's RPC and HTTP API listen on, at `netns.address`. */
  rpcPort: number;
  httpPort: number;
  leaderCommands(agentDir: string): { start: string; stop: string };
}

/** `n` instances, one agent each (started), not yet joined: call AddNodes on each. */
export async function startE2ECluster(n = 3, options: E2EOptions = {}): Promise<E2ECluster> {
  const mysqld = options.mysqld ?? { read_only: 1 };
  const hostOf = (index: number) => options.hosts?.(index);
  const instances = await Promise.all(
    Array.from({ length: n }, (_, i) => createInstance({ mysqld, netns: hostOf(i)?.netns })),
  );
  for (const i of instances) await createAppUser(i);
  if (options.supervised) { for (const i of instances) await i.stop(); }
  const agents: Agent[] = [];
  const root = options.hosts
    ? newInstanceDir("agents")
    : await Deno.makeTempDir({ prefix: "xenon-e2e-" });
  // With server.tls-ca in `extra`, the test client speaks HTTPS as the CLI would.
  const caFile = options.extra?.server?.["tls-ca"];
  const clientFor = async (secret: string) =>
    new RpcClient({
      self: cliIdentity(),
      key: await deriveClusterKey({ secret, replicationPassword: "" }),
      tls: typeof caFile === "string" ? { caFile } : undefined,
    });
  const rpc = await clientFor(CLUSTER_SECRET);
  const extras: { agent: Agent; rpc: RpcClient }[] = [];
  const makeAgent = async (
    index: number,
    instance: MariaDBInstance,
    secret?: string,
    own: ExtraConfig = {},
  ) => {
    const host = hostOf(index);
    const address = host?.netns.address ?? "127.0.0.1";
    const endpoint = `${address}:${host?.rpcPort ?? freePort()}`;
    const dir = `${root}/agent${index}`;
    await Deno.mkdir(dir);
    const configPath = `${dir}/xenon.json`;
    const config = configFor(instance, endpoint, dir, {
      secret,
      supervised: options.supervised,
      extra: Object.fromEntries(
        [...new Set([...Object.keys(options.extra ?? {}), ...Object.keys(own)])].map((k) => [
          k,
          { ...options.extra?.[k], ...own[k] },
        ]),
      ),
      peerAddress: host ? `${address}:${host.httpPort}` : undefined,
      leaderCommands: host?.leaderCommands(dir),
    });
    await Deno.writeTextFile(configPath, config, { mode: 0o600 });
    const log = `${dir}/xenon.log`;
    return new AgentProcess(index, endpoint, instance, configPath, log, false, host?.runOn);
  };
  const waitAnswering = async (a: Agent, client: RpcClient) => {
    await waitFor(`agent ${a.endpoint} to answer`, async () => {
      try {
        await client.call(a.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 3000 });
        return true;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 30_000, intervalMs: 100, explain: () => logTail(a) });
  };
  const logTail = (a: Agent, lines = 15) => {
    try {
      return Deno.readTextFileSync(a.logPath).trim().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  };
  const cluster: E2ECluster = {
    agents,
    rpc,
    call: (agent, method, request) =>
      rpc.call(agent.endpoint, method, request ?? {}, { timeoutMs: 3000 }),
    async waitForLeader(timeoutMs = 20_000, exclude?: Agent) {
      return await waitFor("one writable leader", async () => {
        const live = agents.filter((a) => a.running() && a !== exclude);
        const states = await Promise.all(
          live.map((a) => cluster.call(a, "RaftRPC.Status").catch(() => null)),
        );
        const leaders = live.filter((_, i) => states[i]?.state === "LEADER");
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0];
        const ro = await readOnlyOf(leader.instance).catch(() => null);
        return ro === false ? leader : undefined;
      }, {
        timeoutMs,
        intervalMs: 100,
        explain: () => agents.map((a) => `${a.endpoint}: ${logTail(a, 4)}`).join(" || "),
      });
    },
    logTail,
    waitAnswering: (agent) => waitAnswering(agent, rpc),
    async assertLeads(agent) {
      const st = await cluster.call(agent, "RaftRPC.Status").catch((e) => ({ error: oneLine(e) }));
      const ro = await readOnlyOf(agent.instance).catch((e) => oneLine(e));
      if (!("state" in st) || st.state !== "LEADER" || ro !== false) {
        throw new Error(
          `agent${agent.index} (${agent.endpoint}) was to be broken as the leader, but it is ` +
            `${"state" in st ? st.state : st.error}, read_only ${ro}`,
        );
      }
    },
    async addAgent(options = {}) {
      const instance = await createInstance({ mysqld: { read_only: 1 } });
      instances.push(instance);
      await createAppUser(instance);
      const secret = options.secret ?? CLUSTER_SECRET;
      const extra = {
        agent: await makeAgent(
          agents.length + extras.length,
          instance,
          secret,
          options.config?.(instance),
        ),
        rpc: await clientFor(secret),
      };
      extras.push(extra);
      await options.beforeStart?.(instance);
      extra.agent.start();
      await waitAnswering(extra.agent, extra.rpc);
      return extra;
    },
    async [Symbol.asyncDispose]() {
      const all = [...agents, ...extras.map((e) => e.agent)];
      for (const a of all) await a.kill("SIGKILL").catch(() => {});
      // E2E_KEEP_LOGS=DIR keeps each agent's log and its mysqld's error log for a post-mortem.
      const keep = Deno.env.get("E2E_KEEP_LOGS");
      if (keep) {
        for (const a of all) {
          await Deno.copyFile(a.logPath, `${keep}/agent${a.index}.log`).catch(() => {});
          await Deno.copyFile(a.instance.errorLog, `${keep}/mysqld${a.index}.err`).catch(() => {});
        }
      }
      rpc.close();
      for (const e of extras) e.rpc.close();
      for (const i of instances) await i.remove().catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  try {
    for (const [index, instance] of instances.entries()) {
      agents.push(await makeAgent(index, instance));
    }
    for (const a of agents) a.start();
    for (const a of agents) await waitAnswering(a, rpc);
    return cluster;
  } catch (error) {
    await cluster[Symbol.asyncDispose]();
    throw error;
  }
}

/** `cluster add` the field-notes way: on each node, add every other node. */
export async function joinAll(cluster: E2ECluster): Promise<void> {
  for (const a of cluster.agents) {
    const others = cluster.agents.filter((b) => b !== a).map((b) => b.endpoint);
    await cluster.waitAnswering(a);
    const r = await cluster.call(a, "NodeRPC.AddNodes", { nodes: others });
    if (!r.ok) throw new Error(`AddNodes on ${a.endpoint}: ${r.reason}`);
  }
}

export async function readOnlyOf(instance: MariaDBInstance): Promise<boolean> {
  const rows = await instance.query<{ ro: number }>("SELECT @@GLOBAL.read_only AS ro");
  return Number(rows[0].ro) === 1;
}

export async function globalVar(instance: MariaDBInstance, name: string): Promise<string> {
  const rows = await instance.query<{ v: unknown }>(`SELECT @@GLOBAL.${name} AS v`);
  return String(rows[0].v);
}

export { oneLine, sleep, waitFor };

/**
 * Waits until a killed process is gone from /proc. A SIGKILLed mariadbd is reparented to PID 1
 * and stays a zombie for a moment; mysqld_safe refuses to start ("A mysqld process already
 * exists") while the pid in its pid file is still there.
 */
export async function waitReaped(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  await waitFor(`killed process ${pid} to be reaped`, async () => {
    try {
      await Deno.stat(`/proc/${pid}`);
      return undefined;
    } catch {
      return true;
    }
  }, { timeoutMs: 10_000, intervalMs: 20 });
}

/** The application account: no READ ONLY ADMIN, so read_only stops it as it would a real app. */
export const APP_USER = "app";
export const APP_PASSWORD = "e2e-app-password-42";

async function createAppUser(instance: MariaDBInstance): Promise<void> {
  const conn = await instance.connect();
  try {
    await conn.query("SET sql_log_bin = 0");
    await conn.query("CREATE USER ?@'%' IDENTIFIED BY ?", [APP_USER, APP_PASSWORD]);
    await conn.query("GRANT ALL PRIVILEGES ON app.* TO ?@'%'", [APP_USER]);
    await conn.query("SET sql_log_bin = 1");
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** An application connection with short timeouts, for writers and probers. */
export async function appConnection(instance: MariaDBInstance): Promise<mysql.Connection> {
  return await mysql.createConnection({
    host: instance.host,
    port: instance.port,
    user: APP_USER,
    password: APP_PASSWORD,
    connectTimeout: 1000,
  });
}
