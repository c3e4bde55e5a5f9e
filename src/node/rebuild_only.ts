/**
 * The daemon's rebuild-only mode: when this node's mysqld cannot run yet (no my.cnf, a missing
 * or empty datadir: a new 4th node, or a datadir lost with its disk), the daemon does not give
 * up. It answers its CLI (ping, status, rebuildme, rebuildstatus, cancelbackup) and nothing
 * else, never votes and never campaigns, until a rebuild has put a datadir in place and started
 * mysqld; then the normal startup continues and the election core rejoins.
 */
import {
  backupMethods,
  dataPathsOf,
  donorOptionsOf,
  DonorStream,
  Rebuilder,
  type RebuildPorts,
} from "../backup/mod.ts";
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type {
  MethodName,
  MysqldStatusResult,
  RaftStatusResult,
  RequestOf,
  ResultOf,
} from "../model/mod.ts";
import type { Mysqld } from "../mysqld/mod.ts";
import type { PersistedMeta } from "../raft/mod.ts";
import {
  clientTlsOf,
  type ClusterKey,
  replayMarkPath,
  RpcClient,
  RpcServer,
  serverTlsOf,
  v,
} from "../rpc/mod.ts";
import { connectionOptions, LocalMysql } from "./local_mysql.ts";
import { rebuildOnlySide } from "./rebuild_side.ts";

export interface RebuildSetup {
  config: XenonConfig;
  key: ClusterKey;
  metaDir: string;
  meta: PersistedMeta | null;
  mysqld: Mysqld;
}

/** Why this node's mysqld cannot run until it is rebuilt; null when it can try. */
export async function rebuildOnlyReason(config: XenonConfig): Promise<string | null> {
  const file = config.mysql.defaultsFile;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    return `mysql.defaults-file ${file} does not exist`;
  }
  let datadir: string;
  try {
    datadir = dataPathsOf(text, file, "").datadir;
  } catch (error) {
    return oneLine(error);
  }
  try {
    for (const _ of Deno.readDirSync(datadir)) return null;
    return `datadir ${datadir} is empty`;
  } catch {
    return `datadir ${datadir} is missing`;
  }
}

/** The datadir my.cnf names, or "" when it cannot be read (the donor's size is then unknown). */
function datadirOf(config: XenonConfig): string {
  try {
    const file = config.mysql.defaultsFile;
    return dataPathsOf(Deno.readTextFileSync(file), file, "").datadir;
  } catch {
    return "";
  }
}

/** The rebuild's RPC port over the daemon's client (5 s per call unless told). */
export function callThrough(rpc: RpcClient): RebuildPorts["call"] {
  return <M extends MethodName>(e: string, m: M, r: RequestOf<M>, timeoutMs?: number) =>
    rpc.call<ResultOf<M>>(e, m, r, { timeoutMs: timeoutMs ?? 5000 });
}

/** The backup side of a daemon: its donor stream and its rebuilder (ports set per mode). */
export function backupSide(s: RebuildSetup, rpc: RpcClient, ports: Omit<RebuildPorts, "call">) {
  const donor = new DonorStream(donorOptionsOf(s.config, datadirOf(s.config)));
  const rebuilder = new Rebuilder({ ...ports, call: callThrough(rpc) });
  return { donor, rebuilder };
}

/**
 * At startup, before mysqld is started: settles a rebuild an agent restart interrupted (see
 * Rebuilder.recoverAtStartup) and starts mysqld again if the rebuild had stopped it while the
 * monitor is off (nothing else would).
 */
export async function recoverRebuild(s: RebuildSetup): Promise<string | null> {
  const rpc = new RpcClient({
    self: s.config.server.endpoint,
    key: s.key,
    tls: clientTlsOf(s.config.server),
  });
  const link = new LocalMysql(connectionOptions(s.config), s.config.mysql.version);
  try {
    const { rebuilder } = backupSide(s, rpc, {
      config: s.config,
      metaDir: s.metaDir,
      members: () => ({ voters: [], leader: "" }),
      local: rebuildOnlySide({ mysqld: s.mysqld, link, version: s.config.mysql.version }),
    });
    const what = await rebuilder.recoverAtStartup();
    if (
      what !== null && s.config.mysql.monitorDisabled &&
      (await rebuildOnlyReason(s.config)) === null
    ) {
      if (await s.mysqld.start()) return `${what}; started mysqld again`;
    }
    return what;
  } finally {
    await link.close();
    rpc.close();
  }
}

