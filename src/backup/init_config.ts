/**
 * `rebuildme --init-config`: a minimal my.cnf for a node that has none, from the donor's own
 * settings where they must match (page size, table-name case, binlog and GTID settings) and from
 * this node's xenon.json where they are its own (port, datadir, a server_id of its own).
 */

/** The donor's variables the new server must share (those a server lacks are skipped). */
export const DONOR_SETTINGS = [
  "binlog_format",
  "log_bin_basename",
  "innodb_page_size",
  "lower_case_table_names",
  "character_set_server",
  "collation_server",
  "gtid_strict_mode",
  "gtid_mode",
  "enforce_gtid_consistency",
  "log_slave_updates",
  "log_replica_updates",
  "skip_name_resolve",
] as const;

export interface InitConfigInput {
  donor: string;
  settings: Record<string, string>;
  datadir: string;
  port: number;
  endpoint: string;
  /** The user mysqld runs as: the owner of the files the stream writes. */
  user: string;
}

/** A server_id of this node's own, stable for its endpoint (FNV-1a, 1..2^31-1). */
export function serverIdOf(endpoint: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(endpoint)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return (hash % 0x7ffffffe) + 1;
}

const ON = /^(ON|1)$/i;

export function renderInitConfig(i: InitConfigInput): string {
  const s = i.settings;
  const d = i.datadir.replace(/\/+$/, "");
  const lines = [
    `# Written by xenon mysql rebuildme --init-config from donor ${i.donor}; review it.`,
    "[mysqld]",
    `user=${i.user}`,
    `datadir=${d}`,
    `port=${i.port}`,
    `socket=${d}/mysqld.sock`,
    `pid_file=${d}/mysqld.pid`,
    `log_error=${d}/mysqld.err`,
    `server_id=${serverIdOf(i.endpoint)}`,
    // Replicas start read-only; the election makes the leader writable.
    "read_only=ON",
    `log_bin=${(s.log_bin_basename ?? "mysql-bin").replace(/^.*\//, "")}`,
  ];
  const copy = (name: string) => s[name] !== undefined && lines.push(`${name}=${s[name]}`);
  for (const name of ["binlog_format", "innodb_page_size", "lower_case_table_names"]) copy(name);
  for (const name of ["character_set_server", "collation_server"]) copy(name);
  for (const name of ["gtid_strict_mode", "gtid_mode", "enforce_gtid_consistency"]) copy(name);
  if (ON.test(s.log_slave_updates ?? "")) lines.push("log_slave_updates=ON");
  if (ON.test(s.log_replica_updates ?? "")) lines.push("log_replica_updates=ON");
  // Accounts such as 'root'@'%' are matched as the donor matches them.
  if (ON.test(s.skip_name_resolve ?? "")) lines.push("skip_name_resolve=ON");
  return lines.join("\n") + "\n";
}
