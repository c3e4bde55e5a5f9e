import { agentOwnedRefusal, isAgentOwnedSysvar } from "../../config/mod.ts";
import { UsageError, XenonError } from "../../lib/errors.ts";
import type { UserRequest } from "../../model/mod.ts";
import { action, targetOf } from "../action.ts";
import type { CliContext } from "../context.ts";
import { withDaemons } from "../daemons.ts";
import { doctor } from "../doctor.ts";
import { printAction } from "../output.ts";
import { runAndFollow } from "../rebuild_progress.ts";
import { PASSWORD_HELP, passwordFrom } from "../password.ts";
import type { GroupSpec, Handler } from "../spec.ts";

/** `mysql shutdown` waits this many `--timeout`s for mysqld to stop (60 s by default). */
const SHUTDOWN_WAIT_TIMEOUTS = 12;
const SHUTDOWN_POLL_MS = 1000;

/** `mysql shutdown`: a clean shutdown, then polls IsRunning until mysqld is gone (bounded). */
const shutdown: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const self = daemons.self;
    const result = await daemons.call(self, "MysqldRPC.ShutDown", {});
    if (!result.ok) return printAction(ctx, self, "shut mysqld down", result);
    const limitMs = ctx.timeoutMs * SHUTDOWN_WAIT_TIMEOUTS;
    if (!ctx.json) {
      ctx.out(`${self}: ${result.reason || "shutdown started"}`);
      ctx.out(
        `waiting up to ${limitMs / 1000} s for mysqld to stop (asking xenon if it still runs)`,
      );
    }
    const deadline = Date.now() + limitMs;
    while ((await daemons.call(self, "MysqldRPC.IsRunning", {})).running) {
      if (Date.now() >= deadline) {
        throw new XenonError(
          `mysqld on ${self} still runs after ${limitMs / 1000} s; see its error log, ` +
            "or wait longer with a larger --timeout",
        );
      }
      await new Promise((wake) => setTimeout(wake, Math.min(SHUTDOWN_POLL_MS, ctx.timeoutMs)));
    }
    ctx.out(
      ctx.json
        ? JSON.stringify({ endpoint: self, ...result, stopped: true })
        : `${self}: mysqld stopped`,
    );
    return 0;
  });

/** `mysql status`: the original's JSON keys (mysqld, replication threads, monitor). */
const status: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const self = daemons.self;
    const { running } = await daemons.call(self, "MysqldRPC.IsRunning", {});
    const mysql = running ? await daemons.call(self, "MysqlRPC.Status", {}) : undefined;
    const mysqld = await daemons.call(self, "MysqldRPC.Status", {});
    const r = mysql?.replication;
    ctx.write(JSON.stringify({
      slave_io_running: r?.slaveIoRunning ?? false,
      slave_sql_running: r?.slaveSqlRunning ?? false,
      mysqld_running: running,
      mysql_working: mysql?.status === "ALIVE",
      seconds_behind_master: r?.secondsBehindMaster ?? "",
      last_error: r?.lastError ?? "",
      monitor: mysqld.monitorInfo,
    }));
    return 0;
  });

function checkSysvar(_ctx: CliContext, [sql]: string[]): { varSql: string } {
  const statement = /^\s*SET\s+GLOBAL\s+(?=\S)(\w*)/i.exec(sql);
  if (!statement) {
    throw new UsageError(
      `"${sql}" is not a SET GLOBAL statement; expected e.g. "SET GLOBAL max_connections=500"`,
    );
  }
  // The daemon refuses these too (for older CLIs and the HTTP API); refusing here saves a call.
  if (isAgentOwnedSysvar(statement[1])) {
    throw new UsageError(agentOwnedRefusal(statement[1]));
  }
  return { varSql: sql.trim() };
}

function ssl(value: unknown): "YES" | "NO" {
  const v = String(value ?? "NO").trim().toUpperCase();
  if (v !== "YES" && v !== "NO") throw new UsageError(`ssl: "${value}" is not YES or NO`);
  return v;
}

