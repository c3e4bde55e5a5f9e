/**
 * The local fence on a real mariadbd: the session held for it survives any idle time (so the
 * item-13 path, read-only on an already open session when every connection is taken, still
 * works days after the start, and the poller opens it again after a mysqld restart); and a
 * mysqld that is not running counts as fenced, not failed.
 */
import assert from "node:assert/strict";
import { connectionOptions, LocalMysql } from "../../src/node/local_mysql.ts";
import { fenceLocal } from "../../src/node/local_fence.ts";
import { MysqlPoller } from "../../src/node/poller.ts";
import { systemClock } from "../../src/node/system_clock.ts";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import { createInstance, ROOT_PASSWORD } from "../harness/mod.ts";
import { freePort } from "../harness/registry.ts";
import { fill } from "../mysql/_connections.ts";
import { sleep, waitFor } from "../harness/wait.ts";
import { configFor, readOnlyOf } from "./_shell.ts";

Deno.test("the fence session outlives wait_timeout: read-only with every connection taken", async () => {
  await using node = await createInstance({ mysqld: { max_connections: 6, wait_timeout: 2 } });
  await node.query("SET GLOBAL read_only = 0");
  const fenceMysql = new LocalMysql(connectionOptions(configFor(node.port)), "mariadb");
  await fenceMysql.get(); // opened at the node's start
  await sleep(3500); // longer than the server's wait_timeout without a fence
  const { conns, refusal } = await fill(node.port, "root", ROOT_PASSWORD);
  assert.equal(refusal, "ER_CON_COUNT_ERROR", "every connection taken");
  const hardStops: string[] = [];
  try {
    const outcome = await fenceLocal({
      fenceMysql,
      fenceBudgetMs: 1000,
      mysqld: {
        hardStop: (reason) => {
          hardStops.push(reason);
          return Promise.resolve(false);
        },
      },
      onFenceFailed: () => {},
    }, []);
    assert.deepEqual(hardStops, [], "fell back to a hard stop: the held session was gone");
    assert.deepEqual(outcome, { ok: true });
  } finally {
    for (const c of conns) c.destroy();
    await fenceMysql.close();
  }
  assert.equal(await readOnlyOf(node), true);
});

Deno.test("a fence finds no mysqld process: fenced, no failure counted, no hard stop", async () => {
  const fenceMysql = new LocalMysql(connectionOptions(configFor(freePort())), "mariadb");
  const hardStops: string[] = [];
  const failures: string[] = [];
  try {
    const outcome = await fenceLocal({
      fenceMysql,
      fenceBudgetMs: 500,
      mysqld: {
        hardStop: (reason) => {
          hardStops.push(reason);
          return Promise.resolve(true);
        },
        stopped: () => true, // supervised, and its mysqld was just killed
      },
      onFenceFailed: (reason) => failures.push(reason),
    }, []);
    assert.deepEqual(outcome, { ok: true });
    assert.deepEqual(failures, [], "counted in xenon_fence_failures_total");
    assert.deepEqual(hardStops, [], "a kill and restart for a server already gone");
  } finally {
    await fenceMysql.close();
  }
});

Deno.test("the poller opens the fence session again after a mysqld restart", async () => {
  await using node = await createInstance({ mysqld: { max_connections: 6 } });
  const options = connectionOptions(configFor(node.port));
  const fenceMysql = new LocalMysql(options, "mariadb");
  const pollLink = new LocalMysql(options, "mariadb");
  const poller = new MysqlPoller({
    clock: systemClock,
    link: pollLink,
    keepOpen: [fenceMysql],
    intervalMs: 100,
    admitDefeatCount: 1,
    comparator: mariadbComparator,
    report: () => {},
  });
  try {
    await fenceMysql.get();
    await node.killMysqld(); // mysqld_safe starts it again
    await node.waitReady();
    await waitFor("the dropped session to be noticed", () => {
      return fenceMysql.threadId === null ? true : undefined;
    }, { timeoutMs: 5000, intervalMs: 20 });
    await waitFor("a good sample", async () => {
      await poller.pollOnce();
      return pollLink.threadId !== null ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    assert.notEqual(fenceMysql.threadId, null, "not reopened after a good sample");
  } finally {
    await poller.stop();
    await pollLink.close();
    await fenceMysql.close();
  }
});
