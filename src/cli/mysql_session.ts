/** A short-lived MySQL session for local CLI checks (`config check --live`, `mysql doctor`). */
import { XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";

export type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface LocalMysql {
  host: string;
  port: number;
  admin: string;
  passwd: string;
}

export async function withMysql<T>(
  target: LocalMysql,
  timeoutMs: number,
  work: (query: Query) => Promise<T>,
): Promise<T> {
  // The MySQL driver loads only for commands that open a session.
  const { default: mysql } = await import("mysql2/promise");
  const { KEEP_BACKSLASH_ESCAPES } = await import("../mysql/session.ts");
  let connection;
  try {
    connection = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.admin,
      password: target.passwd,
      connectTimeout: timeoutMs,
    });
  } catch (error) {
    throw new XenonError(
      redact(
        `cannot connect to MySQL at ${target.host}:${target.port} as ${target.admin}: ${
          (error as Error).message
        }`,
      ),
    );
  }
  try {
    // The driver fills in `params` with backslash escapes.
    await connection.query({ sql: KEEP_BACKSLASH_ESCAPES, timeout: timeoutMs });
    return await work(async (sql, params) => {
      const [rows] = await connection.query({ sql, timeout: timeoutMs }, params);
      return rows as Record<string, unknown>[];
    });
  } finally {
    await connection.end().catch(() => {});
  }
}
