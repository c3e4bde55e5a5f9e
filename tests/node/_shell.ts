/**
 * A XenonNode over a real mariadbd, with stand-ins only for what lies outside the shell: peers
 * (an RPC client that never reaches anyone) and the hard stop (recorded). The node is a
 * single voter made leader by `raft trytoleader`, so it is writable without any peer.
 */
import { defaultConfig, type XenonConfig } from "../../src/config/mod.ts";
import { comparatorFor } from "../../src/gtid/mod.ts";
import { connectionOptions, LocalMysql, sample } from "../../src/node/local_mysql.ts";
import { type NodeDeps, XenonNode } from "../../src/node/node.ts";
import { type RaftOptions, raftOptions } from "../../src/raft/mod.ts";
import type { RpcClient } from "../../src/rpc/mod.ts";
import { LeaderCommands } from "../../src/vip/mod.ts";
import { type MariaDBInstance, ROOT_PASSWORD } from "../harness/mod.ts";
import { waitFor } from "../harness/wait.ts";

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

/** Never reaches anyone (a single voter sends nothing that matters). */
export const NO_PEERS = {
  call: () => Promise.reject(new Error("no peers in this test")),
  callAll: () => Promise.resolve([]),
  close: () => {},
} as unknown as RpcClient;

export async function readOnlyOf(instance: MariaDBInstance): Promise<boolean> {
  const [row] = await instance.query<{ ro: number }>("SELECT @@global.read_only AS ro");
  return Number(row.ro) === 1;
}

export interface ShellNode extends AsyncDisposable {
  node: XenonNode;
  link: LocalMysql;
  /** Lines leader-start/stop commands wrote. */
  vipLog(): Promise<string>;
  /** Resolves with the reason once the node stopped itself. */
  fatal: Promise<string>;
  hardStops: string[];
}

/** A started single-voter node on `instance`, writable leader, its files under `dir`. */
export async function writableLeader(
  instance: MariaDBInstance,
  dir: string,
  extra: Partial<NodeDeps> = {},
): Promise<ShellNode> {
  const config = configFor(instance.port);
  const link = new LocalMysql(connectionOptions(config), "mariadb");
  const fatal = Promise.withResolvers<string>();
  const hardStops: string[] = [];
  const node = new XenonNode({
    config,
    options: optionsFor(),
    metaDir: `${dir}/meta`,
    mysql: link,
    otherThreads: () => [],
    rpc: NO_PEERS,
    leaderCommands: new LeaderCommands(
      `echo start >> ${dir}/vip.log`,
      `echo stop >> ${dir}/vip.log`,
      5000,
    ),
    hardStopMysqld: (reason) => {
      hardStops.push(reason);
      return Promise.resolve(false);
    },
    onFatal: (reason) => fatal.resolve(reason),
    ...extra,
  });
  await Deno.mkdir(`${dir}/meta`, { recursive: true });
  await node.start(null);
  // What the poller would report: MySQL alive, not replicating, at its current position.
  const { position } = await sample(await link.get(), comparatorFor("mariadb"));
  node.observe({ alive: true, ioRunning: false, sqlRunning: true, position }, true);
  const answer = await node.admin({ kind: "tryToLead" });
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
