/**
 * mysqld supervision on a real instance: start, running, kill -9 and the monitor's restart,
 * graceful shutdown, `--init-rpl-role=SLAVE`, and never a password in any process's argv.
 */
import assert from "node:assert/strict";
import { ROOT_PASSWORD } from "../harness/mod.ts";
import { supervisedInstance, waitFor } from "./_supervised.ts";
import {
  installFamily,
  listPids,
  Mysqld,
  MysqldMonitor,
  readCmdline,
} from "../../src/mysqld/mod.ts";
import { mycnfValue, readOnlyStartOptions } from "../../src/mysql/mod.ts";
import { freePort } from "../harness/registry.ts";

/** Scans the cmdline of every process for `secret` every 10 ms until stopped; returns what it saw. */
function watchArgv(secret: string): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of listPids()) {
        const argv = readCmdline(pid);
        if (argv?.some((a) => a.includes(secret))) seen.push(argv.join(" "));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

Deno.test("mysqld supervision on a real instance", async (t) => {
  await using supervised = await supervisedInstance();
  const { node, mysqld, ready } = supervised;
  const watcher = watchArgv(ROOT_PASSWORD);
  // A process that merely mentions the defaults file (like a backup tool) is not the server.
  const decoyChild = new Deno.Command("/bin/sh", {
    args: ["-c", "sleep 60; :", "mariadb-backup", `--defaults-file=${node.cnfPath}`],
  }).spawn();
  /** SIGKILLs mysqld alone (as the OOM killer would) and waits for mysqld_safe's restart. */
  const killServerOnly = async () => {
    const before = mysqld.processes().server[0];
    Deno.kill(before, "SIGKILL");
    await waitFor("a new mysqld", () => {
      const now = mysqld.processes().server;
      return now.length === 1 && now[0] !== before;
    });
    await waitFor("mysqld accepting connections", ready);
  };
  const events: string[] = [];
  const monitor = new MysqldMonitor(mysqld, {
    intervalMs: 100,
    onEvent: (e) => events.push(JSON.stringify(e)),
  });
  try {
    await t.step("pid file path comes from the defaults file", () => {
      assert.equal(mysqld.pidFile(), node.pidFile);
      assert.equal(mysqld.isRunning(), false);
    });

    await t.step("start runs mysqld_safe detached and detects both processes", async () => {
      assert.equal(installFamily("/usr"), "mariadb");
      assert.equal(await mysqld.start(), true);
      const p = mysqld.processes();
      const argv = readCmdline(p.server[0]) ?? [];
      for (const o of readOnlyStartOptions("mariadb")) assert.ok(argv.includes(o), argv.join(" "));
      assert.equal(p.safe.length, 1);
      assert.equal(p.server.length, 1);
      assert.ok(!p.safe.includes(decoyChild.pid) && !p.server.includes(decoyChild.pid));
      assert.equal(await mysqld.start(), false, "already running: no second start");
      await waitFor("mysqld accepting connections", ready);
    });

    await t.step(
      "mysqld_safe brings a killed mysqld back read-only and not replicating, whatever my.cnf says",
      async () => {
        const cnf = await Deno.readTextFile(node.cnfPath);
        assert.equal(mycnfValue(cnf, "read_only"), undefined, "the my.cnf lacks read_only");
        assert.equal(mycnfValue(cnf, "skip_slave_start"), undefined);
        // A promoted leader that also had a replication source configured once.
        await node.query("SET GLOBAL read_only = 0");
        await node.query(
          "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ?, MASTER_USER = 'nobody'," +
            " MASTER_CONNECT_RETRY = 1, MASTER_USE_GTID = slave_pos",
          [freePort()],
        );
        await node.query("START SLAVE");
        await killServerOnly();
        const [row] = await node.query("SELECT @@GLOBAL.read_only AS ro");
        assert.equal(Number(row.ro), 1, "restarted read-only");
        const [replica] = await node.query("SHOW SLAVE STATUS");
        assert.equal(replica.Slave_IO_Running, "No", "replication not started by itself");
        await node.query("RESET SLAVE ALL");
      },
    );

    await t.step(
      "kill -9 of mysqld alone: mysqld_safe brings it back, monitor RUNNING",
      async () => {
        monitor.start();
        await waitFor("monitor RUNNING", () => monitor.status === "RUNNING");
        const before = mysqld.run();
        assert.ok(before !== null, "the running server's run is known");
        await killServerOnly();
        assert.equal(monitor.starts, 0);
        // What the poller hands the core: the restarted server is another run.
        const after = mysqld.run();
        assert.ok(after !== null && after.start !== before.start && after.boot === before.boot);
      },
    );

    await t.step("kill of both: the monitor restarts the dead mysqld", async () => {
      await mysqld.kill();
      assert.equal(mysqld.isRunning(), false);
      await waitFor(
        "monitor restart",
        () => monitor.starts === 1 && monitor.status === "RUNNING",
      ).catch((e) => {
        throw new Error(`${e.message}; events ${events.join(" ")}; status ${monitor.status}`);
      });
      await waitFor("mysqld accepting connections", ready);
      const rows = await node.query("SELECT 1 AS one");
      assert.equal(Number(rows[0].one), 1);
    });

    await t.step("graceful shutdown stops both and the monitor does not undo it", async () => {
      assert.equal(await mysqld.shutdown(), true);
      assert.equal(mysqld.isRunning(), false);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(mysqld.isRunning(), false);
      assert.equal(monitor.status, "NOTRUNNING");
      const leftovers = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")]
        .filter((e) => e.name.startsWith("xenon-admin-"));
      assert.deepEqual(leftovers, [], "the option file with the password is removed");
      await monitor.stop();
      assert.equal(monitor.status, "UNKNOW");
      assert.equal(monitor.info, "OFF");
    });

    await t.step("start with --init-rpl-role=SLAVE passes it to mysqld", async () => {
      await mysqld.start({ initRplRole: "SLAVE" });
      const [server] = mysqld.processes().server;
      assert.ok(readCmdline(server)?.includes("--init-rpl-role=SLAVE"));
      await waitFor("mysqld accepting connections", ready);
    });

    await t.step(
      "shutdown with a wrong password fails in one line without the password",
      async () => {
        const wrong = new Mysqld({ ...mysqld.options, password: "bad-pw-123" });
        await assert.rejects(wrong.shutdown(), (e: Error) => {
          assert.match(e.message, /mysqladmin shutdown failed: .*Access denied/);
          assert.ok(!e.message.includes("bad-pw-123"));
          return true;
        });
        await mysqld.kill();
        assert.equal(mysqld.isRunning(), false);
      },
    );

    await t.step("bad configuration is one clear line", async () => {
      const noFile = new Mysqld({ ...mysqld.options, defaultsFile: "/nonexistent/my.cnf" });
      await assert.rejects(
        noFile.start(),
        /mysql\.defaults-file \/nonexistent\/my\.cnf cannot be read/,
      );
      const noBase = new Mysqld({ ...mysqld.options, basedir: "/nonexistent" });
      await assert.rejects(noBase.start(), /mysqld_safe under mysql\.basedir: .*cannot be read/);
    });

    await t.step("the decoy was never killed and no argv ever held the password", async () => {
      assert.ok(readCmdline(decoyChild.pid) !== null);
      assert.deepEqual(await watcher.stop(), []);
    });
  } finally {
    await monitor.stop();
    await watcher.stop();
    decoyChild.kill("SIGKILL");
    await decoyChild.status;
    await mysqld.kill().catch(() => {});
  }
});
