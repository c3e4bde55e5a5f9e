/**
 * The RPC methods of `src/model/mod.ts`, served by one daemon. Admin methods accept the CLI too;
 * election messages only peers. User commands run only on the leader, as in the original.
 */
import {
  agentOwnedRefusal,
  isAgentOwnedSysvar,
  switchoverBoundMs,
  type XenonConfig,
} from "../config/mod.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import type {
  ActionResult,
  ExplainRequest,
  MethodName,
  MysqldStatusResult,
  MysqlStatusResult,
  NodesChange,
  NodesResult,
  RaftStatusResult,
  RequestOf,
  ResultOf,
  ServerStatusResult,
  UserRequest,
} from "../model/mod.ts";
import { membersOf, RAFT_MESSAGE_METHOD } from "../model/mod.ts";
import {
  applySysvars,
  changePassword,
  createNormalUser,
  createSuperUser,
  createUserWithGrants,
  dropUser,
  listUsers,
  type MysqlHandle,
  type MysqlStatus,
  parseSetGlobal,
} from "../mysql/mod.ts";
import type { Mysqld, MysqldMonitor } from "../mysqld/mod.ts";
import type { PositionFlavor } from "../gtid/mod.ts";
import type { Invoke } from "../http/mod.ts";
import { type AdminCommand, ONE_VOTER_CHANGE } from "../raft/mod.ts";
import type { FlightRecorder } from "../recorder/mod.ts";
import { type CallContext, type RpcServer, v, type Validator } from "../rpc/mod.ts";
import { backupMethods, DONOR_SETTINGS, type DonorStream, type Rebuilder } from "../backup/mod.ts";
import { globalVariables } from "../mysql/sql.ts";
import { explainHere, failoverDryRun } from "./explain.ts";
import { validateEnvelope } from "./message_codec.ts";
import type { XenonNode } from "./node.ts";
import type { MysqlPoller } from "./poller.ts";

export interface ServiceDeps {
  config: XenonConfig;
  node: XenonNode<MysqlHandle>;
  recorder: FlightRecorder;
  /** Position format of the local server. */
  flavor: PositionFlavor;
  poller: MysqlPoller;
  /** The latest MySQL sample (null while dead). */
  lastStatus(): MysqlStatus | null;
  mysqld: Mysqld;
  monitor: MysqldMonitor;
  startedAt: number;
  /** This node as a backup donor, and its rebuild (or backup --to) job. */
  backup: { donor: DonorStream; rebuilder: Rebuilder };
}

const empty: Validator<Record<string, never>> = (value, path) =>
  v.object({})(value ?? {}, path) as Record<string, never>;
const nodesChange = v.object({ nodes: v.strings(), force: v.optional(v.boolean()) });
const sysvarRequest = v.object({ varSql: v.string() });
const userRequest: Validator<UserRequest> = v.object({
  user: v.string(),
  host: v.withDefault(v.string(), "%"),
  passwd: v.optional(v.string()),
  database: v.optional(v.string()),
  table: v.optional(v.string()),
  privileges: v.optional(v.string()),
  ssl: v.optional(v.oneOf(["YES", "NO"] as const)),
});

const tryToLeadRequest = (value: unknown, path?: string) =>
  v.object({ wait: v.optional(v.boolean()) })(value ?? {}, path);
const historyRequest = (value: unknown, path?: string) =>
  v.object({ last: v.optional(v.count()) })(value ?? {}, path);
const explainPeer = v.object({
  endpoint: v.string(),
  role: v.oneOf(["FOLLOWER", "CANDIDATE", "LEADER", "IDLE", "INVALID", "LEARNER", "STOPPED"]),
  position: (value: unknown, path?: string) => value === null ? null : v.string()(value, path),
  dataTerm: v.count(),
  modeReason: v.withDefault(v.string(), ""),
  promotable: v.object({ ok: v.boolean(), reason: v.string() }),
});
const explainRequest: Validator<ExplainRequest> = (value, path) =>
  v.object({ peers: v.optional(v.arrayOf(explainPeer)) })(value ?? {}, path);

