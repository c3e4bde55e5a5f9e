import { UsageError } from "../../lib/errors.ts";
import type { ActionResult } from "../../model/mod.ts";
import {
  type ClusterView,
  gatherCluster,
  type NodeView,
  type Part,
  reportProblems,
  stateOf,
} from "../cluster_view.ts";
import type { CliContext } from "../context.ts";
import { withDaemons } from "../daemons.ts";
import { findLeader, parseNodeList } from "../members.ts";
import { printAction, printTable } from "../output.ts";
import type { GroupSpec, Handler, LeafSpec } from "../spec.ts";
import { UNKNOWN } from "../table.ts";
import { failoverCommand } from "./failover.ts";
import { historyCommand } from "./history.ts";

const NODES = "nodes: HOST:PORT[,HOST:PORT...]";
/** Scripts and probes rely on it; the output is printed either way (reasons on stderr). */
const EXIT_CODES = "exit 1 when a node does not answer or not exactly one is LEADER " +
  "(the original's `json` form exits 0 once printed)";

type Change =
  | "NodeRPC.AddNodes"
  | "NodeRPC.AddIdleNodes"
  | "NodeRPC.RemoveNodes"
  | "NodeRPC.RemoveIdleNodes";

/** `cluster add|addidle|remove|removeidle`: to the leader, or to this node when there is none. */
function membership(method: Change, what: string): Handler {
  return async (ctx, [list], options) => {
    const nodes = parseNodeList(list);
    const force = options.force === true ? { force: true } : {};
    return await withDaemons(ctx, async (daemons) => {
      const leader = await findLeader(daemons);
      const target = leader || daemons.self;
      const result: ActionResult = await daemons.call(target, method, { nodes, ...force });
      const via = leader ? `through the leader ${leader}` : `on ${target} (no leader found)`;
      if (ctx.json) {
        ctx.out(JSON.stringify({ leader, endpoint: target, nodes, ...result }));
        return result.ok ? 0 : 1;
      }
      ctx.out(`${what} ${nodes.join(",")} ${via}`);
      return printAction(ctx, target, `${what} ${nodes.join(",")}`, result);
    });
  };
}

const or = (value: string | undefined) => value ?? UNKNOWN;
/** Seconds_Behind_Master travels as text ("" when unknown). */
const numberOrNull = (text: string | undefined) =>
  text === undefined || text === "" || !Number.isFinite(Number(text)) ? null : Number(text);

function raftCell(v: NodeView): string | undefined {
  return v.nodes && `[ViewID:${v.nodes.viewId} EpochID:${v.nodes.epochId}]@${v.nodes.state}`;
}

function backupCell(v: NodeView): string | undefined {
  return v.mysqld && `state:[${v.mysqld.backupInfo}]\nLastError:\n${v.mysqld.backupLastError}`;
}

function mysqlCell(v: NodeView): string | undefined {
  if (!v.mysql) return undefined;
  return v.mysql.status === "ALIVE" ? `[ALIVE] [${v.mysql.options}]` : `[${v.mysql.status}]`;
}

