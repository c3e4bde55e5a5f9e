/**
 * Stub daemons for the CLI tests: real RpcServers on loopback answering canned results, signed
 * with the key the CLI derives from the test config, plus an endpoint nobody listens on.
 */
import { clusterKeyOf } from "../../src/rpc/mod.ts";
import { parseConfig } from "../../src/config/mod.ts";
import { setupLogging } from "../../src/log/mod.ts";
import type {
  MethodName,
  MysqldStatusResult,
  MysqlStatusResult,
  NodesResult,
  RaftStatusResult,
  RequestOf,
  ResultOf,
  ServerStatusResult,
} from "../../src/model/mod.ts";
import { RpcServer, v } from "../../src/rpc/mod.ts";

// The RPC server logs refusals; keep test output clean.
setupLogging({ level: "error", format: "text", write: () => {} });

export const REPL_PASSWORD = "cli-test-repl-password-5e1d";

type Answer<M extends MethodName> = ResultOf<M> | ((request: RequestOf<M>) => ResultOf<M>);
export type Answers = { [M in MethodName]?: Answer<M> };

export interface StubNode {
  endpoint: string;
  answers: Answers;
  /** Every call this node received, in order. */
  calls: { method: string; request: unknown }[];
}

export interface StubCluster {
  /** a, b: stub daemons; c: nobody listens there. */
  a: StubNode;
  b: StubNode;
  c: string;
  /** A config file whose server.endpoint is a's. */
  configPath: string;
  dir: string;
}

const METHODS: MethodName[] = [
  "NodeRPC.GetNodes",
  "NodeRPC.AddNodes",
  "NodeRPC.AddIdleNodes",
  "NodeRPC.RemoveNodes",
  "NodeRPC.RemoveIdleNodes",
  "ServerRPC.Ping",
  "ServerRPC.Status",
  "RaftRPC.Status",
  "RaftRPC.EnablePurgeBinlog",
  "RaftRPC.DisablePurgeBinlog",
  "RaftRPC.EnableCheckSemiSync",
  "RaftRPC.DisableCheckSemiSync",
  "RaftRPC.History",
  "RaftRPC.Explain",
  "RaftRPC.DryRunFailover",
  "HARPC.HAEnable",
  "HARPC.HADisable",
  "HARPC.HATryToLeader",
  "MysqlRPC.Status",
  "MysqlRPC.SetGlobalSysVar",
  "MysqldRPC.Status",
  "MysqldRPC.StartMonitor",
  "MysqldRPC.StopMonitor",
  "MysqldRPC.Start",
  "MysqldRPC.ShutDown",
  "MysqldRPC.Kill",
  "MysqldRPC.IsRunning",
  "UserRPC.CreateNormalUser",
  "UserRPC.CreateSuperUser",
  "UserRPC.CreateUserWithPrivileges",
  "UserRPC.DropUser",
  "UserRPC.ChangePasword",
  "UserRPC.GetUser",
];

async function startNode(node: StubNode, server: RpcServer): Promise<void> {
  for (const method of METHODS) {
    server.registerMethod(method, (request: unknown) => {
      node.calls.push({ method, request });
      const answer = node.answers[method] as unknown;
      if (answer === undefined) throw new Error(`${method} is not stubbed`);
      return typeof answer === "function" ? answer(request) : answer;
    }, { validate: v.anyJson(), callers: "peers-and-cli" });
  }
  node.endpoint = await server.start();
}

/** A loopback port nobody listens on (connections are refused). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts a and b, writes the config, runs `fn`, and always stops and removes everything. */
export async function withStubCluster(fn: (c: StubCluster) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-cli-test-" });
  const configPath = `${dir}/xenon.json`;
  const servers: RpcServer[] = [];
  try {
    const text = (endpoint: string) =>
      JSON.stringify({
        server: { endpoint },
        replication: { user: "repl", passwd: REPL_PASSWORD },
        mysql: { "defaults-file": `${dir}/missing.cnf` },
      });
    // The key only depends on replication.passwd; the endpoint is fixed once a has started.
    const key = await clusterKeyOf(parseConfig(text("127.0.0.1:1")).config);
    const nodes: StubNode[] = [];
    for (let i = 0; i < 2; i++) {
      const server = new RpcServer({
        listen: "127.0.0.1:0",
        key,
        allowedPeer: () => false,
        closeGraceMs: 50,
      });
      servers.push(server);
      const node: StubNode = { endpoint: "", answers: {}, calls: [] };
      await startNode(node, server);
      nodes.push(node);
    }
    const [a, b] = nodes;
    await Deno.writeTextFile(configPath, text(a.endpoint), { mode: 0o600 });
    await fn({ a, b, c: `127.0.0.1:${closedPort()}`, configPath, dir });
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await Deno.remove(dir, { recursive: true });
  }
}