const ok = (reason: string): ActionResult => ({ ok: true, reason });

/** One served method: what the RPC server registers and the HTTP API invokes in process. */
interface Service {
  name: string;
  validate: Validator<unknown>;
  handler: (request: unknown, context: CallContext) => unknown;
  callers: "peers" | "peers-and-cli";
}

/** Registers every service on the peer RPC server. */
export function registerServices(server: RpcServer, services: readonly Service[]): void {
  for (const s of services) {
    server.registerMethod(s.name, s.handler, { validate: s.validate, callers: s.callers });
  }
}

/**
 * Calls the same handlers in process (the HTTP admin API), validated as the RPC server would,
 * as the CLI would be: the admin API's basic auth stands for the CLI's signature.
 */
export function localInvoke(services: readonly Service[], signal: AbortSignal): Invoke {
  const byName = new Map(
    services.filter((s) => s.callers === "peers-and-cli").map((s) => [
      s.name,
      s,
    ]),
  );
  return async <M extends MethodName>(method: M, request: RequestOf<M>) => {
    const service = byName.get(method);
    if (service === undefined) throw new XenonError(`no such method ${method}`);
    const valid = service.validate(request, "request");
    const context: CallContext = { from: "http-admin-api", caller: "cli", signal };
    return await service.handler(valid, context) as ResultOf<M>;
  };
}

