/**
 * Every difference between the hot-backup tools of the supported servers, in one table:
 * MariaDB's mariabackup/mbstream and Percona's xtrabackup/xbstream for MySQL. The backup code
 * (src/backup) reads only these fields.
 *
 * MariaDB 10.11 with mariabackup is tested live; the MySQL rows are pinned by their text only.
 */
import { type FlavorId, FLAVORS, type ServerVersion } from "./flavor.ts";
import { gtidPurgedStatements, resetsBinaryLogs } from "./gtid_purged.ts";

/** One server family's backup tools. */
export interface BackupTools {
  /** Program names under `backup.xtrabackup-bindir` (or on PATH when it is "."). */
  readonly backup: string;
  readonly extract: string;
  /** Option-file group the backup tool reads its login from. */
  readonly optionGroup: string;
  /** Files in a backup that hold the source's binlog position, newest name first. */
  readonly binlogInfoFiles: readonly string[];
  /** `--compress` value when `backup.compress` is on (the tools differ). */
  readonly compressOption: string;
  /** Which field of the binlog info line is the GTID position (tab-separated). */
  readonly gtidField: number;
}

const MARIADB_TOOLS: BackupTools = {
  backup: "mariabackup",
  extract: "mbstream",
  optionGroup: "mariabackup",
  // MariaDB 10.x writes xtrabackup_binlog_info; 11.x renamed it.
  binlogInfoFiles: ["mariadb_backup_binlog_info", "xtrabackup_binlog_info"],
  compressOption: "--compress",
  gtidField: 2,
};

const XTRABACKUP_TOOLS: BackupTools = {
  backup: "xtrabackup",
  extract: "xbstream",
  optionGroup: "xtrabackup",
  binlogInfoFiles: ["xtrabackup_binlog_info"],
  compressOption: "--compress=zstd",
  gtidField: 2,
};

/** The tools for a server family ("mariadb" or a MySQL flavor). */
export function backupToolsOf(family: "mariadb" | "mysql"): BackupTools {
  return family === "mariadb" ? MARIADB_TOOLS : XTRABACKUP_TOOLS;
}

/**
 * The statements that make a freshly restored server start replicating right after the backup:
 * MariaDB remembers the applied position in `gtid_slave_pos`; MySQL in `gtid_purged`, which can
 * only be set on an empty `gtid_executed` (hence the reset of the restored server's own binlog,
 * with super_read_only lifted for it). The same statements as `replication.gtid-purged`.
 */
export function restoredPositionSql(
  flavor: FlavorId,
  version: ServerVersion | undefined,
  position: string,
): string[] {
  return gtidPurgedStatements(FLAVORS[flavor], position, resetsBinaryLogs(version));
}
