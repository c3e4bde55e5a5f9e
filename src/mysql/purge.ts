/**
 * Binary-log purging on the leader: delete only the files every member has finished with, i.e.
 * those before the oldest `Relay_Master_Log_File` any member's SQL thread is still executing.
 */
import { MysqlInputError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import { binaryLogs, purgeBinaryLogsTo } from "./sql.ts";

const BINLOG_FILE = /^(.+)\.(\d+)$/;

/**
 * The oldest of the members' files (binlog names end in a numeric index), or null when a member
 * did not report one: then nothing may be purged.
 */
export function purgeTarget(memberFiles: readonly string[]): string | null {
  if (memberFiles.length === 0 || memberFiles.some((f) => !BINLOG_FILE.test(f))) return null;
  return memberFiles.reduce((min, f) => (indexOf(f) < indexOf(min) ? f : min));
}

function indexOf(file: string): number {
  return Number(BINLOG_FILE.exec(file)?.[2]);
}

/**
 * Purges binary logs before what every member still needs. `memberFiles` is each member's
 * `Relay_Master_Log_File`; returns the file purged up to, or null when nothing was purged.
 */
export async function purgeBinlogs(
  db: MysqlHandle,
  memberFiles: readonly string[],
): Promise<string | null> {
  const target = purgeTarget(memberFiles);
  if (target === null) return null;
  const files = (await db.session.query(binaryLogs())).map((r) => String(r.Log_name));
  if (!files.includes(target)) {
    throw new MysqlInputError(
      `cannot purge up to ${target}: the leader has no such binary log (has ${files[0]}…${
        files.at(-1)
      })`,
    );
  }
  if (files[0] === target) return null;
  await db.session.exec(purgeBinaryLogsTo(target));
  return target;
}