// Canned answers in the daemon's result shapes.

export function nodesResult(
  state: NodesResult["state"],
  leader: string,
  peers: string[],
  idlePeers: string[] = [],
): NodesResult {
  return { epochId: 2, viewId: 6, state, leader, peers, idlePeers };
}

export function mysqlStatus(
  options: MysqlStatusResult["options"],
  gtid: { executed: string; retrieved: string },
  replicating = true,
): MysqlStatusResult {
  return {
    status: "ALIVE",
    options,
    mysqlDowns: 0,
    replication: {
      masterLogFile: replicating ? "mysql-bin.000003" : "",
      readMasterLogPos: replicating ? 1234 : 0,
      relayMasterLogFile: replicating ? "mysql-bin.000003" : "",
      slaveIoRunning: replicating,
      slaveIoRunningText: replicating ? "Yes" : "No",
      slaveSqlRunning: replicating,
      slaveSqlRunningText: replicating ? "Yes" : "No",
      retrievedGtidSet: gtid.retrieved,
      executedGtidSet: gtid.executed,
      secondsBehindMaster: replicating ? "0" : "",
      slaveSqlRunningState: "",
      lastError: "",
      lastIoError: "",
      lastSqlError: "",
    },
  };
}

export const MYSQLD_RUNNING: MysqldStatusResult = {
  monitorInfo: "ON",
  mysqldInfo: "RUNNING",
  backupInfo: "NONE",
  backupLastError: "",
  stats: { mysqldStarts: 1, mysqldStops: 0, monitorStarts: 1, monitorStops: 0 },
};

export function raftStatus(
  state: RaftStatusResult["state"],
  leader: string,
  counters: { promotes: number; heartbeats: number; uptime: number },
): RaftStatusResult {
  return {
    state,
    leader,
    viewId: 6,
    epochId: 2,
    idleCount: 0,
    reason: "",
    stats: {
      leaderPromotes: counters.promotes,
      leaderDegrades: 0,
      leaderGetHeartbeatRequests: counters.heartbeats,
      leaderGetVoteRequests: 0,
      leaderPurgeBinlogs: 0,
      leaderPurgeBinlogFails: 0,
      lessHeartbeatAcks: 0,
      candidatePromotes: 0,
      candidateDegrades: 0,
      stateUptimes: counters.uptime,
      raftMysqlStatus: "",
    },
    purgeBinlogEnabled: true,
    checkSemiSyncEnabled: true,
  };
}

export function serverStatus(port: number): ServerStatusResult {
  return {
    config: {
      logLevel: "INFO",
      backupDir: "/data/mysql/data",
      backupIOPSLimits: 100000,
      xtrabackupBinDir: "/usr/bin",
      mysqldBaseDir: "/usr",
      mysqldDefaultsFile: "/etc/my.cnf",
      mysqlHost: "127.0.0.1",
      mysqlPort: port,
      mysqlReplUser: "repl",
      mysqlPingTimeout: 1000,
      raftDataDir: "/var/lib/xenon",
      raftHeartbeatTimeout: 1000,
      raftElectionTimeout: 3000,
      raftRPCRequestTimeout: 1000,
      raftStartVipCommand: "nop",
      raftStopVipCommand: "nop",
    },
    uptimeSeconds: 42,
  };
}

/**
 * The usual scene: a follows b, b leads, c is down. Every member list is [a, b, c] so that
 * a's views include the unreachable node as one row.
 */
export function healthyButOneDown(c: StubCluster): void {
  const peers = [c.a.endpoint, c.b.endpoint, c.c];
  const gtidA = { executed: "0-1-100", retrieved: "0-1-100" };
  const gtidB = { executed: "0-1-100", retrieved: "" };
  Object.assign(
    c.a.answers,
    {
      "NodeRPC.GetNodes": nodesResult("FOLLOWER", c.b.endpoint, peers),
      "MysqldRPC.Status": MYSQLD_RUNNING,
      "MysqlRPC.Status": mysqlStatus("READONLY", gtidA),
      "RaftRPC.Status": raftStatus("FOLLOWER", c.b.endpoint, {
        promotes: 0,
        heartbeats: 0,
        uptime: 30,
      }),
      "ServerRPC.Status": serverStatus(3306),
    } satisfies Answers,
  );
  Object.assign(
    c.b.answers,
    {
      "NodeRPC.GetNodes": nodesResult("LEADER", c.b.endpoint, peers),
      "MysqldRPC.Status": MYSQLD_RUNNING,
      "MysqlRPC.Status": mysqlStatus("READWRITE", gtidB, false),
      "RaftRPC.Status": raftStatus("LEADER", c.b.endpoint, {
        promotes: 1,
        heartbeats: 12,
        uptime: 31,
      }),
      "ServerRPC.Status": serverStatus(3307),
    } satisfies Answers,
  );
}