/** Every RPC method of src/model/mod.ts, served by this daemon. */
export function buildServices(d: ServiceDeps): Service[] {
  const node = d.node;
  const services: Service[] = [];
  const method = <M extends MethodName>(
    name: M,
    validate: Validator<RequestOf<M>>,
    handler: (request: RequestOf<M>, context: CallContext) => Promise<ResultOf<M>> | ResultOf<M>,
  ) =>
    services.push({
      name,
      validate,
      handler: handler as Service["handler"],
      callers: "peers-and-cli",
    });
  const admin = (command: AdminCommand) => node.admin(command);
  services.push({
    name: RAFT_MESSAGE_METHOD,
    validate: validateEnvelope,
    handler: (request, context) => {
      const envelope = request as ReturnType<typeof validateEnvelope>;
      if (envelope.message.from !== context.from) {
        throw new XenonError(
          `message claims to be from ${envelope.message.from} but was signed by ${context.from}`,
        );
      }
      node.peers.learn(context.from, envelope.mysql);
      node.receive({ type: "message", message: envelope.message });
      return null;
    },
    callers: "peers",
  });

  method("NodeRPC.GetNodes", empty, () => nodesOf(node));
  const membership = (name: MembershipMethod, kind: MembershipKind) =>
    method(name, nodesChange, (r, context) => changeMembers(d, name, kind, r, context));
  membership("NodeRPC.AddNodes", "addPeer");
  membership("NodeRPC.AddIdleNodes", "addIdlePeer");
  membership("NodeRPC.RemoveNodes", "removePeer");
  membership("NodeRPC.RemoveIdleNodes", "removeIdlePeer");
  method("ServerRPC.Ping", empty, () => ok("pong"));
  method("ServerRPC.Status", empty, () => serverStatus(d));
  method("RaftRPC.Status", empty, () => raftStatus(node));
  method("RaftRPC.EnablePurgeBinlog", empty, () => admin({ kind: "purgeBinlog", enabled: true }));
  method("RaftRPC.DisablePurgeBinlog", empty, () => admin({ kind: "purgeBinlog", enabled: false }));
  method(
    "RaftRPC.EnableCheckSemiSync",
    empty,
    () => admin({ kind: "checkSemiSync", enabled: true }),
  );
  method(
    "RaftRPC.DisableCheckSemiSync",
    empty,
    () => admin({ kind: "checkSemiSync", enabled: false }),
  );
  method("HARPC.HAEnable", empty, () => admin({ kind: "enable" }));
  method("HARPC.HADisable", empty, () => admin({ kind: "disable" }));
  method("HARPC.HASetLearner", empty, () => admin({ kind: "setLearner" }));
  method("HARPC.HATryToLeader", tryToLeadRequest, (r) => tryToLead(d, r.wait === true));
  method("MysqlRPC.Status", empty, () => mysqlStatus(d));
  method("MysqlRPC.SetGlobalSysVar", sysvarRequest, async (r) => {
    const item = parseSetGlobal(r.varSql);
    if (isAgentOwnedSysvar(item.name)) throw new XenonError(agentOwnedRefusal(item.name));
    await node.maintenance(async (db) => applySysvars(await db.get(), [item]));
    return ok(`SET GLOBAL ${item.name} = ${item.value}`);
  });
  method("MysqldRPC.Status", empty, () => mysqldStatus(d));
  method("MysqldRPC.StartMonitor", empty, () => {
    d.monitor.start();
    return ok("mysqld monitor ON");
  });
  method("MysqldRPC.StopMonitor", empty, async () => {
    await d.monitor.stop();
    return ok("mysqld monitor OFF");
  });
  method("MysqldRPC.Start", empty, async () => {
    // The daemon's mysqld adds --init-rpl-role when the live server takes it.
    const started = await d.mysqld.start();
    return ok(started ? "mysqld started" : "mysqld was already running");
  });
  method("MysqldRPC.ShutDown", empty, async () => {
    if (node.writableLeader) {
      throw new XenonError(
        "this node is the writable leader: run `raft trytoleader` elsewhere first",
      );
    }
    return ok((await d.mysqld.shutdown()) ? "mysqld shut down" : "mysqld was not running");
  });
  method("MysqldRPC.Kill", empty, async () => {
    await d.mysqld.kill();
    return ok("mysqld killed");
  });
  method("MysqldRPC.IsRunning", empty, () => ({ running: d.mysqld.isRunning() }));

  const onLeader = <T>(job: () => Promise<T>) => {
    const refuseUnlessLeader = () => {
      if (node.writableLeader) return;
      const leader = node.state.leader;
      throw new XenonError(
        `user commands run on the leader${leader ? `: ${leader}` : " (there is none now)"}`,
      );
    };
    refuseUnlessLeader();
    // Asked again when its turn comes: the leader may have fenced meanwhile.
    return node.maintenance(() => {
      refuseUnlessLeader();
      return job();
    });
  };
  const db = () => node.workMysql.get();
  const passwd = (r: UserRequest) => {
    if (r.passwd === undefined) throw new XenonError("passwd is required");
    return r.passwd;
  };
  method("UserRPC.CreateNormalUser", userRequest, async (r) => {
    await onLeader(async () =>
      createNormalUser(await db(), { ...r, password: passwd(r), ssl: r.ssl ?? "NO" })
    );
    return ok(`created '${r.user}'@'${r.host}'`);
  });
  method("UserRPC.CreateSuperUser", userRequest, async (r) => {
    await onLeader(async () =>
      createSuperUser(await db(), { ...r, password: passwd(r), ssl: r.ssl ?? "NO" })
    );
    return ok(`created super user '${r.user}'@'${r.host}'`);
  });
  method("UserRPC.CreateUserWithPrivileges", userRequest, async (r) => {
    await onLeader(async () =>
      createUserWithGrants(await db(), {
        ...r,
        password: passwd(r),
        ssl: r.ssl ?? "NO",
        database: r.database ?? "*",
        table: r.table ?? "*",
        privileges: r.privileges ?? "",
      })
    );
    return ok(`created '${r.user}'@'${r.host}' with ${r.privileges}`);
  });
  method("UserRPC.DropUser", userRequest, async (r) => {
    await onLeader(async () => dropUser(await db(), r.user, r.host));
    return ok(`dropped '${r.user}'@'${r.host}'`);
  });
  method("UserRPC.ChangePasword", userRequest, async (r) => {
    await onLeader(async () =>
      changePassword(await db(), { user: r.user, host: r.host, password: passwd(r) })
    );
    return ok(`changed the password of '${r.user}'@'${r.host}'`);
  });
  method("UserRPC.GetUser", empty, async () => {
    const rows = await onLeader(async () => listUsers(await db()));
    return { users: rows.map((u) => ({ user: u.User, host: u.Host, superPriv: u.SuperPriv })) };
  });
  method("RaftRPC.History", historyRequest, (r) => d.recorder.read({ last: r.last }));
  const here = () => ({
    state: node.state,
    options: node.deps.options,
    now: node.now(),
    flavor: d.flavor,
  });
  method("RaftRPC.Explain", explainRequest, (r) => explainHere(here(), r.peers ?? []));
  method(
    "RaftRPC.DryRunFailover",
    empty,
    () => failoverDryRun(here(), membersOf(node.state), node.deps.rpc),
  );
  services.push(...backupMethods(d.backup));
  method("BackupRPC.Settings", empty, async () => {
    const rows = await (await node.workMysql.get()).session.query(globalVariables(DONOR_SETTINGS));
    return {
      settings: Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)])),
    };
  });
  return services;
}

