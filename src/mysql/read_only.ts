/**
 * Read-only on and off. MySQL: `super_read_only` too, which stops every account. MariaDB has only
 * `read_only`, which accounts holding READ ONLY ADMIN ignore (reliability.md §2.7): turning it on
 * reports those accounts so the operator can revoke the privilege from application accounts.
 */
import type { MysqlHandle } from "./handle.ts";
import { readOnly, readOnlyExemptAccounts, withSuperReadOnlyLifted } from "./sql.ts";

/** What `setReadOnly(db, true)` could not cover. */
export interface ReadOnlyResult {
  /** Accounts that can still write (MariaDB READ ONLY ADMIN holders), as `'user'@'host'`. */
  exempt: string[];
}

/** Sets read-only on or off; bounded by `timeoutMs` (the statement is killed past it). */
export async function setReadOnly(
  db: MysqlHandle,
  on: boolean,
  options: { timeoutMs?: number } = {},
): Promise<ReadOnlyResult> {
  await db.session.exec(readOnly(db.flavor, on), options);
  return { exempt: on ? await readOnlyExempt(db) : [] };
}

/** Accounts `read_only` does not stop (always none on MySQL, where super_read_only is used). */
export async function readOnlyExempt(db: MysqlHandle): Promise<string[]> {
  const sql = readOnlyExemptAccounts(db.flavor);
  if (sql === null) return [];
  const rows = await db.session.query(sql);
  return rows.map((r) => String(r.grantee));
}

/**
 * Runs `statements` with super_read_only lifted around them on a fenced MySQL (read_only stays
 * on); super_read_only is back on afterwards even when one of them fails.
 */
export async function execWithSuperReadOnlyLifted(
  db: MysqlHandle,
  statements: readonly string[],
): Promise<void> {
  try {
    await db.session.exec(withSuperReadOnlyLifted(db.flavor, statements));
  } catch (error) {
    if (db.flavor.superReadOnly && db.session.usable) {
      await db.session.exec("SET GLOBAL super_read_only = 1").catch(() => db.session.close());
    }
    throw error;
  }
}
