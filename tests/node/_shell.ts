/**
 * A XenonNode over a real mariadbd, with stand-ins only for what lies outside the shell: peers
 * (an RPC client that never reaches anyone) and the hard stop (recorded). The node is a
 * single voter made leader by `raft trytoleader`, so it is writable without any peer.
 */
import { defaultConfig, type XenonConfig } from "../../src/config/mod.ts";
import { comparatorFor } from "../../src/gtid/mod.ts";
import { connectionOptions, LocalMysql, sample } from "../../src/node/local_mysql.ts";
import { type NodeDeps, XenonNode } from "../../src/node/node.ts";
import { PeersFile } from "../../src/node/peers_file.ts";
import { systemClock } from "../../src/node/system_clock.ts";
import {
  emptyMeta,
  type PersistedMeta,
  type RaftOptions,
  raftOptions,
} from "../../src/raft/mod.ts";
import { LeaderCommands } from "../../src/vip/mod.ts";
import { type MariaDBInstance, ROOT_PASSWORD } from "../harness/mod.ts";
import { type AgreeablePeers, NO_PEERS } from "../support/fake_ports.ts";
import { sleep, waitFor } from "../harness/wait.ts";
import type { MysqlHandle } from "../../src/mysql/mod.ts";

export { AgreeablePeers, NO_PEERS } from "../support/fake_ports.ts";

export const SELF = "127.0.0.1:18801";

export function configFor(port: number): XenonConfig {
  const config = defaultConfig();
  return {
    ...config,
    mysql: {
      ...config.mysql,
      host: "127.0.0.1",
      port,
      admin: "root",
      passwd: ROOT_PASSWORD,
      version: "mariadb",
      masterSysvars: "",
      slaveSysvars: "",
    },
  };
}

export function optionsFor(overrides: Partial<RaftOptions> = {}): RaftOptions {
  return raftOptions(SELF, comparatorFor("mariadb"), {
    heartbeatMs: 300,
    electionTimeoutMs: 1500,
    requestTimeoutMs: 500,
    fenceBudgetMs: 500,
    ...overrides,
  });
}

/** Runs `body` with a temporary directory, removed afterwards even on failure. */
export async function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-shell-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function readOnlyOf(instance: MariaDBInstance): Promise<boolean> {
  const [row] = await instance.query<{ ro: number }>("SELECT @@global.read_only AS ro");
  return Number(row.ro) === 1;
}

/** performance.now() when @@read_only was first seen ON, polling every 5 ms. */
export async function readOnlySeenAt(instance: MariaDBInstance, timeoutMs: number) {
  return await waitFor("MySQL to be read-only", async () => {
    return (await readOnlyOf(instance).catch(() => false)) ? performance.now() : undefined;
  }, { timeoutMs, intervalMs: 5 });
}

/** A handle whose statements matching `pauseOn` wait `pauseMs` first (an agent paused there). */
export function pausing(real: MysqlHandle, pauseOn: RegExp, pauseMs: number): MysqlHandle {
  const session = new Proxy(real.session, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== "query" && key !== "exec") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (sql: string | string[], options?: { timeoutMs?: number }) => {
        if (pauseOn.test([sql].flat().join(";"))) await sleep(pauseMs);
        return await value.call(target, sql, options);
      };
    },
  });
  return { ...real, session };
}

/** The election's session, whose next statement matching `pauseOn` stalls for `pauseMs`. */
export class PausableMysql extends LocalMysql {
  pauseOn: RegExp | null = null;
  pauseMs = 0;

  override async get(): Promise<MysqlHandle> {
    const handle = await super.get();
    return this.pauseOn === null ? handle : pausing(handle, this.pauseOn, this.pauseMs);
  }
}

export interface ShellNode extends AsyncDisposable {
  node: XenonNode<MysqlHandle>;
  link: LocalMysql;
  /** Lines leader-start/stop commands wrote. */
  vipLog(): Promise<string>;
  /** Resolves with the reason once the node stopped itself. */
  fatal: Promise<string>;
  hardStops: string[];
}

/**
 * A started node on `instance`, writable leader, its files under `dir`: a single voter, or with
 * `peers` the leader of three voters.
 */
export async function writableLeader(
  instance: MariaDBInstance,
  dir: string,
  extra: Partial<Omit<NodeDeps<MysqlHandle>, "mysql">> & { mysql?: LocalMysql } = {},
  peers?: AgreeablePeers,
): Promise<ShellNode> {
  const config = configFor(instance.port);
  const link = extra.mysql ?? new LocalMysql(connectionOptions(config), "mariadb");
  const fatal = Promise.withResolvers<string>();
  const hardStops: string[] = [];
  const node = new XenonNode({
    config,
    options: optionsFor(),
    clock: systemClock,
    store: new PeersFile(`${dir}/meta`),
    mysql: link,
    otherThreads: () => [],
    rpc: peers?.rpc ?? NO_PEERS,
    leaderCommands: new LeaderCommands(
      `echo start >> ${dir}/vip.log`,
      `echo stop >> ${dir}/vip.log`,
      5000,
    ),
    mysqld: {
      hardStop: (reason) => {
        hardStops.push(reason);
        return Promise.resolve(false);
      },
    },
    onFatal: (reason) => fatal.resolve(reason),
    ...extra,
  });
  await Deno.mkdir(`${dir}/meta`, { recursive: true });
  if (peers) peers.node = node;
  const meta: PersistedMeta | null = peers
    ? { ...emptyMeta(SELF, false), epochId: 1, peers: [SELF, ...peers.endpoints] }
    : null;
  await node.start(meta);
  // What the poller would report: MySQL alive, not replicating, at its current position.
  const { position } = await sample(await link.get(), comparatorFor("mariadb"));
  node.observe({ alive: true, ioRunning: false, sqlRunning: true, position }, true);
  // Three voters: the start hold refuses trytoleader for one election timeout.
  const answer = await waitFor("trytoleader to be accepted", async () => {
    const a = await node.admin({ kind: "tryToLead" });
    return a.ok || !a.reason.startsWith("restarted") ? a : undefined;
  }, { timeoutMs: 10_000, intervalMs: 100 });
  if (!answer.ok) throw new Error(`trytoleader refused: ${answer.reason}`);
  await waitFor("the single voter to be a writable leader", async () => {
    return node.writableLeader && !(await readOnlyOf(instance)) ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 50 });
  return {
    node,
    link,
    fatal: fatal.promise,
    hardStops,
    vipLog: () => Deno.readTextFile(`${dir}/vip.log`).catch(() => ""),
    async [Symbol.asyncDispose]() {
      await node.stop();
      await link.close();
    },
  };
}
