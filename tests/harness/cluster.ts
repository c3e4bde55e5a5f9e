/** N instances with GTID + semi-sync replication from one primary, torn down as one. */

import { mariadbComparator, parseMariadbPosition } from "../../src/gtid/mod.ts";
import { XenonError } from "../../src/lib/errors.ts";
import { REPL_PASSWORD, REPL_USER } from "./credentials.ts";
import { createInstance, type MariaDBInstance } from "./instance.ts";
import type { MysqldOptions } from "../../src/sandbox/mycnf.ts";
import { waitFor } from "./wait.ts";

export interface MariaDBCluster extends AsyncDisposable {
  readonly nodes: MariaDBInstance[];
  /**
   * Makes `nodes[primary]` (default 0) a writable primary and every other node its read-only
   * replica (GTID, slave_pos), with master-side semi-sync ON on the primary only, then waits until
   * every replica runs and the primary counts them as semi-sync clients. Callable again to switch
   * the primary (an old primary resumes from its own binlog).
   */
  replicate(primary?: number): Promise<void>;
  /** Waits (MASTER_GTID_WAIT) until `node` has applied `gtidPos`; throws saying where it is. */
  waitForPosition(node: MariaDBInstance, gtidPos: string, timeoutSeconds?: number): Promise<void>;
  /** Kills every node and removes every directory. Idempotent. */
  stop(): Promise<void>;
}

const REPLICATION_TIMEOUT_MS = 15_000;

type Row = Record<string, unknown>;

async function statusVar(node: MariaDBInstance, name: string): Promise<string | undefined> {
  const rows = await node.query<Row>("SHOW GLOBAL STATUS LIKE ?", [name]);
  return rows[0] === undefined ? undefined : String(rows[0].Value);
}

/** `IO=Yes SQL=Yes` plus the last error, the first thing to read when replication is stuck. */
async function replicaState(node: MariaDBInstance): Promise<string> {
  const [s] = await node.query<Row>("SHOW SLAVE STATUS");
  if (s === undefined) return `${node.name} is not a replica`;
  const error = s.Last_IO_Error || s.Last_SQL_Error;
  return `${node.name} IO=${s.Slave_IO_Running} SQL=${s.Slave_SQL_Running}` +
    (error ? ` error: ${error}` : "");
}

class Cluster implements MariaDBCluster {
  #stopped = false;

  constructor(readonly nodes: MariaDBInstance[]) {}

  async replicate(primary = 0): Promise<void> {
    const source = this.nodes[primary];
    if (source === undefined) {
      throw new XenonError(
        `replicate(${primary}): expected a node index 0-${this.nodes.length - 1}`,
      );
    }
    await source.query("STOP SLAVE");
    await source.query("RESET SLAVE ALL");
    await source.query("SET GLOBAL rpl_semi_sync_master_enabled=ON");
    await source.query("SET GLOBAL read_only=0");
    const replicas = this.nodes.filter((node) => node !== source);
    await Promise.all(replicas.map((node) => follow(node, source)));

    // Replicas whose my.cnf turned semi-sync off replicate asynchronously; count the others.
    const acking = (await Promise.all(replicas.map(semiSyncReplica))).filter(Boolean).length;
    await waitFor(`semi-sync on ${source.name} with ${acking} replicas`, async () => {
      for (const node of replicas) {
        const [s] = await node.query<Row>("SHOW SLAVE STATUS");
        if (s?.Slave_IO_Running !== "Yes" || s?.Slave_SQL_Running !== "Yes") return undefined;
      }
      const clients = Number(await statusVar(source, "Rpl_semi_sync_master_clients"));
      const status = await statusVar(source, "Rpl_semi_sync_master_status");
      return clients === acking && (acking === 0 || status === "ON") ? true : undefined;
    }, {
      timeoutMs: REPLICATION_TIMEOUT_MS,
      explain: async () => (await Promise.all(replicas.map(replicaState))).join("; "),
    });
  }

  async waitForPosition(node: MariaDBInstance, gtidPos: string, timeoutSeconds = 10) {
    parseMariadbPosition(gtidPos); // a malformed position is refused in one line, not waited for
    // MASTER_GTID_WAIT follows gtid_slave_pos, which a primary's own writes do not move.
    const [{ pos }] = await node.query<{ pos: string }>("SELECT @@GLOBAL.gtid_current_pos AS pos");
    if (["equal", "ahead"].includes(mariadbComparator.compare(pos, gtidPos))) return;
    const [{ rc }] = await node.query<{ rc: number }>("SELECT MASTER_GTID_WAIT(?, ?) AS rc", [
      gtidPos,
      timeoutSeconds,
    ]);
    if (Number(rc) === 0) return;
    const [{ now }] = await node.query<{ now: string }>("SELECT @@GLOBAL.gtid_current_pos AS now");
    throw new XenonError(
      `${node.name} did not reach GTID ${gtidPos} within ${timeoutSeconds} s: it is at ` +
        `'${now}'; ${await replicaState(node)}`,
    );
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // The data is thrown away, so a clean shutdown would only cost time.
    await Promise.all(this.nodes.map((node) => node.remove()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

async function semiSyncReplica(node: MariaDBInstance): Promise<boolean> {
  const [row] = await node.query<Row>("SELECT @@rpl_semi_sync_slave_enabled AS enabled");
  return Number(row.enabled) === 1;
}

/** Points `node` at `source`, continuing from whatever it already has (fresh or old primary). */
async function follow(node: MariaDBInstance, source: MariaDBInstance): Promise<void> {
  const conn = await node.connect();
  try {
    await conn.query("STOP SLAVE");
    await conn.query("SET GLOBAL rpl_semi_sync_master_enabled=OFF");
    // gtid_current_pos also counts the node's own binlog, so an old primary resumes correctly.
    await conn.query("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos");
    await conn.query(
      "CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?, " +
        "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1",
      [source.host, source.port, REPL_USER, REPL_PASSWORD],
    );
    await conn.query("SET GLOBAL read_only=1");
    await conn.query("START SLAVE");
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/**
 * `n` fresh instances (server_id 1..n, created in parallel) that do not replicate yet: call
 * `replicate()`. Use with `await using cluster = await startCluster(3)` so it is always torn down.
 */
export async function startCluster(
  n: number,
  opts: { mysqld?: MysqldOptions } = {},
): Promise<MariaDBCluster> {
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    throw new XenonError(`startCluster(${n}): expected 1-9 nodes`);
  }
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => createInstance({ serverId: i + 1, mysqld: opts.mysqld })),
  );
  const nodes = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  const failure = results.find((r) => r.status === "rejected");
  if (failure) {
    await Promise.all(nodes.map((node) => node.remove().catch(() => {})));
    throw failure.reason;
  }
  return new Cluster(nodes);
}