type MembershipMethod =
  | "NodeRPC.AddNodes"
  | "NodeRPC.AddIdleNodes"
  | "NodeRPC.RemoveNodes"
  | "NodeRPC.RemoveIdleNodes";
type MembershipKind = "addPeer" | "addIdlePeer" | "removePeer" | "removeIdlePeer";

/**
 * A membership change, as the original: a member already there (or a non-member already gone) is
 * answered OK at once; on a follower that knows its leader, a change asked by the CLI or the HTTP
 * API is forwarded to the leader, signed as this node, and the leader's rules decide (the
 * Kubernetes operator calls every pod in turn and stops at the first error). A call from a peer is
 * never forwarded again; without a leader the core decides locally.
 */
async function changeMembers(
  d: ServiceDeps,
  name: MembershipMethod,
  kind: MembershipKind,
  { nodes, force }: NodesChange,
  context: CallContext,
): Promise<ActionResult> {
  const node = d.node;
  const s = node.state;
  const idle = kind === "addIdlePeer" || kind === "removeIdlePeer";
  const adding = kind === "addPeer" || kind === "addIdlePeer";
  const done = (e: string) =>
    adding ? s.peers.includes(e) || s.idlePeers.includes(e) : !(idle ? s.idlePeers : s.peers)
      .includes(e);
  const wanted = [...new Set(nodes.map((n) => n.trim()))];
  const pending = wanted.filter((e) => !done(e));
  const already = wanted.filter(done).map((e) =>
    adding ? `${e} is already a member` : `${e} is not a${idle ? "n idle" : ""} member`
  );
  if (pending.length === 0) return ok(already.join("; ") || "no nodes given");
  const leader = s.leader;
  if (context.caller === "cli" && s.role !== "LEADER" && leader !== null && leader !== s.self) {
    const o = node.deps.options;
    try {
      const answer = await node.deps.rpc.call<ActionResult>(
        leader,
        name,
        { nodes: pending, force },
        {
          timeoutMs: 2 * o.requestTimeoutMs,
          signal: context.signal,
        },
      );
      return {
        ok: answer.ok,
        reason: [...already, `leader ${leader}: ${answer.reason}`].join("; "),
      };
    } catch (error) {
      return {
        ok: false,
        reason: `membership changes run on the leader; forwarding to ${leader} failed: ` +
          `${oneLine(error)}; retry once it answers (xenon cluster status)`,
      };
    }
  }
  const reasons = [...already];
  let allOk = true;
  for (const endpoint of pending) {
    const r = await adminOneVoterChange(
      node,
      kind === "addPeer" || kind === "removePeer" ? { kind, endpoint, force } : { kind, endpoint },
    );
    allOk &&= r.ok;
    reasons.push(r.reason);
  }
  return { ok: allOk, reason: reasons.join("; ") };
}

