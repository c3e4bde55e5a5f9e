/**
 * One MySQL connection with deadlines that really end the work: a statement that runs past its
 * deadline is killed with `KILL QUERY` from a second connection, and if even that does not end
 * it the connection is destroyed. A session is a single server session, so statements that
 * must share one (`SET SESSION sql_log_bin = 0` … `= 1`) simply run on the same session.
 */
import mysql from "mysql2/promise";
import { fromDriverError, MysqlTimeoutError, MysqlUnavailableError } from "./errors.ts";
import { killQuery } from "./sql.ts";

/** How to reach a server. */
export interface MysqlConnectionOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Deadline for connecting and logging in. @default 2000 */
  connectTimeoutMs?: number;
  /** Default deadline for one statement. @default 5000 */
  queryTimeoutMs?: number;
}

/** A result row, column name to value. */
export type Row = Record<string, unknown>;

const KILL_GRACE_MS = 2000;

/**
 * String literals are escaped with backslashes (escape.ts), which means something else under a
 * global sql_mode with NO_BACKSLASH_ESCAPES: a password with `\'` would end its literal early.
 * Every agent session drops that one mode at connect and keeps the rest of the server's sql_mode.
 */
export const KEEP_BACKSLASH_ESCAPES = "SET SESSION sql_mode = TRIM(BOTH ',' FROM " +
  "REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/** Statement text for messages: first line, literals masked (they may hold passwords), cut. */
export function describeSql(sql: string): string {
  const masked = sql.replace(/'(?:[^'\\]|\\.)*'/g, "'…'").split("\n")[0];
  return masked.length > 80 ? `${masked.slice(0, 80)}…` : masked;
}

type Settled = { ok: true; rows: unknown } | { ok: false; error: unknown };

/** One pinned connection. Close it with `close()` or `await using`. */
export class MysqlSession implements AsyncDisposable {
  readonly where: string;
  readonly threadId: number;
  readonly #conn: mysql.Connection;
  readonly #options: MysqlConnectionOptions;
  #broken: string | null = null;

  private constructor(conn: mysql.Connection, options: MysqlConnectionOptions) {
    this.#conn = conn;
    this.#options = options;
    this.where = `${options.host}:${options.port}`;
    this.threadId = conn.threadId;
    // The driver emits "error" when the server drops an idle connection; unheard, it would crash.
    conn.on("error", (e: unknown) => {
      this.#broken = fromDriverError(`MySQL ${this.where}`, e).message;
    });
  }

  /**
   * Connects and logs in within `connectTimeoutMs`, with backslash escapes on for this session.
   * Throws MysqlUnavailableError.
   */
  static async open(options: MysqlConnectionOptions): Promise<MysqlSession> {
    const session = new MysqlSession(await connect(options), options);
    try {
      await session.query(KEEP_BACKSLASH_ESCAPES);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Whether the connection can still be used. */
  get usable(): boolean {
    return this.#broken === null;
  }

  /** Runs one statement; returns its rows (empty for statements without a result set). */
  async query(sql: string, options: { timeoutMs?: number } = {}): Promise<Row[]> {
    if (this.#broken) throw new MysqlUnavailableError(this.#broken);
    const timeoutMs = options.timeoutMs ?? this.#options.queryTimeoutMs ?? 5000;
    const settled: Promise<Settled> = this.#conn.query(sql).then(
      ([rows]) => ({ ok: true, rows }),
      (error) => ({ ok: false, error }),
    );
    const first = await raceTimeout(settled, timeoutMs);
    if (first === "timeout") {
      await this.#endRunningStatement(settled);
      throw new MysqlTimeoutError(
        `MySQL ${this.where}: ${describeSql(sql)} did not finish within ${timeoutMs} ms; killed it`,
      );
    }
    if (!first.ok) {
      if (isFatal(first.error)) this.#broken = `MySQL ${this.where}: connection lost`;
      throw fromDriverError(`MySQL ${this.where}: ${describeSql(sql)}`, first.error);
    }
    return Array.isArray(first.rows) ? (first.rows as Row[]) : [];
  }

  /** Runs statements in order on this session; stops at the first failure. */
  async exec(statements: string | readonly string[], options: { timeoutMs?: number } = {}) {
    for (const sql of typeof statements === "string" ? [statements] : statements) {
      await this.query(sql, options);
    }
  }

  /** The first row's column as a string, or "" when absent or NULL. */
  async scalar(sql: string, column: string, options: { timeoutMs?: number } = {}) {
    const rows = await this.query(sql, options);
    const value = rows[0]?.[column];
    return value === null || value === undefined ? "" : String(value);
  }

  /** Kills the running statement from another connection; destroys this one if that fails. */
  async #endRunningStatement(settled: Promise<Settled>): Promise<void> {
    try {
      const killer = await connect(this.#options);
      try {
        await raceTimeout(killer.query(killQuery(this.threadId)).catch(() => null), KILL_GRACE_MS);
      } finally {
        killer.destroy();
      }
    } catch {
      // Could not kill it on the server: destroying the connection is all that is left.
    }
    const after = await raceTimeout(settled, KILL_GRACE_MS);
    if (after === "timeout") {
      this.#broken = `MySQL ${this.where}: connection abandoned after a statement timed out`;
      this.#conn.destroy();
    }
  }

  /** Closes the connection (gracefully, or by force after a short wait). */
  async close(): Promise<void> {
    if (this.#broken) {
      this.#conn.destroy();
      return;
    }
    this.#broken = "session closed";
    const ended = await raceTimeout(this.#conn.end().catch(() => undefined), 1000);
    if (ended === "timeout") this.#conn.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function connect(options: MysqlConnectionOptions): Promise<mysql.Connection> {
  const where = `${options.host}:${options.port}`;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const pending = mysql.createConnection({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    connectTimeout: connectTimeoutMs,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const settled = pending.then(
    (conn) => ({ ok: true as const, conn }),
    (error) => ({ ok: false as const, error }),
  );
  const first = await raceTimeout(settled, connectTimeoutMs + 500);
  if (first === "timeout") {
    // A late connection would leak: close it when it arrives.
    settled.then((s) => s.ok && s.conn.destroy());
    throw new MysqlUnavailableError(`MySQL ${where}: no answer within ${connectTimeoutMs} ms`);
  }
  if (!first.ok) throw fromDriverError(`MySQL ${where}`, first.error);
  return first.conn;
}

function isFatal(error: unknown): boolean {
  return (error as { fatal?: boolean } | undefined)?.fatal === true;
}

/** `promise`'s value, or "timeout" after `ms`; the timer never outlives the race. */
export async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