/** createuser/createsuperuser `<user> <host> <password> <ssl>`. */
async function newUser(ctx: CliContext, [user, host, password, sslArg]: string[]) {
  return { user, host, passwd: await passwordFrom(ctx, password, "password"), ssl: ssl(sslArg) };
}

async function userWithGrants(
  ctx: CliContext,
  _args: string[],
  o: Record<string, unknown>,
): Promise<UserRequest> {
  const text = (name: string) => typeof o[name] === "string" ? (o[name] as string).trim() : "";
  if (!text("user")) throw new UsageError("--user is missing: the user to create");
  if (!text("privs")) throw new UsageError("--privs is missing: e.g. --privs SELECT,INSERT");
  return {
    user: text("user"),
    host: text("host") || "%",
    passwd: await passwordFrom(ctx, text("passwd"), "--passwd"),
    database: text("database") || "*",
    table: text("table") || "*",
    privileges: text("privs"),
    ssl: ssl(o.ssl),
  };
}

/** `mysql getuser`: the leader's users as the original's JSON `[{"User","Host","SuperPriv"}]`. */
const getUser: Handler = (ctx) =>
  withDaemons(ctx, async (daemons) => {
    const leader = await targetOf(daemons, "leader");
    const { users } = await daemons.call(leader, "UserRPC.GetUser", {});
    ctx.out(
      JSON.stringify(users.map((u) => ({ User: u.user, Host: u.host, SuperPriv: u.superPriv }))),
    );
    return 0;
  });

function donorOption(o: Record<string, unknown>): { from?: string } {
  return typeof o.from === "string" && o.from.trim() !== "" ? { from: o.from.trim() } : {};
}

