import assert from "node:assert/strict";
import {
  assertNoLeaks,
  createInstance,
  type MariaDBCluster,
  type MariaDBInstance,
  startCluster,
} from "./mariadb.ts";
import { instancePaths, renderMyCnf } from "../../src/sandbox/mycnf.ts";
import { isAlive, listeningSockets, processesMentioning } from "../../src/sandbox/procs.ts";
import { reapDeadRuns } from "./registry.ts";
import { startFixture } from "./fixture.ts";
import { waitFor } from "./wait.ts";

type Row = Record<string, unknown>;

async function status(node: MariaDBInstance, name: string): Promise<string> {
  const [row] = await node.query<Row>("SHOW GLOBAL STATUS LIKE ?", [name]);
  return String(row?.Value);
}

async function gtidPositions(node: MariaDBInstance): Promise<Row> {
  const [row] = await node.query<Row>(
    "SELECT @@GLOBAL.gtid_binlog_pos AS binlog, @@GLOBAL.gtid_current_pos AS current",
  );
  return row;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}

Deno.test("a 3-node cluster replicates through semi-sync and survives kill -9", async (t) => {
  let started = performance.now();
  await using cluster: MariaDBCluster = await startCluster(3);
  const [primary, replica, third] = cluster.nodes;
  const created = seconds(started);
  await cluster.replicate();
  console.log(`3-node cluster: created in ${created} s, replicating after ${seconds(started)} s`);

  await t.step("semi-sync is on with both replicas", async () => {
    assert.equal(await status(primary, "Rpl_semi_sync_master_status"), "ON");
    assert.equal(await status(primary, "Rpl_semi_sync_master_clients"), "2");
    for (const node of [replica, third]) {
      assert.equal(await status(node, "Rpl_semi_sync_slave_status"), "ON");
    }
  });

  await t.step("a write reaches every node; all agree on the GTID position", async () => {
    await primary.query("CREATE DATABASE app");
    await primary.query("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))");
    await primary.query("INSERT INTO app.t VALUES (1, 'acknowledged')");
    // Every commit waited for a replica's ack: none fell back to async.
    assert.equal(await status(primary, "Rpl_semi_sync_master_yes_tx"), "3");
    assert.equal(await status(primary, "Rpl_semi_sync_master_no_tx"), "0");
    const { binlog } = await gtidPositions(primary);
    assert.equal(binlog, "0-1-3");
    for (const node of cluster.nodes) await cluster.waitForPosition(node, String(binlog));
    for (const node of cluster.nodes) {
      assert.deepEqual(await gtidPositions(node), { binlog: "0-1-3", current: "0-1-3" });
      assert.deepEqual(await node.query("SELECT id, v FROM app.t"), [
        { id: 1, v: "acknowledged" },
      ]);
    }
  });

  await t.step("waitForPosition names the node and where it is on timeout", async () => {
    await assert.rejects(
      cluster.waitForPosition(replica, "0-1-99", 0.2),
      /node2 did not reach GTID 0-1-99 within 0.2 s: it is at '0-1-3'; node2 IO=Yes SQL=Yes/,
    );
    await assert.rejects(cluster.waitForPosition(replica, "0-1-x"), /malformed/);
  });

  await t.step("mysqld_safe restarts a SIGKILLed mariadbd, which catches up", async () => {
    const safe = replica.safePid();
    const before = replica.mysqldPid();
    assert.ok(safe !== undefined && before !== undefined);
    started = performance.now();
    await replica.killMysqld();
    assert.ok(!isAlive(before));
    const after = await waitFor("a new mariadbd", () => replica.mysqldPid(), { timeoutMs: 10_000 });
    await replica.waitReady(10_000);
    console.log(`mariadbd restarted by mysqld_safe in ${seconds(started)} s`);
    assert.notEqual(after, before);
    assert.equal(replica.safePid(), safe);
    await primary.query("INSERT INTO app.t VALUES (2, 'after restart')");
    await cluster.waitForPosition(replica, "0-1-4");
    assert.equal((await replica.query("SELECT COUNT(*) AS n FROM app.t"))[0].n, 2);
  });

  await t.step("killAll leaves a dead node that stays dead", async () => {
    await third.killAll();
    assert.equal(third.isRunning(), false);
    assert.equal(third.safePid(), undefined);
    await new Promise((resolve) => setTimeout(resolve, 500)); // mysqld_safe restarts in ~0.2 s
    assert.equal(third.isRunning(), false);
    await waitFor("the primary to count one semi-sync replica", async () => {
      return await status(primary, "Rpl_semi_sync_master_clients") === "1" ? true : undefined;
    }, { timeoutMs: 10_000 });
  });

  await t.step("stop removes everything: no process, no port, no directory", async () => {
    const ports = cluster.nodes.map((node) => node.port);
    await cluster.stop();
    await cluster.stop(); // idempotent
    for (const node of cluster.nodes) assert.equal(processesMentioning(node.dir).length, 0);
    const listening = listeningSockets();
    for (const port of ports) assert.equal(listening.has(port), false);
    await assertNoLeaks();
  });
});

