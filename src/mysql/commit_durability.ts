/**
 * The primary's commit durability where a crash restart truncates. MariaDB restarted with
 * `--init-rpl-role=SLAVE` (how xenon restarts it, so a former primary drops its unacknowledged
 * tail) rolls back every transaction not committed in InnoDB and truncates the binlog from the
 * first of them. With a binlog and innodb_flush_log_at_trx_commit=1, InnoDB leaves the commit
 * record in memory, since the binlog alone could recover it ("Binlog group commit and
 * innodb_flush_log_at_trx_commit", MariaDB KB): a kill right after commits returned truncates
 * them, acknowledged or not. At 3 the record is flushed before the commit returns.
 */
import type { ServerVersion } from "./flavor.ts";
import { hasInitRplRole } from "./flavor.ts";
import type { MysqlHandle } from "./handle.ts";
import { setGlobal } from "./sql.ts";

/** The innodb_flush_log_at_trx_commit a primary of `version` is raised to from 1, or null. */
export function primaryCommitFlush(version: ServerVersion | undefined): 3 | null {
  return version !== undefined && hasInitRplRole(version) ? 3 : null;
}

/**
 * Raises innodb_flush_log_at_trx_commit from 1 to what the server needs so commits it returned
 * survive a truncating restart; other values (0 and 2 are the operator's choice of less
 * durability, which the config check warns about) stay. Returns what it changed, or null.
 */
export async function keepReturnedCommits(db: MysqlHandle): Promise<string | null> {
  const wanted = primaryCommitFlush(db.version);
  if (wanted === null) return null;
  const now = Number(
    await db.session.scalar("SELECT @@GLOBAL.innodb_flush_log_at_trx_commit AS f", "f"),
  );
  if (now !== 1) return null;
  await db.session.exec(setGlobal("innodb_flush_log_at_trx_commit", String(wanted)));
  return `innodb_flush_log_at_trx_commit 1 -> ${wanted}: at 1 a crash restart with ` +
    `--init-rpl-role=SLAVE truncates the last commits, acknowledged ones too`;
}