/**
 * A membership change; a voter change that must wait for the last one to settle (one at a time,
 * src/raft/admin.ts) is asked again until it is, for at most one election timeout (a healthy
 * cluster settles within a heartbeat round), so `cluster add n1,n2` on the leader works.
 */
async function adminOneVoterChange(node: XenonNode, command: AdminCommand) {
  const deadline = performance.now() + node.deps.options.electionTimeoutMs;
  const unsettled = (a: { ok: boolean; reason: string }) =>
    !a.ok && a.reason.startsWith(ONE_VOTER_CHANGE);
  let answer = await node.admin(command);
  for (let attempt = 0; attempt < 1000 && unsettled(answer); attempt++) {
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
    answer = await node.admin(command);
  }
  return answer;
}

function nodesOf(node: XenonNode): NodesResult {
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

function raftStatus(node: XenonNode): RaftStatusResult {
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

function serverStatus(d: ServiceDeps): ServerStatusResult {
  const c = d.config;
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
    uptimeSeconds: Math.floor((performance.now() - d.startedAt) / 1000),
  };
}

function mysqlStatus(d: ServiceDeps): MysqlStatusResult {
  const st = d.lastStatus();
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
      lastError: r?.lastSqlError || r?.lastIoError || "",
      lastIoError: r?.lastIoError ?? "",
      lastSqlError: r?.lastSqlError ?? "",
    },
    mysqlDowns: d.poller.downs,
  };
}

function mysqldStatus(d: ServiceDeps): MysqldStatusResult {
  const donor = d.backup.donor.status();
  const rebuild = d.backup.rebuilder.backupInfo();
  // The stream this node gives as a donor shows first, as the original's BackupInfo did.
  const streaming = donor.state === "BACKUPING";
  return {
    monitorInfo: d.monitor.info,
    mysqldInfo: d.monitor.status,
    backupInfo: streaming
      ? `State:[BACKUPING], Time:[${Math.round(donor.elapsedMs / 1000)}s]`
      : rebuild.info,
    backupLastError: rebuild.lastError || donor.lastError,
    stats: {
      mysqldStarts: d.monitor.starts,
      mysqldStops: 0,
      monitorStarts: 0,
      monitorStops: 0,
    },
  };
}

/**
 * Planned switchover to this node: it asks the leader to fence itself and hand over (or
 * campaigns). As the original, that is the answer; with `wait` it also waits (bounded by the
 * timers) until it is the writable leader. The write-block time is measured from the request to
 * this node's promote: an upper bound on how long no node accepted writes.
 */
async function tryToLead(d: ServiceDeps, wait: boolean): Promise<ResultOf<"HARPC.HATryToLeader">> {
  const node = d.node;
  const started = performance.now();
  // Judge promotability on a fresh sample, not one taken while replication was being repointed.
  await d.poller.pollOnce();
  const answer = await node.admin({ kind: "tryToLead" });
  if (!wait || !answer.ok || node.writableLeader) return answer;
  const deadline = started + switchoverBoundMs(node.deps.options);
  while (performance.now() < deadline) {
    const promoted = node.promotedAt;
    if (node.writableLeader && promoted !== null && promoted >= started) {
      const writeBlockMs = Math.round(promoted - started);
      return {
        ok: true,
        reason: `${answer.reason}; writable after ${writeBlockMs} ms`,
        writeBlockMs,
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    ok: false,
    reason: `${answer.reason}; not the writable leader ${Math.round(deadline - started)} ms ` +
      `later: ${node.state.role}, ${node.state.reason}`,
  };
}