/**
 * Serves the rebuild-only mode until a rebuild got mysqld running on a restored datadir
 * (returns true) or the daemon is asked to stop (returns false).
 */
export async function serveRebuildOnly(
  s: RebuildSetup,
  reason: string,
  stop: Promise<void>,
): Promise<{ continue: boolean; donor: DonorStream; rebuilder: Rebuilder; rpc: RpcClient }> {
  const logger = log("node");
  const self = s.config.server.endpoint;
  const rpc = new RpcClient({ self, key: s.key, tls: clientTlsOf(s.config.server) });
  const link = new LocalMysql(connectionOptions(s.config), s.config.mysql.version);
  const { donor, rebuilder } = backupSide(s, rpc, {
    config: s.config,
    metaDir: s.metaDir,
    members: () => ({ voters: [...(s.meta?.peers ?? [])], leader: "" }),
    local: rebuildOnlySide({ mysqld: s.mysqld, link, version: s.config.mysql.version }),
  });
  const server = new RpcServer({
    listen: self,
    key: s.key,
    allowedPeer: () => false,
    tls: serverTlsOf(s.config.server),
    replayMarkFile: replayMarkPath(s.metaDir),
  });
  const empty = (value: unknown, path?: string) => v.object({})(value ?? {}, path);
  const register = (name: string, handler: () => unknown) =>
    server.registerMethod(name, handler, { validate: empty, callers: "peers-and-cli" });
  register("ServerRPC.Ping", () => ({ ok: true, reason: `pong (rebuild-only: ${reason})` }));
  register("RaftRPC.Status", () => rebuildOnlyRaftStatus(reason));
  register("NodeRPC.GetNodes", () => ({
    epochId: s.meta?.epochId ?? 0,
    viewId: s.meta?.viewId ?? 0,
    state: "LEARNER",
    leader: "",
    peers: [...(s.meta?.peers ?? [])],
    idlePeers: [...(s.meta?.idlePeers ?? [])],
  }));
  register("MysqldRPC.Status", (): MysqldStatusResult => {
    const b = rebuilder.backupInfo();
    return {
      monitorInfo: "OFF",
      mysqldInfo: "UNKNOW",
      backupInfo: b.info,
      backupLastError: b.lastError || `rebuild-only: ${reason}; run xenon mysql rebuildme`,
      stats: { mysqldStarts: 0, mysqldStops: 0, monitorStarts: 0, monitorStops: 0 },
    };
  });
  for (const m of backupMethods({ donor, rebuilder })) {
    server.registerMethod(m.name, m.handler, { validate: m.validate, callers: m.callers });
  }
  await server.start();
  logger.warn`rebuild-only mode: ${reason}; waiting for xenon mysql rebuildme`;
  let stopping = false;
  stop.then(() => (stopping = true));
  try {
    while (!stopping) {
      const st = rebuilder.status();
      if (st.kind === "rebuild" && st.finished && st.phase === "rejoining") {
        logger.info`rebuild-only mode: the datadir is restored and mysqld runs; starting normally`;
        return { continue: true, donor, rebuilder, rpc };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await rebuilder.cancel();
    return { continue: false, donor, rebuilder, rpc };
  } finally {
    await server.close();
    await link.close();
  }
}

function rebuildOnlyRaftStatus(reason: string): RaftStatusResult {
  return {
    state: "LEARNER",
    leader: "",
    viewId: 0,
    epochId: 0,
    idleCount: 0,
    reason: `rebuild-only mode: ${reason}; run xenon mysql rebuildme`,
    stats: {
      leaderPromotes: 0,
      leaderDegrades: 0,
      leaderGetHeartbeatRequests: 0,
      leaderGetVoteRequests: 0,
      leaderPurgeBinlogs: 0,
      leaderPurgeBinlogFails: 0,
      lessHeartbeatAcks: 0,
      candidatePromotes: 0,
      candidateDegrades: 0,
      stateUptimes: 0,
      raftMysqlStatus: "",
    },
    purgeBinlogEnabled: false,
    checkSemiSyncEnabled: false,
  };
}
