/**
 * The status RPCs' answers (`NodeRPC.GetNodes`, `RaftRPC.Status`, `ServerRPC.Status`,
 * `MysqlRPC.Status`, `MysqldRPC.Status`) in the original's shapes, from what the daemon holds.
 */
import type { DonorStream, Rebuilder } from "../backup/mod.ts";
import type { XenonConfig } from "../config/mod.ts";
import type { ResultOf } from "../model/mod.ts";
import type { MysqlStatus } from "../mysql/mod.ts";
import type { MysqldMonitor } from "../mysqld/mod.ts";
import type { XenonNode } from "./node.ts";

export function nodesOf(node: XenonNode): ResultOf<"NodeRPC.GetNodes"> {
  const s = node.state;
  return {
    epochId: s.epoch,
    viewId: s.term,
    state: s.role,
    leader: s.leader ?? "",
    peers: [...s.peers],
    idlePeers: [...s.idlePeers],
  };
}

export function raftStatus(node: XenonNode): ResultOf<"RaftRPC.Status"> {
  const s = node.state;
  const st = node.stats;
  return {
    state: s.role,
    leader: s.leader ?? "",
    viewId: s.term,
    epochId: s.epoch,
    idleCount: s.idlePeers.length,
    reason: s.reason,
    stats: {
      leaderPromotes: st.leaderPromotes,
      leaderDegrades: st.leaderDegrades,
      leaderGetHeartbeatRequests: st.leaderGetHeartbeatRequests,
      leaderGetVoteRequests: st.leaderGetVoteRequests,
      leaderPurgeBinlogs: st.leaderPurgeBinlogs,
      leaderPurgeBinlogFails: st.leaderPurgeBinlogFails,
      lessHeartbeatAcks: st.lessHeartbeatAcks,
      candidatePromotes: st.candidatePromotes,
      candidateDegrades: st.candidateDegrades,
      stateUptimes: st.uptimeSeconds(),
      raftMysqlStatus: s.leadership?.phase === "catchingUp" ? "WaitUntilAfterGTID" : "",
    },
    purgeBinlogEnabled: s.purgeBinlog,
    checkSemiSyncEnabled: s.checkSemiSync,
  };
}

export function serverStatus(c: XenonConfig, startedAt: number): ResultOf<"ServerRPC.Status"> {
  return {
    config: {
      logLevel: c.log.level,
      backupDir: c.backup.backupdir,
      backupIOPSLimits: c.backup.backupIopsLimits,
      xtrabackupBinDir: c.backup.xtrabackupBindir,
      mysqldBaseDir: c.mysql.basedir,
      mysqldDefaultsFile: c.mysql.defaultsFile,
      mysqlHost: c.mysql.host,
      mysqlPort: c.mysql.port,
      mysqlReplUser: c.replication.user,
      mysqlPingTimeout: c.mysql.pingTimeout,
      raftDataDir: c.raft.metaDatadir,
      raftHeartbeatTimeout: c.raft.heartbeatTimeout,
      raftElectionTimeout: c.raft.electionTimeout,
      raftRPCRequestTimeout: c.rpc.requestTimeout,
      raftStartVipCommand: c.raft.leaderStartCommand,
      raftStopVipCommand: c.raft.leaderStopCommand,
    },
    uptimeSeconds: Math.floor((performance.now() - startedAt) / 1000),
  };
}

/**
 * `st`: the poller's latest sample (null while dead); `downs`: MySQL downs it counted;
 * `forecastSeconds`: how long a failover to this node would take now (null: unknown).
 */
export function mysqlStatus(
  st: MysqlStatus | null,
  downs: number,
  forecastSeconds: number | null = null,
): ResultOf<"MysqlRPC.Status"> {
  const r = st?.replica ?? null;
  // A server that replicates from nobody (a leader) reports its threads as running and no lag,
  // as the original's GetGTID did from SHOW MASTER STATUS: the table shows [true/true].
  const source = st !== null && r === null;
  const yesNo = (b: boolean | undefined) => (b ? "Yes" : "No");
  return {
    status: st === null ? "DEAD" : "ALIVE",
    options: st === null ? "" : st.readOnly ? "READONLY" : "READWRITE",
    replication: {
      masterLogFile: r?.sourceLogFile ?? "",
      readMasterLogPos: r?.readSourceLogPos ?? 0,
      relayMasterLogFile: r?.relaySourceLogFile ?? "",
      slaveIoRunning: source || (r?.ioRunning ?? false),
      slaveIoRunningText: source ? "" : r?.ioText || yesNo(r?.ioRunning),
      slaveSqlRunning: source || (r?.sqlRunning ?? false),
      slaveSqlRunningText: source ? "" : yesNo(r?.sqlRunning),
      retrievedGtidSet: r?.received ?? "",
      executedGtidSet: st?.positions.executed ?? "",
      secondsBehindMaster: source
        ? "0"
        : r?.secondsBehind === null || r === null
        ? ""
        : String(r.secondsBehind),
      slaveSqlRunningState: "",
      relayBacklogBytes: source ? 0 : r?.backlogBytes ?? null,
      relayBacklogTransactions: source ? 0 : r?.backlogTransactions ?? null,
      failoverForecastSeconds: forecastSeconds,
      lastError: r?.lastSqlError || r?.lastIoError || "",
      lastIoError: r?.lastIoError ?? "",
      lastSqlError: r?.lastSqlError ?? "",
    },
    mysqlDowns: downs,
  };
}

export function mysqldStatus(
  monitor: MysqldMonitor,
  backup: { donor: DonorStream; rebuilder: Rebuilder },
): ResultOf<"MysqldRPC.Status"> {
  const donor = backup.donor.status();
  const rebuild = backup.rebuilder.backupInfo();
  // The stream this node gives as a donor shows first, as the original's BackupInfo did.
  const streaming = donor.state === "BACKUPING";
  return {
    monitorInfo: monitor.info,
    mysqldInfo: monitor.status,
    backupInfo: streaming
      ? `State:[BACKUPING], Time:[${Math.round(donor.elapsedMs / 1000)}s]`
      : rebuild.info,
    backupLastError: rebuild.lastError || donor.lastError,
    stats: {
      mysqldStarts: monitor.starts,
      mysqldStops: 0,
      monitorStarts: 0,
      monitorStops: 0,
    },
  };
}
