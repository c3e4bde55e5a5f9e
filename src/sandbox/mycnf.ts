/**
 * The my.cnf of a local MariaDB instance (sandbox and test harness): GTID, binlog, semi-sync
 * AFTER_SYNC, gtid_strict_mode and the small-memory profile from the lab notes (about 51 MB idle
 * RSS), bound to 127.0.0.1.
 */

import { XenonError } from "../lib/errors.ts";

/** Where an instance keeps its files; every path is absolute and inside `dir`. */
export interface InstancePaths {
  dir: string;
  cnfPath: string;
  dataDir: string;
  socket: string;
  pidFile: string;
  errorLog: string;
  /** `tmpdir`: the instance's own, so nothing else that cleans /tmp can pull its files away. */
  tmpDir: string;
}

export type MysqldOptions = Record<string, string | number | boolean>;

export function instancePaths(dir: string): InstancePaths {
  return {
    dir,
    cnfPath: `${dir}/my.cnf`,
    dataDir: `${dir}/data`,
    socket: `${dir}/run/mysqld.sock`,
    pidFile: `${dir}/run/mysqld.pid`,
    errorLog: `${dir}/log/error.log`,
    tmpDir: `${dir}/tmp`,
  };
}

/** MariaDB accepts `a-b` and `a_b` alike; one spelling lets an override replace a default. */
function optionKey(name: string): string {
  return name.trim().replaceAll("-", "_");
}

function baseOptions(paths: InstancePaths, port: number, serverId: number): MysqldOptions {
  return {
    // mysqld_safe run by root would otherwise pass --user=mysql, which cannot write our dirs.
    user: "root",
    datadir: paths.dataDir,
    socket: paths.socket,
    pid_file: paths.pidFile,
    port,
    bind_address: "127.0.0.1",
    report_host: "127.0.0.1",
    report_port: port,
    log_error: paths.errorLog,
    // Temporary tables of install-db's bootstrap in a shared /tmp were seen to vanish
    // ("Unknown table 'mysql.tmp_user_sys'"): every instance keeps its own.
    tmpdir: paths.tmpDir,
    server_id: serverId,
    log_bin: `${paths.dataDir}/mysql-bin`,
    log_bin_index: `${paths.dataDir}/mysql-bin.index`,
    relay_log: `${paths.dataDir}/relay-bin`,
    binlog_format: "ROW",
    gtid_strict_mode: 1,
    gtid_domain_id: 0,
    log_slave_updates: 1,
    // Master-side semi-sync is switched on for the primary only (cluster.replicate), as xenon
    // does: on a replica with log_slave_updates it makes the SQL thread wait for acks nobody
    // sends, so the first applied transaction after each start stalls for the whole timeout.
    rpl_semi_sync_master_enabled: 0,
    rpl_semi_sync_slave_enabled: 1,
    rpl_semi_sync_master_wait_point: "AFTER_SYNC",
    rpl_semi_sync_master_timeout: 5000,
    // A replica notices a dead primary within seconds (heartbeat is 1 s, see the cluster).
    slave_net_timeout: 4,
    skip_name_resolve: 1,
    innodb_buffer_pool_size: "8M",
    innodb_log_file_size: "8M",
    innodb_log_buffer_size: "2M",
    key_buffer_size: "1M",
    aria_pagecache_buffer_size: "1M",
    query_cache_size: 0,
    table_open_cache: 200,
    performance_schema: 0,
    max_connections: 50,
  };
}

function optionLine(name: string, value: string | number | boolean): string {
  const text = String(value);
  if (/[\n\r]/.test(name + text)) {
    throw new XenonError(`mysqld option ${JSON.stringify(name)}: a line break is not allowed`);
  }
  // true is a bare flag (`skip_slave_start`); false is 0, which every boolean option accepts.
  if (value === true) return name;
  return `${name}=${value === false ? 0 : text}`;
}

/**
 * The file's text. `overrides` replace defaults of the same name (dashes or underscores) or are
 * added; to run without a binlog pass `{ skip_log_bin: true }` (`log_bin: false` would name it 0).
 */
export function renderMyCnf(
  paths: InstancePaths,
  port: number,
  serverId: number,
  overrides: MysqldOptions = {},
  writtenBy = "the xenon test harness",
): string {
  const options = new Map<string, string | number | boolean>();
  for (const [name, value] of Object.entries(baseOptions(paths, port, serverId))) {
    options.set(name, value);
  }
  for (const [name, value] of Object.entries(overrides)) {
    const key = optionKey(name);
    if (MANAGED_OPTIONS.has(key)) {
      throw new XenonError(
        `mysqld option ${key} is set by ${writtenBy}; remove it from mysqld`,
      );
    }
    options.set(key, value);
  }
  const mysqld = [...options].map(([name, value]) => optionLine(name, value));
  return [
    `# Written by ${writtenBy}; \`mariadb --defaults-file=THIS\` logs in as root.`,
    "[client]",
    `port=${port}`,
    `socket=${paths.socket}`,
    "user=root",
    "",
    "[mysqld]",
    ...mysqld,
    "",
    "[mysqld_safe]",
    `log_error=${paths.errorLog}`,
    `pid_file=${paths.pidFile}`,
    "",
  ].join("\n");
}

/** Options that shape the files install-db writes; a data dir made without them cannot be reused. */
const INIT_TIME_OPTIONS = new Set([
  "innodb_page_size",
  "innodb_data_file_path",
  "innodb_data_home_dir",
  "innodb_undo_tablespaces",
  "innodb_undo_directory",
  "innodb_log_group_home_dir",
  "lower_case_table_names",
]);

/** Options the writer relies on (it finds, starts and reaches instances through them). */
const MANAGED_OPTIONS = new Set(["datadir", "socket", "pid_file", "port", "log_error", "user"]);

/** True if `overrides` change how the data dir must be initialised (no shared template then). */
export function needsOwnInstall(overrides: MysqldOptions): boolean {
  return Object.keys(overrides).some((name) => INIT_TIME_OPTIONS.has(optionKey(name)));
}
