/**
 * Sysvar profiles (`mysql.master-sysvars` / `slave-sysvars`: `name=value;name=value`) and the
 * `xenoncli mysql sysvar "SET GLOBAL name=value"` statement. Every item is validated and escaped,
 * every item is attempted, and a failure names the items that failed.
 */
import { oneLine } from "../lib/errors.ts";
import { MysqlError, MysqlInputError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import { setGlobal } from "./sql.ts";

/** One `name=value` item. */
export interface SysvarItem {
  name: string;
  value: string;
}

/** Parses `name=value;name=value` (empty items ignored). Throws MysqlInputError naming the item. */
export function parseSysvarProfile(profile: string): SysvarItem[] {
  return profile.split(";").map((s) => s.trim()).filter((s) => s !== "").map(parseItem);
}

/** Parses `SET GLOBAL name = value` (the original CLI's form); `SET GLOBAL` is required. */
export function parseSetGlobal(statement: string): SysvarItem {
  const m = /^\s*SET\s+GLOBAL\s+(.+?);?\s*$/is.exec(statement);
  if (!m) {
    throw new MysqlInputError(
      `${JSON.stringify(statement)} is not a SET GLOBAL statement: use "SET GLOBAL name=value"`,
    );
  }
  return parseItem(m[1]);
}

function parseItem(item: string): SysvarItem {
  const eq = item.indexOf("=");
  if (eq <= 0 || item.slice(eq + 1).trim() === "") {
    throw new MysqlInputError(`sysvar item ${JSON.stringify(item)} is not name=value`);
  }
  const parsed = { name: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() };
  setGlobal(parsed.name, parsed.value); // validates both, naming the bad part
  return parsed;
}

/** What a profile did. */
export interface SysvarResult {
  applied: SysvarItem[];
}

/**
 * Applies every item (`SET GLOBAL name = value`). When some fail, the others are still applied
 * and a MysqlError names each failed item with the server's reason.
 */
export async function applySysvars(
  db: MysqlHandle,
  profile: string | readonly SysvarItem[],
): Promise<SysvarResult> {
  const items = typeof profile === "string" ? parseSysvarProfile(profile) : profile;
  const applied: SysvarItem[] = [];
  const failed: string[] = [];
  for (const item of items) {
    try {
      await db.session.exec(setGlobal(item.name, item.value));
      applied.push(item);
    } catch (error) {
      failed.push(`${item.name}=${item.value}: ${reason(error)}`);
    }
  }
  if (failed.length > 0) {
    throw new MysqlError(
      `sysvar profile: ${failed.length} of ${items.length} failed (${failed.join("; ")}); ` +
        `the other ${applied.length} applied`,
    );
  }
  return { applied };
}

/** The server's own message when there is one (the statement is already named by the item). */
function reason(error: unknown): string {
  const cause = (error as { cause?: { sqlMessage?: string } }).cause;
  return cause?.sqlMessage ? oneLine(cause.sqlMessage) : oneLine(error);
}
