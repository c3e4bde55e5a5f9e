/** `mysql ...` against stub daemons: local actions, bounded shutdown, status JSON, user commands. */
import assert from "node:assert/strict";
import { cli } from "./_cli.ts";
import {
  healthyButOneDown,
  MYSQLD_RUNNING,
  mysqlStatus,
  nodesResult,
  type StubCluster,
  withStubCluster,
} from "./_stub.ts";

const run = (c: StubCluster, argv: string[], stdin?: string) =>
  cli(["-c", c.configPath, "--timeout", "500ms", ...argv], { stdin });

Deno.test("mysql startmonitor/stopmonitor/start/kill/sysvar act on self", async () => {
  await withStubCluster(async (c) => {
    const cases: [string[], string][] = [
      [["mysql", "startmonitor"], "MysqldRPC.StartMonitor"],
      [["mysql", "stopmonitor"], "MysqldRPC.StopMonitor"],
      [["mysql", "start"], "MysqldRPC.Start"],
      [["mysql", "kill"], "MysqldRPC.Kill"],
      [["mysql", "sysvar", "SET GLOBAL max_connections=500"], "MysqlRPC.SetGlobalSysVar"],
    ];
    for (const [argv, method] of cases) {
      (c.a.answers as Record<string, unknown>)[method] = { ok: true, reason: `did ${method}` };
      const { code, out, err } = await run(c, argv);
      assert.equal(code, 0, err);
      assert.equal(out, `${c.a.endpoint}: did ${method}`);
    }
    assert.deepEqual(c.a.calls.at(-1)?.request, { varSql: "SET GLOBAL max_connections=500" });
  });
});

Deno.test("mysql sysvar refuses anything but SET GLOBAL before calling the daemon", async () => {
  await withStubCluster(async (c) => {
    for (const sql of ["SET SESSION x=1", "DROP TABLE t", "SET GLOBAL"]) {
      const { code, err } = await run(c, ["mysql", "sysvar", sql]);
      assert.equal(code, 2, sql);
      assert.match(err, /is not a SET GLOBAL statement/);
    }
    assert.equal(c.a.calls.length, 0);
  });
});

Deno.test("mysql sysvar refuses the variables xenon sets itself, one line each", async () => {
  await withStubCluster(async (c) => {
    for (
      const [sql, name] of [
        ["SET GLOBAL rpl_semi_sync_master_enabled=OFF", "rpl_semi_sync_master_enabled"],
        ["set global Read_Only = 0", "Read_Only"],
        ["SET GLOBAL gtid_slave_pos=''", "gtid_slave_pos"],
      ]
    ) {
      const { code, err } = await run(c, ["mysql", "sysvar", sql]);
      assert.equal(code, 2, sql);
      assert.equal(
        err,
        `error: ${name} is set by xenon itself on every role change (read-only, semi-sync and GTID ` +
          "settings carry its failover guarantees), so mysql sysvar may not change it",
      );
    }
    assert.equal(c.a.calls.length, 0);
  });
});

Deno.test("mysql shutdown waits until mysqld stops, saying what it waits for", async () => {
  await withStubCluster(async (c) => {
    let polls = 0;
    c.a.answers["MysqldRPC.ShutDown"] = { ok: true, reason: "shutdown started" };
    c.a.answers["MysqldRPC.IsRunning"] = () => ({ running: ++polls < 3 });
    const { code, out } = await run(c, ["mysql", "shutdown"]);
    assert.equal(code, 0);
    assert.equal(
      out,
      [
        `${c.a.endpoint}: shutdown started`,
        "waiting up to 6 s for mysqld to stop (asking xenon if it still runs)",
        `${c.a.endpoint}: mysqld stopped`,
      ].join("\n"),
    );
    assert.equal(polls, 3);
    polls = 0;
    const json = await run(c, ["--json", "mysql", "shutdown"]);
    assert.deepEqual(JSON.parse(json.out), {
      endpoint: c.a.endpoint,
      ok: true,
      reason: "shutdown started",
      stopped: true,
    });
  });
});

Deno.test("mysql shutdown gives up after 12 timeouts in one line", async () => {
  await withStubCluster(async (c) => {
    c.a.answers["MysqldRPC.ShutDown"] = { ok: true, reason: "" };
    c.a.answers["MysqldRPC.IsRunning"] = { running: true };
    const started = Date.now();
    const { code, err } = await cli(
      ["-c", c.configPath, "--timeout", "100ms", "mysql", "shutdown"],
    );
    assert.equal(code, 1);
    assert.equal(
      err,
      `error: mysqld on ${c.a.endpoint} still runs after 1.2 s; see its error log, or wait longer with a larger --timeout`,
    );
    assert.ok(Date.now() - started < 5000);
  });
});

Deno.test("mysql status: the original's JSON keys", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.a.answers["MysqldRPC.IsRunning"] = { running: true };
    const { code, stdout } = await run(c, ["mysql", "status"]);
    assert.equal(code, 0);
    assert.equal(
      stdout,
      JSON.stringify({
        slave_io_running: true,
        slave_sql_running: true,
        mysqld_running: true,
        mysql_working: true,
        seconds_behind_master: "0",
        last_error: "",
        monitor: "ON",
      }),
    );
    c.a.answers["MysqldRPC.IsRunning"] = { running: false };
    c.a.answers["MysqldRPC.Status"] = { ...MYSQLD_RUNNING, mysqldInfo: "NOTRUNNING" };
    const down = JSON.parse((await run(c, ["mysql", "status"])).stdout);
    assert.equal(down.mysqld_running, false);
    assert.equal(down.mysql_working, false);
    assert.equal(down.slave_io_running, false);
  });
});

