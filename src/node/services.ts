/**
 * The RPC methods of `src/model/mod.ts`, served by one daemon. Admin methods accept the CLI too;
 * election messages only peers. User commands run only on the leader, as in the original.
 */
import { agentOwnedRefusal, isAgentOwnedSysvar, type XenonConfig } from "../config/mod.ts";
import { XenonError } from "../lib/errors.ts";
import type { ActionResult, MethodName, RequestOf, ResultOf, UserRequest } from "../model/mod.ts";
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
import type { AdminCommand } from "../raft/mod.ts";
import type { FlightRecorder } from "../recorder/mod.ts";
import { type CallContext, v, type Validator } from "../rpc/mod.ts";
import { backupMethods, DONOR_SETTINGS, type DonorStream, type Rebuilder } from "../backup/mod.ts";
import { globalVariables } from "../mysql/sql.ts";
import { explainHere, explainRequest, failoverDryRun } from "./explain.ts";
import { changeMembers, type MembershipKind, type MembershipMethod } from "./membership_change.ts";
import type { FailoverForecast } from "../model/forecast.ts";
import { validateEnvelope } from "./message_codec.ts";
import type { XenonNode } from "./node.ts";
import type { MysqlPoller } from "./poller.ts";
import type { Service } from "./service_registry.ts";
import { mysqldStatus, mysqlStatus, nodesOf, raftStatus, serverStatus } from "./status_views.ts";
import { tryToLead } from "./switchover.ts";

export interface ServiceDeps {
  config: XenonConfig;
  node: XenonNode<MysqlHandle>;
  recorder: FlightRecorder;
  /** Position format of the local server. */
  flavor: PositionFlavor;
  poller: MysqlPoller;
  /** The latest MySQL sample (null while dead). */
  lastStatus(): MysqlStatus | null;
  /** How long a failover to this node would take now; null on the leader. */
  failoverForecast(): FailoverForecast | null;
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
const ok = (reason: string): ActionResult => ({ ok: true, reason });

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
    method(name, nodesChange, (r, context) => changeMembers(node, name, kind, r, context));
  membership("NodeRPC.AddNodes", "addPeer");
  membership("NodeRPC.AddIdleNodes", "addIdlePeer");
  membership("NodeRPC.RemoveNodes", "removePeer");
  membership("NodeRPC.RemoveIdleNodes", "removeIdlePeer");
  method("ServerRPC.Ping", empty, () => ok("pong"));
  method("ServerRPC.Status", empty, () => serverStatus(d.config, d.startedAt));
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
  method(
    "HARPC.HATryToLeader",
    tryToLeadRequest,
    (r) => tryToLead(node, d.poller, r.wait === true),
  );
  method(
    "MysqlRPC.Status",
    empty,
    () => mysqlStatus(d.lastStatus(), d.poller.downs, d.failoverForecast()?.seconds ?? null),
  );
  method("MysqlRPC.SetGlobalSysVar", sysvarRequest, async (r) => {
    const item = parseSetGlobal(r.varSql);
    if (isAgentOwnedSysvar(item.name)) throw new XenonError(agentOwnedRefusal(item.name));
    await node.maintenance(async (db) => applySysvars(await db.get(), [item]));
    return ok(`SET GLOBAL ${item.name} = ${item.value}`);
  });
  method("MysqldRPC.Status", empty, () => mysqldStatus(d.monitor, d.backup));
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
    forecast: d.failoverForecast(),
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