/** What a failover to this node would apply first: "1200 tx (3.4 MiB)"; bytes when known. */
function backlogCell(v: NodeView): string | undefined {
  const r = v.mysql?.replication;
  const tx = r?.relayBacklogTransactions;
  if (tx === undefined || tx === null) return undefined;
  const bytes = r?.relayBacklogBytes;
  return bytes === undefined || bytes === null ? `${tx} tx` : `${tx} tx (${sizeText(bytes)})`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** "4.3 s"; "-" on the leader (no failover to it); unknown while not measured. */
function forecastCell(v: NodeView): string | undefined {
  if (v.nodes?.state === "LEADER") return "-";
  const seconds = v.mysql?.replication.failoverForecastSeconds;
  return seconds === undefined || seconds === null ? undefined : `${seconds.toFixed(1)} s`;
}

function threadsCell(v: NodeView): string | undefined {
  const r = v.mysql?.replication;
  return r && `[${r.slaveIoRunning}/${r.slaveSqlRunning}]`;
}

/** A cluster view command: gathers `parts`, prints, and exits by the cluster's health. */
function view(parts: Part[], print: (ctx: CliContext, view: ClusterView, json: boolean) => void) {
  return (ctx: CliContext, args: string[]) => {
    const json = args[0] !== undefined;
    if (json && args[0] !== "json") {
      throw new UsageError(`unexpected argument "${args[0]}"; only "json" is accepted here`);
    }
    return withDaemons(ctx, async (daemons) => {
      const cluster = await gatherCluster(daemons, parts);
      print(ctx, cluster, json || ctx.json);
      const health = reportProblems(ctx, cluster, json || ctx.json);
      // The original's positional `json` form is parsed by the Kubernetes operator right after a
      // pod starts, when there may be no leader yet: like the original, it exits 0 once printed.
      return json ? 0 : health;
    });
  };
}

const status = view(["nodes", "mysqld", "mysql"], (ctx, { views }, json) => {
  if (json) {
    // The original's `cluster status json`, parsed by scripts: "" for what is unknown.
    const status = views.map((v) => ({
      "id": v.id,
      "raft": raftCell(v) ?? "",
      "mysqld-info": v.mysqld?.mysqldInfo ?? "",
      "monitor-info": v.mysqld?.monitorInfo ?? "",
      "backup-info": backupCell(v) ?? "",
      "mysql-info": mysqlCell(v) ?? "",
      "slave-info": threadsCell(v) ?? "",
      "myleader": v.nodes?.leader ?? "",
      // Not in the original: what a failover to this node would have to apply first.
      "apply-lag-seconds": numberOrNull(v.mysql?.replication.secondsBehindMaster),
      "apply-backlog-transactions": v.mysql?.replication.relayBacklogTransactions ?? null,
      "relay-backlog-bytes": v.mysql?.replication.relayBacklogBytes ?? null,
      "failover-forecast-seconds": v.mysql?.replication.failoverForecastSeconds ?? null,
    }));
    return ctx.write(JSON.stringify({ status }));
  }
  printTable(
    ctx,
    [
      // xenoncli's columns, then what a failover to each node would take (added at the end).
      ...["ID", "Raft", "Mysqld", "Monitor", "Backup", "Mysql", "IO/SQL_RUNNING", "MyLeader"],
      ...["Apply_Backlog", "Failover_Forecast"],
    ],
    views.map((v) => [
      v.id,
      or(raftCell(v)),
      or(v.mysqld?.mysqldInfo),
      or(v.mysqld?.monitorInfo),
      or(backupCell(v)?.trim()),
      or(mysqlCell(v)),
      or(threadsCell(v)),
      or(v.nodes?.leader),
      or(backlogCell(v)),
      or(forecastCell(v)),
    ]),
  );
});

const raft = view(["raft"], (ctx, { views }) => {
  printTable(
    ctx,
    [
      "ID",
      "Raft",
      "IdleCnt",
      "LPromotes",
      "LDegrades",
      "LGetHeartbeats",
      "LGetVotes",
      "CPromotes",
      "CDegrades",
      "Raft@Mysql",
      "StateUptimes(sec)",
    ],
    views.map(({ id, raft }) => {
      if (!raft) return [id, ...Array(10).fill(UNKNOWN)];
      const s = raft.stats;
      return [
        id,
        raft.state,
        ...[
          raft.idleCount,
          s.leaderPromotes,
          s.leaderDegrades,
          s.leaderGetHeartbeatRequests,
          s.leaderGetVoteRequests,
          s.candidatePromotes,
          s.candidateDegrades,
        ].map(String),
        s.raftMysqlStatus,
        String(s.stateUptimes),
      ];
    }),
  );
});

const mysql = view(["nodes", "mysql"], (ctx, { views }) => {
  printTable(
    ctx,
    [
      "ID",
      "Raft",
      "Mysql",
      "Option",
      "Master_Log_File/Pos",
      "IO/SQL_Running",
      "Seconds_Behind",
      "Last_Error",
    ],
    views.map((v) => {
      const r = v.mysql?.replication;
      return [
        v.id,
        or(v.nodes?.state),
        or(v.mysql?.status),
        or(v.mysql?.options),
        or(r && `[${r.masterLogFile}/${r.readMasterLogPos}]`),
        or(threadsCell(v)),
        or(r?.secondsBehindMaster),
        or(r?.lastError),
      ];
    }),
  );
});

const gtid = view(["nodes", "mysql"], (ctx, { views }, json) => {
  // The leader's row comes last, as in the original: the others are compared against it.
  const ordered = [
    ...views.filter((v) => stateOf(v) !== "LEADER"),
    ...views.filter((v) => stateOf(v) === "LEADER"),
  ];
  if (json) {
    const oneLine = (set: string | undefined) => (set ?? "").replaceAll("\n", "").trim();
    const gtid = ordered.map((v) => ({
      "id": v.id,
      "raft": v.nodes?.state ?? "",
      "mysql": v.mysql?.status ?? "",
      "executed-gtid-set": oneLine(v.mysql?.replication.executedGtidSet),
      "retrieved-gtid-set": oneLine(v.mysql?.replication.retrievedGtidSet),
    }));
    return ctx.write(JSON.stringify({ gtid }));
  }
  printTable(
    ctx,
    ["ID", "Raft", "Mysql", "Executed_GTID_Set", "Retrieved_GTID_Set"],
    ordered.map((v) => [
      v.id,
      or(v.nodes?.state),
      or(v.mysql?.status),
      or(v.mysql?.replication.executedGtidSet.trim()),
      or(v.mysql?.replication.retrievedGtidSet.trim()),
    ]),
  );
});

function configCell({ config: c }: NonNullable<NodeView["server"]>): string {
  return [
    `LogLevel:[${c.logLevel}]`,
    `BackupDir:[${c.backupDir}]`,
    `BackupIOPSLimits:[${c.backupIOPSLimits}]`,
    `XtrabackupBinDir:[${c.xtrabackupBinDir}]`,
    `MysqldBaseDir:[${c.mysqldBaseDir}]`,
    `MysqldDefaultsFile:[${c.mysqldDefaultsFile}]`,
    `Mysql:[${c.mysqlHost}:${c.mysqlPort}]`,
    `MysqlReplUser:[${c.mysqlReplUser}]`,
    `MysqlPingTimeout:[${c.mysqlPingTimeout}]`,
    `RaftDataDir:[${c.raftDataDir}]`,
    `RaftHeartbeatTimeout:[${c.raftHeartbeatTimeout}]`,
    `RaftElectionTimeout:[${c.raftElectionTimeout}]`,
    `RaftRPCRequestTimeout:[${c.raftRPCRequestTimeout}]`,
  ].join("\n");
}

const xenon = view(["nodes", "server"], (ctx, { views }) => {
  printTable(
    ctx,
    ["ID", "Status", "Config", "Uptimes"],
    views.map((v) => [
      v.id,
      or(v.nodes?.state),
      or(v.server && configCell(v.server)),
      or(v.server && String(v.server.uptimeSeconds)),
    ]),
  );
});

const change = (
  usage: string,
  description: string,
  method: Change,
  what: string,
  force?: string,
): LeafSpec => ({
  usage,
  description: `${description} (${NODES})`,
  options: force === undefined ? undefined : [{ flags: "--force", description: force }],
  run: membership(method, what),
});

/** `xenon cluster ...`: the cluster-wide views and membership (xenoncli's `cluster` commands). */
export const clusterCommands: GroupSpec = {
  name: "cluster",
  description: "cluster membership and cluster-wide views, gathered from every node",
  commands: [
    change(
      "add <nodes>",
      "add voting members, through the leader or on this node without one",
      "NodeRPC.AddNodes",
      "add",
      "add the voter even where the server's semi-sync cannot wait for enough replicas " +
        "(an acknowledged write may be lost at failover)",
    ),
    change(
      "addidle <nodes>",
      "add idle members (they follow but never vote), through the leader",
      "NodeRPC.AddIdleNodes",
      "add idle",
    ),
    change(
      "remove <nodes>",
      "remove voting members, through the leader",
      "NodeRPC.RemoveNodes",
      "remove",
      "remove even without a leader (only if the removed nodes are down for good: a live " +
        "leader beyond a partition and one elected here would both lead)",
    ),
    change(
      "removeidle <nodes>",
      "remove idle members, through the leader",
      "NodeRPC.RemoveIdleNodes",
      "remove idle",
    ),
    {
      usage: "status [json]",
      description: "every node's raft state, mysqld, monitor, backup, MySQL and replication; " +
        EXIT_CODES,
      run: status,
    },
    { usage: "raft", description: `every node's raft counters; ${EXIT_CODES}`, run: raft },
    { usage: "mysql", description: `every node's replication status; ${EXIT_CODES}`, run: mysql },
    {
      usage: "gtid [json]",
      description: `every node's GTID position, the leader last; ${EXIT_CODES}`,
      run: gtid,
    },
    {
      usage: "xenon",
      description: `every node's xenon settings and uptime; ${EXIT_CODES}`,
      run: xenon,
    },
    historyCommand,
    failoverCommand,
    {
      usage: "log",
      description: "merge the xenon logs of every node into cluster.logs/cluster.log",
      options: [
        {
          flags: "--logdir <dir>",
          description: "where each node keeps xenon.log",
          defaultValue: "/data/log",
        },
        {
          flags: "--start-datetime <time>",
          description: "first timestamp to keep (YYYY/MM/DD HH:MM:SS)",
        },
        {
          flags: "--stop-datetime <time>",
          description: "last timestamp to keep (YYYY/MM/DD HH:MM:SS)",
        },
      ],
    },
  ],
};