Deno.test("user commands go to the leader; '-' reads the password from stdin", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const ok = { ok: true, reason: "done" };
    Object.assign(c.b.answers, {
      "UserRPC.CreateNormalUser": ok,
      "UserRPC.CreateSuperUser": ok,
      "UserRPC.CreateUserWithPrivileges": ok,
      "UserRPC.DropUser": ok,
      "UserRPC.ChangePasword": ok,
      "UserRPC.GetUser": {
        users: [{ user: "app", host: "%", superPriv: "N" }, {
          user: "root",
          host: "localhost",
          superPriv: "Y",
        }],
      },
    });
    const last = () => c.b.calls.at(-1);

    assert.equal(
      (await run(c, ["mysql", "createuser", "app", "%", "app-pass-1234", "yes"])).code,
      0,
    );
    assert.deepEqual(last(), {
      method: "UserRPC.CreateNormalUser",
      request: { user: "app", host: "%", passwd: "app-pass-1234", ssl: "YES" },
    });

    const piped = await run(
      c,
      ["mysql", "createsuperuser", "dba", "10.%", "-", "NO"],
      "from-stdin-pw-77\n",
    );
    assert.equal(piped.code, 0, piped.err);
    assert.deepEqual(last()?.request, {
      user: "dba",
      host: "10.%",
      passwd: "from-stdin-pw-77",
      ssl: "NO",
    });

    const grants = await run(c, [
      "mysql",
      "createuserwithgrants",
      "--user",
      "ro",
      "--passwd",
      "-",
      "--database",
      "shop",
      "--table",
      "",
      "--host",
      "",
      "--privs",
      "SELECT,SHOW VIEW",
    ], "ro-password-55");
    assert.equal(grants.code, 0, grants.err);
    assert.deepEqual(last()?.request, {
      user: "ro",
      host: "%",
      passwd: "ro-password-55",
      database: "shop",
      table: "*",
      privileges: "SELECT,SHOW VIEW",
      ssl: "NO",
    });

    assert.equal((await run(c, ["mysql", "dropuser", "app", "%"])).code, 0);
    assert.deepEqual(last()?.request, { user: "app", host: "%" });
    assert.equal(
      (await run(c, ["mysql", "changepassword", "app", "%", "-"], "new-pass-2222\n")).code,
      0,
    );
    assert.deepEqual(last()?.request, { user: "app", host: "%", passwd: "new-pass-2222" });

    const users = await run(c, ["mysql", "getuser"]);
    assert.equal(
      users.stdout,
      JSON.stringify([
        { User: "app", Host: "%", SuperPriv: "N" },
        { User: "root", Host: "localhost", SuperPriv: "Y" },
      ]) + "\n",
    );
    assert.equal(c.a.calls.filter((x) => x.method.startsWith("UserRPC.")).length, 0);
  });
});

Deno.test("user commands: no leader, bad ssl, empty stdin, refusal without the password", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.b.answers["UserRPC.CreateNormalUser"] = { ok: false, reason: "user app@% exists" };
    const refused = await run(c, ["mysql", "createuser", "app", "%", "secret-pass-99", "NO"]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.err,
      `error: xenon at ${c.b.endpoint} refused to create the user: user app@% exists`,
    );
    assert.doesNotMatch(refused.err + refused.out, /secret-pass-99/);

    assert.equal((await run(c, ["mysql", "createuser", "app", "%", "pw-x", "MAYBE"])).code, 2);
    const empty = await run(c, ["mysql", "createuser", "app", "%", "-", "NO"], "");
    assert.equal(empty.code, 2);
    assert.match(empty.err, /standard input is empty/);

    const peers = [c.a.endpoint, c.b.endpoint];
    c.b.answers["NodeRPC.GetNodes"] = nodesResult("FOLLOWER", "", peers);
    const none = await run(c, ["mysql", "getuser"]);
    assert.equal(none.code, 1);
    assert.equal(
      none.err,
      "error: no leader in the cluster: user commands run on the leader; see 'xenon cluster status'",
    );
  });
});

Deno.test("mysql doctor with the daemon down and no --voters says how to go on", async () => {
  await withStubCluster(async (c) => {
    const { code, err } = await run(c, ["--endpoint", c.c, "mysql", "doctor"]);
    assert.equal(code, 1);
    assert.equal(
      err,
      `error: cannot reach xenon at ${c.c}: connection refused — is 'xenon serve' running? see its log; or give the voter count with --voters N`,
    );
    const bad = await run(c, ["mysql", "doctor", "--voters", "three"]);
    assert.equal(bad.code, 2);
  });
});

Deno.test("mysql doctor with --voters and MySQL down: one line naming the server", async () => {
  await withStubCluster(async (c) => {
    const text = await Deno.readTextFile(c.configPath);
    const port = Number(c.c.split(":")[1]);
    await Deno.writeTextFile(
      c.configPath,
      JSON.stringify({ ...JSON.parse(text), mysql: { host: "127.0.0.1", port } }),
    );
    const { code, err } = await run(c, ["mysql", "doctor", "--voters", "3"]);
    assert.equal(code, 1);
    assert.equal(err.split("\n").length, 1);
    assert.match(err, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });
});

Deno.test("the replication status of a node whose MySQL is down", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.a.answers["MysqlRPC.Status"] = {
      ...mysqlStatus("", { executed: "", retrieved: "" }, false),
      status: "DEAD",
    };
    const { out } = await cli(["-c", c.configPath, "cluster", "status"]);
    assert.match(
      out,
      new RegExp(
        `\\| ${c.a.endpoint.replaceAll(".", "\\.")} .*\\| \\[DEAD\\] +\\| \\[false/false\\] `,
      ),
    );
  });
});