/** `xenon mysql ...`: the local mysqld, users (through the leader), backup and rebuild. */
export const mysqlCommands: GroupSpec = {
  name: "mysql",
  description: "the local mysqld, MySQL users (through the leader), backup and rebuild",
  commands: [
    {
      usage: "startmonitor",
      description: "start supervising the local mysqld (restart it when it dies)",
      run: action({ method: "MysqldRPC.StartMonitor", what: "start the mysqld monitor" }),
    },
    {
      usage: "stopmonitor",
      description: "stop supervising the local mysqld",
      run: action({ method: "MysqldRPC.StopMonitor", what: "stop the mysqld monitor" }),
    },
    {
      usage: "start",
      description: "start the local mysqld through mysqld_safe",
      run: action({ method: "MysqldRPC.Start", what: "start mysqld" }),
    },
    {
      usage: "shutdown",
      description:
        `shut the local mysqld down cleanly and wait until it is stopped (up to ${SHUTDOWN_WAIT_TIMEOUTS}× --timeout)`,
      run: shutdown,
    },
    {
      usage: "kill",
      description: "kill the local mysqld_safe and mysqld (careful: no clean shutdown)",
      run: action({ method: "MysqldRPC.Kill", what: "kill mysqld" }),
    },
    {
      usage: "status",
      description: "the local mysqld's replication and supervision status, as JSON",
      run: status,
    },
    {
      usage: "sysvar <sql>",
      description: 'run one "SET GLOBAL name=value" on the local MySQL',
      run: action({
        method: "MysqlRPC.SetGlobalSysVar",
        what: "set the variable",
        request: checkSysvar,
      }),
    },
    {
      usage: "doctor",
      description:
        "check the local durability settings and state the guarantee they give (connects to " +
        "the local MySQL itself; exit 1 when acknowledged writes can be lost)",
      options: [{
        flags: "--voters <n>",
        description: "voter count to check against (default: asked from the local xenon)",
      }],
      run: doctor,
    },
    {
      usage: "createuser <user> <host> <password> <ssl>",
      description:
        `create a user with the usual application grants, on the leader; ssl is YES or NO; password: ${PASSWORD_HELP}`,
      run: action({
        method: "UserRPC.CreateNormalUser",
        what: "create the user",
        target: "leader",
        request: newUser,
      }),
    },
    {
      usage: "createsuperuser <user> <host> <password> <ssl>",
      description:
        `create a user with ALL PRIVILEGES WITH GRANT OPTION, on the leader; ssl is YES or NO; password: ${PASSWORD_HELP}`,
      run: action({
        method: "UserRPC.CreateSuperUser",
        what: "create the super user",
        target: "leader",
        request: newUser,
      }),
    },
    {
      usage: "createuserwithgrants",
      description: "create a user with the listed privileges on one database/table, on the leader",
      options: [
        { flags: "--user <user>", description: "user name" },
        { flags: "--passwd <password>", description: PASSWORD_HELP },
        {
          flags: "--database <db>",
          description: "database, * or empty for all",
          defaultValue: "*",
        },
        { flags: "--table <table>", description: "table, * or empty for all", defaultValue: "*" },
        { flags: "--host <host>", description: "host, empty for %", defaultValue: "%" },
        { flags: "--privs <privs>", description: "comma-separated privileges, e.g. SELECT,INSERT" },
        { flags: "--ssl <YES|NO>", description: "require X509", defaultValue: "NO" },
      ],
      run: action({
        method: "UserRPC.CreateUserWithPrivileges",
        what: "create the user",
        target: "leader",
        request: userWithGrants,
      }),
    },
    {
      usage: "dropuser <user> <host>",
      description: "drop a user, on the leader",
      run: action({
        method: "UserRPC.DropUser",
        what: "drop the user",
        target: "leader",
        request: (_ctx, [user, host]) => ({ user, host }),
      }),
    },
    {
      usage: "changepassword <user> <host> <password>",
      description: `change a user's password, on the leader; password: ${PASSWORD_HELP}`,
      run: action({
        method: "UserRPC.ChangePasword",
        what: "change the password",
        target: "leader",
        request: async (ctx, [user, host, password]) => ({
          user,
          host,
          passwd: await passwordFrom(ctx, password, "password"),
        }),
      }),
    },
    {
      usage: "getuser",
      description: "list the leader's users with their SUPER privilege, as JSON",
      run: getUser,
    },
    {
      usage: "backup",
      description:
        "stream a hot backup from the best replica (or --from) into a local directory and prepare it",
      options: [
        { flags: "--to <dir>", description: "new or empty local directory to receive the backup" },
        { flags: "--from <endpoint>", description: "donor HOST:PORT instead of the best replica" },
        { flags: "--detach", description: "start it and return; rebuildstatus re-attaches" },
      ],
      run: (ctx, _args, o) => {
        if (typeof o.to !== "string" || o.to.trim() === "") {
          throw new UsageError("--to is missing: the local directory to receive the backup");
        }
        return runAndFollow(ctx, { to: o.to.trim(), ...donorOption(o) }, o.detach === true);
      },
    },
    {
      usage: "cancelbackup",
      description:
        "cancel the running backup where it streams (the donor): the whole process tree ends",
      run: action({ method: "BackupRPC.CancelBackup", what: "cancel the backup" }),
    },
    {
      usage: "rebuildme",
      description:
        "rebuild this replica from the best live peer (hot backup over ssh), then rejoin; run by " +
        "the local daemon, which finishes an interrupted rebuild when it is run again",
      options: [
        { flags: "--from <endpoint>", description: "donor HOST:PORT instead of the best replica" },
        {
          flags: "--force",
          description:
            "rebuild even with local transactions the donor lacks (the old datadir is kept aside)",
        },
        {
          flags: "--init-config",
          description: "without a my.cnf: write a minimal one from the donor's settings first",
        },
        { flags: "--detach", description: "start it and return; rebuildstatus re-attaches" },
      ],
      run: (ctx, _args, o) =>
        runAndFollow(
          ctx,
          { ...donorOption(o), force: o.force === true, initConfig: o.initConfig === true },
          o.detach === true,
        ),
    },
    {
      usage: "rebuildstatus",
      description: "follow the running (or show the last) rebuild or backup of this node",
      run: (ctx) => runAndFollow(ctx, null, false),
    },
  ],
};
