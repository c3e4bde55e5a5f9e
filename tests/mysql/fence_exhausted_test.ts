/**
 * A primary whose connections are all taken (max_connections, plus MariaDB's one extra for
 * administrators) must still be fenced: the agent's own open session is all it gets, so
 * `read_only` goes there before anything tries to open another connection.
 */
import assert from "node:assert/strict";
import { createInstance, type MariaDBInstance, ROOT_PASSWORD } from "../harness/mod.ts";
import { fence, type MysqlHandle, openMysql, readStatus } from "../../src/mysql/mod.ts";
import { fill } from "./_connections.ts";

const MAX_CONNECTIONS = 6;
/** A writable server with an application account and table, few connections allowed. */
async function writablePrimary(): Promise<MariaDBInstance> {
  const node = await createInstance({ mysqld: { max_connections: MAX_CONNECTIONS } });
  await node.query("CREATE USER app@'%' IDENTIFIED BY 'app-password'");
  await node.query("GRANT ALL ON app.* TO app@'%'");
  await node.query("CREATE DATABASE app");
  await node.query("CREATE TABLE app.t (id INT PRIMARY KEY)");
  await node.query("SET GLOBAL read_only = 0");
  return node;
}

function agentSession(node: MariaDBInstance): Promise<MysqlHandle> {
  return openMysql({
    host: node.host,
    port: node.port,
    user: "root",
    password: ROOT_PASSWORD,
    connectTimeoutMs: 2000,
  });
}

Deno.test("fence makes the server read-only when every connection is taken", async () => {
  await using node = await writablePrimary();
  // The agent's session, opened while there was room, as the daemon holds it.
  await using db = await agentSession(node);
  const apps = await fill(node.port, "app", "app-password");
  const admins = await fill(node.port, "root", ROOT_PASSWORD);
  const clients = [...apps.conns, ...admins.conns];
  try {
    assert.equal(apps.refusal, "ER_CON_COUNT_ERROR", "the clients filled max_connections");
    assert.equal(admins.refusal, "ER_CON_COUNT_ERROR", "and the administrators' extra slot");

    const result = await fence(db, { budgetMs: 2000 });

    assert.equal((await readStatus(db)).readOnly, true);
    const ended = new Set(result.killed.map((k) => k.id));
    for (const c of clients) assert.ok(ended.has(c.threadId), `client ${c.threadId} ended`);
    console.log(
      `fence with ${clients.length} client connections and no spare one: ` +
        `${result.elapsedMs} ms, killed ${result.killed.length}`,
    );
    await assert.rejects(apps.conns[0].query("INSERT INTO app.t VALUES (1)"));
  } finally {
    for (const c of clients) c.destroy();
  }
});

Deno.test("fence out of connections, read_only blocked by a lock: fails in one line within its budget", async () => {
  await using node = await writablePrimary();
  await using db = await agentSession(node);
  const apps = await fill(node.port, "app", "app-password");
  // SET GLOBAL read_only waits for a session holding a write lock (MariaDB).
  await apps.conns[0].query("LOCK TABLES app.t WRITE");
  const admins = await fill(node.port, "root", ROOT_PASSWORD);
  try {
    assert.equal(admins.refusal, "ER_CON_COUNT_ERROR");
    const started = performance.now();
    await assert.rejects(fence(db, { budgetMs: 1000 }), (error: Error) => {
      assert.equal(error.message.split("\n").length, 1);
      assert.match(error.message, /read-only not set within 1000 ms .*no second connection/);
      return true;
    });
    const took = performance.now() - started;
    // The budget, plus the session's bounded attempt to kill its own statement.
    assert.ok(took < 1000 + 2500, `fence gave up after ${Math.round(took)} ms`);
  } finally {
    for (const c of [...apps.conns, ...admins.conns]) c.destroy();
  }
});
