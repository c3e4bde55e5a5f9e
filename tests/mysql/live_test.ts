/**
 * Every operation against a live two-node MariaDB cluster (node 0 primary, node 1 replica),
 * shared across steps to keep the suite fast.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import {
  type MariaDBInstance,
  REPL_PASSWORD,
  REPL_USER,
  ROOT_PASSWORD,
  startCluster,
} from "../harness/mod.ts";
import { PositionError } from "../../src/gtid/mod.ts";
import {
  applySysvars,
  catchUp,
  changeMaster,
  changePassword,
  checkErrant,
  createNormalUser,
  createSuperUser,
  createUserWithGrants,
  dropUser,
  ensureReplicationUser,
  fence,
  listUsers,
  measureApply,
  MysqlError,
  MysqlTimeoutError,
  MysqlUnavailableError,
  openMysql,
  ping,
  purgeBinlogs,
  readStatus,
  runDoctor,
  setLeaderSemiSync,
  setReadOnly,
  startIo,
  stopIo,
} from "../../src/mysql/mod.ts";

function optionsOf(node: MariaDBInstance, user = "root", password = ROOT_PASSWORD) {
  return { host: node.host, port: node.port, user, password, connectTimeoutMs: 2000 };
}

async function statusVar(node: MariaDBInstance, name: string): Promise<number> {
  const rows = await node.query("SHOW GLOBAL STATUS LIKE ?", [name]);
  return Number(rows[0]?.Value);
}

/** Runs `sql` as `user` on a one-shot connection; resolves to the error code or "ok". */
async function tryAs(node: MariaDBInstance, user: string, password: string, sql: string) {
  const conn = await mysql.createConnection({ host: node.host, port: node.port, user, password });
  try {
    await conn.query(sql);
    return "ok";
  } catch (error) {
    return String((error as { code?: string }).code);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

Deno.test("mysql operations against live MariaDB", async (t) => {
  await using cluster = await startCluster(2);
  await cluster.replicate();
  const [n0, n1] = cluster.nodes;
  await n0.query("CREATE DATABASE app");
  await n0.query("CREATE TABLE app.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
  await n0.query("CREATE TABLE app.u (id INT PRIMARY KEY)");
  await using primary = await openMysql(optionsOf(n0), { version: "mariadb" });
  await using replica = await openMysql(optionsOf(n1), { version: "mysql57" });

  await t.step("flavor is detected from the server and a config mismatch reported", () => {
    assert.equal(primary.flavor.id, "mariadb");
    assert.equal(primary.mismatch, undefined);
    assert.equal(replica.flavor.id, "mariadb");
    assert.match(replica.mismatch ?? "", /mysql\.version is mysql57 but the server is 10\.11/);
  });

  await t.step("status reports threads and positions", async () => {
    const p = await readStatus(primary);
    assert.equal(p.readOnly, false);
    assert.equal(p.replica, null);
    assert.match(p.positions.executed, /^0-1-\d+$/);
    const r = await readStatus(replica);
    assert.equal(r.readOnly, true);
    assert.equal(r.replica?.ioRunning, true);
    assert.equal(r.replica?.sqlRunning, true);
    assert.equal(r.replica?.sourcePort, n0.port);
    const alive = await ping(optionsOf(n1));
    assert.equal(alive.alive, true);
  });

  await t.step(
    "read-only blocks an ordinary user's write and reports exempt accounts",
    async () => {
      await createNormalUser(primary, { user: "app", host: "%", password: "app-pw", ssl: "NO" });
      const ro = await setReadOnly(primary, true);
      assert.ok(ro.exempt.includes("'root'@'%'"), ro.exempt.join());
      assert.equal(
        await tryAs(n0, "app", "app-pw", "INSERT INTO app.t (v) VALUES (1)"),
        "ER_OPTION_PREVENTS_STATEMENT",
      );
      await setReadOnly(primary, false);
      assert.equal(await tryAs(n0, "app", "app-pw", "INSERT INTO app.t (v) VALUES (1)"), "ok");
    },
  );

  await t.step("sysvar profile with a bad item reports it and applies the rest", async () => {
    await assert.rejects(
      applySysvars(primary, "max_connections=60;no_such_variable=1;sync_binlog=1"),
      (e: Error) => {
        assert.ok(e instanceof MysqlError);
        assert.match(
          e.message,
          /1 of 3 failed \(no_such_variable=1: Unknown system variable 'no_such_variable'\); the other 2 applied/,
        );
        return true;
      },
    );
    const [row] = await n0.query("SELECT @@GLOBAL.max_connections AS c, @@GLOBAL.sync_binlog AS s");
    assert.deepEqual([Number(row.c), Number(row.s)], [60, 1]);
    await applySysvars(primary, "max_connections=50;sync_binlog=0");
  });

  await t.step("change master makes the replica follow and semi-sync acknowledges", async () => {
    const leader = await setLeaderSemiSync(primary, { voters: 3 });
    assert.deepEqual(leader, { required: 1, applied: 1 });
    await changeMaster(replica, {
      host: n0.host,
      port: n0.port,
      user: REPL_USER,
      password: REPL_PASSWORD,
    });
    const deadline = Date.now() + 10_000;
    while (await statusVar(n0, "Rpl_semi_sync_master_clients") < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const acked = await statusVar(n0, "Rpl_semi_sync_master_yes_tx");
    await n0.query("INSERT INTO app.t (v) VALUES (2)");
    assert.equal(await statusVar(n0, "Rpl_semi_sync_master_yes_tx"), acked + 1);
    const r = await catchUp(replica, { deadlineMs: 5000 });
    assert.equal(r.reached, true);
    const [row] = await n1.query("SELECT COUNT(*) AS c FROM app.t WHERE v = 2");
    assert.equal(Number(row.c), 1);
  });

  await t.step("the apply rate is measured while writes arrive, the backlog read", async () => {
    const writes = (async () => {
      for (let i = 0; i < 40; i++) await n0.query(`INSERT INTO app.t (v) VALUES (${100 + i})`);
    })();
    const apply = await measureApply(replica, 400);
    await writes;
    assert.ok(apply.applyRate !== null && apply.applyRate > 0, `rate ${apply.applyRate}`);
    assert.ok(apply.backlogTransactions !== null && apply.backlogTransactions >= 0);
    await catchUp(replica, { deadlineMs: 5000 });
    // Within one source binlog (a replica keeping up) the byte backlog is known: 0 once applied.
    assert.equal((await readStatus(replica)).replica?.backlogBytes, 0);
  });

  await t.step(
    "catch-up returns when applied and times out when the SQL thread is stopped",
    async () => {
      await n1.query("STOP SLAVE SQL_THREAD");
      await n0.query("INSERT INTO app.t (v) VALUES (3)");
      const late = await catchUp(replica, { deadlineMs: 500 });
      assert.equal(late.reached, false);
      assert.match(late.reason ?? "", /within 500 ms \(the SQL thread is stopped\)/);
      assert.ok(late.waitedMs >= 450 && late.waitedMs < 2500, `waited ${late.waitedMs} ms`);
      // In slices, the stopped thread and its backlog show between waits; false ends the wait.
      const seen: { sqlRunning: boolean; backlog: number | null }[] = [];
      const ended = await catchUp(replica, {
        deadlineMs: 5000,
        reportEveryMs: 200,
        onProgress: (s) => {
          seen.push({
            sqlRunning: s.replica?.sqlRunning ?? true,
            backlog: s.replica?.backlogTransactions ?? null,
          });
          return seen.length < 2;
        },
      });
      assert.deepEqual(seen, [{ sqlRunning: false, backlog: 1 }, {
        sqlRunning: false,
        backlog: 1,
      }]);
      assert.equal(ended.reason, "no longer needed");
      assert.ok(ended.waitedMs < 2000, `waited ${ended.waitedMs} ms`);
      await n1.query("START SLAVE SQL_THREAD");
      const done = await catchUp(replica, { deadlineMs: 5000 });
      assert.equal(done.reached, true);
      console.log(
        `catch-up: timed out after ${late.waitedMs} ms, caught up in ${done.waitedMs} ms`,
      );
      await stopIo(replica);
      await startIo(replica);
    },
  );

  await t.step("errant GTID is detected after a write on the replica", async () => {
    const leaderPos = (await readStatus(primary)).positions.executed;
    assert.deepEqual(await checkErrant(replica, leaderPos), { errant: false, detail: "" });
    // Another domain, so replication of domain 0 keeps working for the next steps.
    const conn = await n1.connect();
    try {
      await conn.query("SET SESSION gtid_domain_id = 9");
      await conn.query("INSERT INTO app.t (v) VALUES (99)");
    } finally {
      await conn.end();
    }
    const errant = await checkErrant(replica, (await readStatus(primary)).positions.executed);
    assert.equal(errant.errant, true);
    assert.match(errant.detail, /domain 9: 9-2-1 vs leader \(none\) \(ahead\)/);
    await assert.rejects(checkErrant(replica, "0-1-x"), PositionError);
  });

  await t.step("fence kills a client holding an open transaction within its bound", async () => {
    const app = await mysql.createConnection({
      host: n0.host,
      port: n0.port,
      user: "app",
      password: "app-pw",
    });
    app.on("error", () => {});
    try {
      await app.query("BEGIN");
      await app.query("INSERT INTO app.t (v) VALUES (4)");
      const appId = app.threadId;
      // A table lock makes SET GLOBAL read_only wait: fence must kill the holder to finish.
      const locker = await mysql.createConnection({
        host: n0.host,
        port: n0.port,
        user: "app",
        password: "app-pw",
      });
      locker.on("error", () => {});
      await locker.query("LOCK TABLES app.u WRITE");
      const result = await fence(primary, { budgetMs: 3000 }).finally(() => locker.destroy());
      assert.ok(result.killed.some((k) => k.id === locker.threadId));
      console.log(
        `fence: ${result.elapsedMs} ms, killed ${result.killed.map((k) => `${k.user}#${k.id}`)}`,
      );
      assert.ok(result.killed.some((k) => k.id === appId));
      assert.ok(result.elapsedMs < 3000);
      assert.equal((await readStatus(primary)).readOnly, true);
      await assert.rejects(app.query("SELECT 1"));
      const [row] = await n0.query("SELECT COUNT(*) AS c FROM app.t WHERE v = 4");
      assert.equal(Number(row.c), 0, "the open transaction was rolled back");
      assert.equal((await readStatus(replica)).replica?.ioRunning, true, "replication survived");
    } finally {
      app.destroy();
      await setReadOnly(primary, false);
    }
  });

  await t.step("user commands escape every value and validate privileges", async () => {
    await createSuperUser(primary, { user: "dba", host: "127.0.0.1", password: "d'ba", ssl: "NO" });
    await createUserWithGrants(primary, {
      user: "x'; DROP DATABASE app; --",
      host: "",
      password: "p",
      ssl: "NO",
      database: "app",
      table: "",
      privileges: "select,insert,",
    });
    const users = await listUsers(primary);
    assert.ok(users.some((u) => u.User === "dba" && u.SuperPriv === "Y"));
    assert.ok(users.some((u) => u.User === "x'; DROP DATABASE app; --" && u.Host === "%"));
    await changePassword(primary, { user: "dba", host: "127.0.0.1", password: "new\\pw" });
    assert.equal(await tryAs(n0, "dba", "new\\pw", "SELECT 1"), "ok");
    await dropUser(primary, "dba", "127.0.0.1");
    await dropUser(primary, "x'; DROP DATABASE app; --", "%");
    await assert.rejects(
      createUserWithGrants(primary, {
        user: "y",
        host: "%",
        password: "p",
        ssl: "NO",
        database: "",
        table: "",
        privileges: "SUPER",
      }),
      /privilege "SUPER" not allowed/,
    );
    await assert.rejects(
      createSuperUser(primary, { user: "y", host: "%", password: "p", ssl: "maybe" }),
      /ssl must be YES or NO/,
    );
    assert.equal((await n0.query("SHOW DATABASES LIKE 'app'")).length, 1);
  });

  await t.step("replication user is created without touching the binlog", async () => {
    const before = (await readStatus(primary)).positions.binlog;
    assert.equal(await ensureReplicationUser(primary, { user: "repl2", password: "r'2" }), true);
    assert.equal(await ensureReplicationUser(primary, { user: "repl2", password: "r'2" }), false);
    assert.equal((await readStatus(primary)).positions.binlog, before);
    const [row] = await n0.query("SELECT @@SESSION.sql_log_bin AS b");
    assert.equal(Number(row.b), 1);
    const [own] = await primary.session.query("SELECT @@SESSION.sql_log_bin AS b");
    assert.equal(Number(own.b), 1, "the pinned session has the binlog back on");
  });

  await t.step("purge keeps what every member still needs", async () => {
    await n0.query("FLUSH BINARY LOGS");
    await n0.query("FLUSH BINARY LOGS");
    await n0.query("INSERT INTO app.t (v) VALUES (5)");
    await catchUp(replica, { deadlineMs: 5000 });
    const needed = (await readStatus(replica)).replica?.relaySourceLogFile ?? "";
    const purged = await purgeBinlogs(primary, [needed]);
    assert.equal(purged, needed);
    const logs = (await n0.query("SHOW BINARY LOGS")).map((r) => String(r.Log_name));
    assert.equal(logs[0], needed);
    assert.equal(await purgeBinlogs(primary, [needed, ""]), null);
  });

  await t.step("a timed-out statement is killed on the server", async () => {
    const started = performance.now();
    await assert.rejects(
      primary.session.query("SELECT SLEEP(20)", { timeoutMs: 300 }),
      MysqlTimeoutError,
    );
    assert.ok(performance.now() - started < 3000);
    const left = await n0.query(
      "SELECT COUNT(*) AS c FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(20)%'",
    );
    assert.equal(Number(left[0].c), 0);
    assert.equal(primary.session.usable, true);
    await primary.session.query("SELECT 1");
  });

  await t.step(
    "faults give one clear line: wrong password, server down, unknown sysvar",
    async () => {
      await assert.rejects(openMysql(optionsOf(n0, "root", "wrong-secret-pw")), (e: Error) => {
        assert.ok(e instanceof MysqlUnavailableError);
        assert.match(e.message, /access denied.*check the admin user and password/);
        assert.ok(!e.message.includes("wrong-secret-pw") && !e.message.includes("\n"));
        return true;
      });
      await assert.rejects(openMysql({ ...optionsOf(n0), port: 1 }), (e: Error) => {
        assert.ok(e instanceof MysqlUnavailableError);
        assert.match(e.message, /^MySQL 127\.0\.0\.1:1: server not reachable \(ECONNREFUSED/);
        return true;
      });
      const down = await ping({ ...optionsOf(n0), port: 1 });
      assert.equal(down.alive, false);
      await assert.rejects(
        applySysvars(primary, "nope_var=1"),
        /nope_var=1: Unknown system variable/,
      );
      await assert.rejects(
        applySysvars(primary, "bad name=1"),
        /system variable name "bad name" is not valid/,
      );
    },
  );

  await t.step(
    "doctor names AFTER_COMMIT and sync_binlog=0 at defaults, lossless once fixed",
    async () => {
      await n0.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_COMMIT'");
      await n0.query("SET GLOBAL rpl_semi_sync_master_timeout = 10000");
      await n0.query("SET GLOBAL sync_binlog = 0");
      const before = await runDoctor(primary, { voters: 3, defaultsFile: n0.cnfPath });
      const settings = before.findings.map((f) => `${f.setting}=${f.actual}`);
      assert.ok(settings.includes("rpl_semi_sync_master_wait_point=AFTER_COMMIT"), settings.join());
      assert.ok(settings.includes("sync_binlog=0"), settings.join());
      assert.equal(before.lossless, false);
      console.log(`doctor before: ${before.guarantee}`);
      await n0.query("SET GLOBAL sync_binlog = 1");
      await setLeaderSemiSync(primary, { voters: 3 });
      const after = await runDoctor(primary, { voters: 3 });
      assert.equal(after.guarantee, "acknowledged writes survive the loss of any 1 of 3 nodes");
      console.log(`doctor after: ${after.guarantee}`);
    },
  );
});
