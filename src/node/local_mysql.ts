/**
 * The daemon's connections to its own MySQL: one for the election's effects (serialized by the
 * event loop), one for the observation poller (so a slow effect never delays noticing a dead
 * server). Each is reopened when broken; connect and statement deadlines come from
 * `mysql.ping-timeout`, so an unreachable server fails fast instead of stalling the loop.
 */
import type { XenonConfig } from "../config/mod.ts";
import { formatGtidSet, parseGtidSet, type PositionComparator, union } from "../gtid/mod.ts";
import {
  type MysqlConnectionOptions,
  type MysqlHandle,
  type MysqlStatus,
  openMysql,
  readStatus,
} from "../mysql/mod.ts";

/** How to log in to the local server as the admin user. */
export function connectionOptions(config: XenonConfig): MysqlConnectionOptions {
  const ping = config.mysql.pingTimeout;
  return {
    host: config.mysql.host,
    port: config.mysql.port,
    user: config.mysql.admin,
    password: config.mysql.passwd,
    connectTimeoutMs: Math.max(200, ping),
    queryTimeoutMs: Math.max(5000, ping),
  };
}

/** A handle that reopens itself when the server dropped it. */
export class LocalMysql {
  #handle: MysqlHandle | null = null;
  #opening: Promise<MysqlHandle> | null = null;

  constructor(readonly options: MysqlConnectionOptions, readonly version: string) {}

  /** The open handle, reconnecting if needed. Throws MysqlError when the server is unreachable. */
  async get(): Promise<MysqlHandle> {
    if (this.#handle !== null && this.#handle.session.usable) return this.#handle;
    if (this.#handle !== null) {
      await this.#handle.close().catch(() => {});
      this.#handle = null;
    }
    this.#opening ??= openMysql(this.options, { version: this.version }).finally(() => {
      this.#opening = null;
    });
    this.#handle = await this.#opening;
    return this.#handle;
  }

  /** Thread id of the open session (fencing spares it), or null. */
  get threadId(): number | null {
    return this.#handle?.session.usable ? this.#handle.session.threadId : null;
  }

  /** Drops the connection (after a failure that may have left it in an unknown state). */
  async reset(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.reset();
  }
}

/**
 * What the election calls the received position: everything executed plus what the IO thread
 * received into the relay log (MariaDB: the later of gtid_current_pos and Gtid_IO_Pos; MySQL: the
 * union of gtid_executed and Retrieved_Gtid_Set).
 */
export function receivedPosition(
  status: MysqlStatus,
  flavor: "mysql" | "mariadb",
  comparator: PositionComparator,
): string {
  const executed = status.positions.executed;
  const received = status.replica?.received ?? "";
  if (received === "") return executed;
  if (flavor === "mysql") {
    return formatGtidSet(union(parseGtidSet(executed), parseGtidSet(received)));
  }
  if (executed === "") return received;
  try {
    return comparator.compare(received, executed) === "ahead" ? received : executed;
  } catch {
    return executed;
  }
}

/** Seconds since the server started; goes down when mysqld restarted behind our back. */
export async function uptimeSeconds(db: MysqlHandle): Promise<number> {
  const rows = await db.session.query("SHOW GLOBAL STATUS LIKE 'Uptime'");
  return Number(rows[0]?.Value ?? 0);
}

/** The read side of the poller, in one place so the poller stays about timing and counting. */
export async function sample(
  db: MysqlHandle,
  comparator: PositionComparator,
): Promise<{ status: MysqlStatus; position: string; uptime: number }> {
  const status = await readStatus(db);
  const flavor = db.flavor.gtid === "mariadb" ? "mariadb" : "mysql";
  return {
    status,
    position: receivedPosition(status, flavor, comparator),
    uptime: await uptimeSeconds(db),
  };
}
