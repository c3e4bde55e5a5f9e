/**
 * The daemon's connections to its own MySQL: one for the election's effects (serialized by the
 * event loop), one for the observation poller (so a slow effect never delays noticing a dead
 * server), one each for fences and maintenance. Each is reopened when broken; connect and
 * statement deadlines come from `mysql.ping-timeout`, so an unreachable server fails fast
 * instead of stalling the loop. None is ever ended for being idle (wait_timeout at its maximum).
 * Each is the shell's MySQL port on the real server.
 */
import type { XenonConfig } from "../config/mod.ts";
import { formatGtidSet, parseGtidSet, type PositionComparator, union } from "../gtid/mod.ts";
import {
  AcksPendingError,
  appliedWaitCount,
  applySysvars,
  catchUp,
  changeMaster,
  fence,
  keepReturnedCommits,
  killForeignReplicas,
  killReplicaConnections,
  type MysqlConnectionOptions,
  type MysqlHandle,
  type MysqlStatus,
  MysqlUnavailableError,
  openMysql,
  purgeBinlogs,
  readLeaderSemiSync,
  readStatus,
  resetReplica,
  setLeaderSemiSync,
  setReadOnly,
  stopIo,
} from "../mysql/mod.ts";
import { oneLine } from "../lib/errors.ts";
import type {
  CatchUpOptions,
  CatchUpProgress,
  CatchUpReport,
  FenceAttempt,
  LeaderSemiSyncSample,
  MysqlSample,
  MysqlSession,
  ReplicationSource,
} from "../ports/mod.ts";

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

/**
 * The largest wait_timeout MySQL and MariaDB accept (a year, on Linux). An agent session may sit
 * idle for days (the fence's is used only when fencing) and must still be there when every
 * other connection is taken.
 */
const HELD_SESSION_WAIT_TIMEOUT_S = 31_536_000;

/** A handle that reopens itself when the server dropped it, never ended for being idle. */
export class LocalMysql implements MysqlSession<MysqlHandle> {
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
    this.#opening ??= openHeld(this.options, this.version).finally(() => {
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

  sibling(): LocalMysql {
    return new LocalMysql(this.options, this.version);
  }

  async setReadOnly(on: boolean): Promise<{ exempt: readonly string[] }> {
    return await setReadOnly(await this.get(), on);
  }

  async applySysvars(profile: string): Promise<void> {
    await applySysvars(await this.get(), profile);
  }

  async keepReturnedCommits(): Promise<string | null> {
    return await keepReturnedCommits(await this.get());
  }

  async isReplica(): Promise<boolean> {
    return (await readStatus(await this.get())).replica !== null;
  }

  async stopIo(): Promise<void> {
    await stopIo(await this.get());
  }

  async resetReplica(): Promise<void> {
    await resetReplica(await this.get());
  }

  async receivedPosition(comparator: PositionComparator): Promise<string> {
    const db = await this.get();
    return receivedPosition(await readStatus(db), flavorOf(db), comparator);
  }

  async sample(comparator: PositionComparator): Promise<MysqlSample<MysqlStatus>> {
    return await sample(await this.get(), comparator);
  }

  async changeMaster(source: ReplicationSource): Promise<void> {
    await changeMaster(await this.get(), source);
  }

  async catchUp(options: CatchUpOptions): Promise<CatchUpReport> {
    await using db = await openMysql(this.options, { version: this.version });
    const report = options.onProgress;
    return await catchUp(db, {
      deadlineMs: options.deadlineMs,
      reportEveryMs: options.reportEveryMs,
      onProgress: report && ((status) => report(catchUpProgressOf(status))),
    });
  }

  async killForeignReplicas(allowedHosts: readonly string[]): Promise<string[]> {
    return await killForeignReplicas(await this.get(), allowedHosts);
  }

  async killReplicaConnections(): Promise<string[]> {
    return await killReplicaConnections(await this.get(), () => true);
  }

  async setLeaderSemiSync(voters: number): Promise<{ applied: number; shortfall?: string }> {
    return await setLeaderSemiSync(await this.get(), { voters });
  }

  async appliedWaitCount(voters: number): Promise<number> {
    return appliedWaitCount((await this.get()).flavor, voters);
  }

  async readLeaderSemiSync(): Promise<LeaderSemiSyncSample> {
    return await readLeaderSemiSync(await this.get());
  }

  async purgeBinlogs(memberFiles: readonly string[]): Promise<string | null> {
    return await purgeBinlogs(await this.get(), memberFiles);
  }

  async fence(
    options: { budgetMs: number; keepThreadIds: readonly number[] },
  ): Promise<FenceAttempt> {
    try {
      const r = await fence(await this.get(), options);
      return { ok: true, elapsedMs: r.elapsedMs, killed: r.killed.length };
    } catch (error) {
      const failure = error instanceof AcksPendingError
        ? "acksPending"
        : error instanceof MysqlUnavailableError
        ? "sessionLost"
        : "failed";
      return { ok: false, failure, error: oneLine(error) };
    }
  }
}

function flavorOf(db: MysqlHandle): "mariadb" | "mysql" {
  return db.flavor.gtid === "mariadb" ? "mariadb" : "mysql";
}

async function openHeld(options: MysqlConnectionOptions, version: string): Promise<MysqlHandle> {
  const handle = await openMysql(options, { version });
  try {
    await handle.session.query(`SET SESSION wait_timeout = ${HELD_SESSION_WAIT_TIMEOUT_S}`);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  return handle;
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

function catchUpProgressOf(status: MysqlStatus): CatchUpProgress {
  const replica = status.replica;
  return {
    applied: status.positions.executed,
    backlog: replica === null ? 0 : replica.backlogTransactions,
    sqlRunning: replica === null || replica.sqlRunning,
    sqlError: replica?.lastSqlError ?? "",
  };
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
): Promise<MysqlSample<MysqlStatus>> {
  const status = await readStatus(db);
  return {
    status,
    position: receivedPosition(status, flavorOf(db), comparator),
    uptime: await uptimeSeconds(db),
  };
}