Deno.test("one instance: measured, stopped cleanly, restarted with its data", async () => {
  const started = performance.now();
  await using node = await createInstance({ name: "solo", mysqld: { max_connections: 20 } });
  const created = seconds(started);
  assert.equal((await node.query("SELECT @@max_connections AS m"))[0].m, 20);
  assert.equal((await node.query("SELECT @@gtid_binlog_pos AS p"))[0].p, "");
  await new Promise((resolve) => setTimeout(resolve, 500));
  console.log(`one instance: created in ${created} s, idle RSS ${node.rssBytes() >> 20} MiB`);
  assert.ok(node.rssBytes() > 10 << 20);

  await node.query("CREATE DATABASE kept");
  await node.stop();
  assert.equal(node.isRunning(), false);
  assert.equal(node.safePid(), undefined); // mysqld_safe exits after a clean shutdown
  await node.start();
  assert.deepEqual(await node.query("SHOW DATABASES LIKE 'kept'"), [{ "Database (kept)": "kept" }]);
  await node.remove();
  await assertNoLeaks();
});

Deno.test("a server that cannot start is refused in one line quoting its error log", async () => {
  await assert.rejects(
    createInstance({ name: "broken", mysqld: { innodb_buffer_pool_size: "lots" } }),
    /^XenonError: broken \(127\.0\.0\.1:\d+\): mysqld_safe exited; error\.log: .*Unknown suffix 'l' used for variable 'innodb-buffer-pool-size'[^\n]*$/,
  );
  await assertNoLeaks();
});

Deno.test("my.cnf: overrides replace defaults, harness-owned and multi-line options are refused", () => {
  const paths = instancePaths("/x/n1");
  const text = renderMyCnf(paths, 3307, 7, {
    "innodb-buffer-pool-size": "16M",
    skip_slave_start: true,
    gtid_strict_mode: false,
  });
  assert.match(text, /^innodb_buffer_pool_size=16M$/m);
  assert.doesNotMatch(text, /=8M\ninnodb_log_file_size/); // the default line was replaced
  assert.match(text, /^skip_slave_start$/m);
  assert.match(text, /^gtid_strict_mode=0$/m);
  assert.match(text, /^server_id=7$/m);
  assert.throws(() => renderMyCnf(paths, 1, 1, { port: 1 }), /mysqld option port is set by/);
  assert.throws(() => renderMyCnf(paths, 1, 1, { a: "1\nb=2" }), /line break is not allowed/);
});

/** Starts fixtures/hold_instance.ts and reads its READY line. */
async function holdInstanceInChild() {
  const { child, firstLine: text } = await startFixture(
    new URL("./fixtures/hold_instance.ts", import.meta.url),
  );
  const [word, dir, safe, mysqld] = text.trim().split(" ");
  assert.equal(word, "READY", `the child printed ${JSON.stringify(text)}`);
  return { child, dir, safe: Number(safe), mysqld: Number(mysqld) };
}

Deno.test("an interrupted or killed test process leaves nothing behind", async (t) => {
  await t.step("SIGTERM: the process kills its servers and removes its dirs", async () => {
    const held = await holdInstanceInChild();
    assert.ok(isAlive(held.safe) && isAlive(held.mysqld));
    held.child.kill("SIGTERM");
    assert.equal((await held.child.status).code, 143);
    await held.child.stdout.cancel().catch(() => {});
    assert.equal(isAlive(held.safe) || isAlive(held.mysqld), false);
    assert.equal(processesMentioning(held.dir).length, 0);
    await assert.rejects(Deno.stat(held.dir), Deno.errors.NotFound);
  });

  await t.step("kill -9: the watchdog kills its servers and removes its dirs", async () => {
    const held = await holdInstanceInChild();
    held.child.kill("SIGKILL");
    await held.child.status;
    await held.child.stdout.cancel().catch(() => {});
    // It kills first, then removes the directory: wait for both.
    await waitFor("the watchdog to clean up", async () => {
      const gone = await Deno.stat(held.dir).then(() => false, () => true);
      return gone ? true : undefined;
    }, { timeoutMs: 10_000 });
    assert.equal(isAlive(held.safe) || isAlive(held.mysqld), false);
    assert.equal(processesMentioning(held.dir).length, 0);
  });

  await t.step("a root whose process is dead is reaped by the next run", async () => {
    const exited = await new Deno.Command("true").spawn();
    await exited.status; // its pid now names a dead process
    const stale = await Deno.makeTempDir({ prefix: `xenon-test-mariadb-${exited.pid}-` });
    await Deno.writeTextFile(`${stale}/error.log`, "");
    // Stands for a server left behind: a process whose command line names the dead run's root.
    const tail = new Deno.Command("/usr/bin/tail", {
      args: ["-f", `${stale}/error.log`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Until it has exec'd, the child's command line is still this process's: nothing to find.
    await waitFor("tail to run", () => processesMentioning(stale).length > 0 || undefined, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    reapDeadRuns();
    assert.equal((await tail.status).signal, "SIGKILL");
    await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  });
});
