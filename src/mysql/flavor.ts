/**
 * Every difference between the supported servers, in one table. The SQL builders in `sql.ts`
 * read only these fields, so adding a server means adding a row here.
 *
 * MariaDB 10.11 is tested against a live server; the MySQL rows are tested by their SQL text only.
 */
import { type Family, familyOfVersion } from "../config/mysql_version.ts";
import { ConfigError } from "../lib/errors.ts";

/** The dialects xenon speaks. `mysql84` is MySQL 8.0.26+ and 8.4 with REPLICA/SOURCE syntax. */
export type FlavorId = "mariadb" | "mysql57" | "mysql80" | "mysql84";

/** Column names of `SHOW SLAVE STATUS` / `SHOW REPLICA STATUS` that xenon reads. */
export interface ReplicaColumns {
  ioRunning: string;
  sqlRunning: string;
  secondsBehind: string;
  sourceHost: string;
  sourcePort: string;
  relaySourceLogFile: string;
  ioState: string;
  /** The source binlog the IO thread reads, and how far (relay backlog in bytes). */
  sourceLogFile: string;
  readSourceLogPos: string;
  /** How far the SQL thread executed in `relaySourceLogFile`. */
  execSourceLogPos: string;
}

/** One server dialect. */
export interface Flavor {
  readonly id: FlavorId;
  /** For messages: "MariaDB 10.11", "MySQL 8.0.26+/8.4". */
  readonly label: string;
  /** GTID model: MariaDB domain-server-seq positions or MySQL uuid:interval sets. */
  readonly gtid: "mariadb" | "mysql";
  /** SLAVE (`START SLAVE`) or REPLICA (`START REPLICA`). */
  readonly replicaWord: "SLAVE" | "REPLICA";
  /** `CHANGE MASTER TO` or `CHANGE REPLICATION SOURCE TO`, and the option prefix (MASTER_/SOURCE_). */
  readonly changeSource: "CHANGE MASTER TO" | "CHANGE REPLICATION SOURCE TO";
  readonly sourceOption: "MASTER" | "SOURCE";
  readonly columns: ReplicaColumns;
  /** Prefix of the primary-side semi-sync variables. */
  readonly semiSyncSource: "rpl_semi_sync_master" | "rpl_semi_sync_source";
  /** Prefix of the replica-side semi-sync variables. */
  readonly semiSyncReplica: "rpl_semi_sync_slave" | "rpl_semi_sync_replica";
  /** Whether the primary can wait for more than one acknowledgement (`wait_for_*_count`). */
  readonly waitCountVariable: string | null;
  /**
   * MariaDB: a stopping semi-sync IO thread first connects to its source to end its dump thread,
   * waiting up to this many seconds (2 s measured against a vanished host: each freeze of an
   * election, STOP SLAVE IO_THREAD, waited that long). xenon sets it to 1, the least.
   */
  readonly stopKillTimeoutVariable: string | null;
  /** Whether `super_read_only` exists (MariaDB has only `read_only`, see READ ONLY ADMIN). */
  readonly superReadOnly: boolean;
  /** Name of the log-updates-from-replication variable. */
  readonly logReplicaUpdates: string;
  /**
   * Replica settings for parallel apply, as xenon recommends them (my.cnf names and values): a
   * new leader must apply its relay log before it is writable, and one SQL thread falls seconds
   * behind a primary with several writers. Each keeps the primary's commit order, so a replica's
   * position never has gaps and the election compares it as it does now.
   */
  readonly parallelApply: Readonly<Record<string, string>>;
}

const SLAVE_COLUMNS: ReplicaColumns = {
  ioRunning: "Slave_IO_Running",
  sqlRunning: "Slave_SQL_Running",
  secondsBehind: "Seconds_Behind_Master",
  sourceHost: "Master_Host",
  sourcePort: "Master_Port",
  relaySourceLogFile: "Relay_Master_Log_File",
  ioState: "Slave_IO_State",
  sourceLogFile: "Master_Log_File",
  readSourceLogPos: "Read_Master_Log_Pos",
  execSourceLogPos: "Exec_Master_Log_Pos",
};

const REPLICA_COLUMNS: ReplicaColumns = {
  ioRunning: "Replica_IO_Running",
  sqlRunning: "Replica_SQL_Running",
  secondsBehind: "Seconds_Behind_Source",
  sourceHost: "Source_Host",
  sourcePort: "Source_Port",
  relaySourceLogFile: "Relay_Source_Log_File",
  ioState: "Replica_IO_State",
  sourceLogFile: "Source_Log_File",
  readSourceLogPos: "Read_Source_Log_Pos",
  execSourceLogPos: "Exec_Source_Log_Pos",
};

const MYSQL57: Flavor = {
  id: "mysql57",
  label: "MySQL 5.7",
  gtid: "mysql",
  replicaWord: "SLAVE",
  changeSource: "CHANGE MASTER TO",
  sourceOption: "MASTER",
  columns: SLAVE_COLUMNS,
  semiSyncSource: "rpl_semi_sync_master",
  semiSyncReplica: "rpl_semi_sync_slave",
  waitCountVariable: "rpl_semi_sync_master_wait_for_slave_count",
  stopKillTimeoutVariable: null,
  superReadOnly: true,
  logReplicaUpdates: "log_slave_updates",
  // Commit order needs LOGICAL_CLOCK (and log_slave_updates, which xenon asks for anyway).
  parallelApply: {
    slave_parallel_type: "LOGICAL_CLOCK",
    slave_parallel_workers: "4",
    slave_preserve_commit_order: "ON",
  },
};

/** The table. */
export const FLAVORS: Readonly<Record<FlavorId, Flavor>> = {
  mariadb: {
    id: "mariadb",
    label: "MariaDB 10.11",
    gtid: "mariadb",
    replicaWord: "SLAVE",
    changeSource: "CHANGE MASTER TO",
    sourceOption: "MASTER",
    columns: SLAVE_COLUMNS,
    semiSyncSource: "rpl_semi_sync_master",
    semiSyncReplica: "rpl_semi_sync_slave",
    waitCountVariable: null,
    stopKillTimeoutVariable: "rpl_semi_sync_slave_kill_conn_timeout",
    superReadOnly: false,
    logReplicaUpdates: "log_slave_updates",
    // In-order: transactions of one domain commit in the primary's order (gtid_strict_mode
    // holds); optimistic runs them in parallel and retries a conflicting one, on InnoDB.
    parallelApply: { slave_parallel_threads: "4", slave_parallel_mode: "optimistic" },
  },
  mysql57: MYSQL57,
  // Before 8.0.26 MySQL 8.0 speaks 5.7's replication dialect.
  mysql80: { ...MYSQL57, id: "mysql80", label: "MySQL 8.0 before 8.0.26" },
  mysql84: {
    id: "mysql84",
    label: "MySQL 8.0.26+/8.4",
    gtid: "mysql",
    replicaWord: "REPLICA",
    changeSource: "CHANGE REPLICATION SOURCE TO",
    sourceOption: "SOURCE",
    columns: REPLICA_COLUMNS,
    semiSyncSource: "rpl_semi_sync_source",
    semiSyncReplica: "rpl_semi_sync_replica",
    waitCountVariable: "rpl_semi_sync_source_wait_for_replica_count",
    stopKillTimeoutVariable: null,
    superReadOnly: true,
    logReplicaUpdates: "log_replica_updates",
    // LOGICAL_CLOCK is the default since 8.0.27 and replica_parallel_type is deprecated, so it
    // is not set (8.0.26 alone still defaults to DATABASE, which commit order refuses).
    parallelApply: { replica_parallel_workers: "4", replica_preserve_commit_order: "ON" },
  },
};

/** Which server an installation holds, known from its files before any server answered. */
export type InstallFamily = "mariadb" | "mysql";

/**
 * Options for every mysqld start by the agent: read-only until the agent promotes it, and no
 * replication until the agent points it at the leader. mysqld_safe reuses them when it restarts
 * a crashed mysqld (an OOM kill while the agent is down), and on the command line they override
 * the my.cnf. MySQL: `super_read_only` too; `--skip-slave-start` is 5.7's name and
 * `--skip-replica-start` 8.0.26's, so both go `--loose-` (a server ignores the one it lacks).
 * `--super-read-only` goes `--loose-` as well: MariaDB has no such option, and a MariaDB host
 * misdetected as MySQL must still start (read-only all the same).
 */
export function readOnlyStartOptions(family: InstallFamily): string[] {
  if (family === "mariadb") return ["--read-only", "--skip-slave-start"];
  return [
    "--read-only",
    "--loose-super-read-only",
    "--loose-skip-slave-start",
    "--loose-skip-replica-start",
  ];
}

/**
 * The family named by a `mysql.version` value (src/config/mysql_version.ts holds the one rule).
 * Throws ConfigError for anything else, including `mysql56` (end of life, no `super_read_only`).
 */
export function familyFromConfig(version: string): Family {
  const family = familyOfVersion(version);
  if (typeof family !== "string") throw new ConfigError(`mysql.version ${family.problem}`);
  return family;
}

/** Parsed `SELECT VERSION()`: family, numbers, and the dialect it speaks. */
export interface ServerVersion {
  text: string;
  family: Family;
  major: number;
  minor: number;
  patch: number;
  flavor: FlavorId;
}

/** Reads `SELECT VERSION()` text such as `10.11.19-MariaDB-0+deb12u1` or `8.0.36`. */
export function parseServerVersion(text: string): ServerVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!m) throw new ConfigError(`server version ${JSON.stringify(text)} is not recognised`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const base = { text, major, minor, patch };
  if (/mariadb/i.test(text)) {
    if (major < 10 || (major === 10 && minor < 5)) {
      throw new ConfigError(`${text}: MariaDB before 10.5 is not supported; upgrade to 10.11`);
    }
    return { ...base, family: "mariadb", flavor: "mariadb" };
  }
  if (major === 5 && minor === 7) return { ...base, family: "mysql57", flavor: "mysql57" };
  if (major === 8 && minor === 0 && patch < 26) {
    return { ...base, family: "mysql80", flavor: "mysql80" };
  }
  if (major >= 8) return { ...base, family: "mysql80", flavor: "mysql84" };
  throw new ConfigError(`${text}: MySQL before 5.7 is not supported; upgrade to 5.7 or 8.0`);
}

/**
 * Whether mysqld takes `--init-rpl-role` (MariaDB 10.6.19+, 10.11.9+, 11.4.3+ and the series
 * after 11.4): without it the start fails on an unknown option, so the live version decides.
 */
export function hasInitRplRole(v: ServerVersion): boolean {
  if (v.family !== "mariadb") return false;
  const series = v.major * 100 + v.minor;
  if (series === 1006) return v.patch >= 19;
  if (series === 1011) return v.patch >= 9;
  if (series === 1104) return v.patch >= 3;
  return series > 1104;
}

/** The dialect to use, and a one-line note when the config names another family. */
export interface FlavorChoice {
  flavor: Flavor;
  mismatch?: string;
}

/**
 * Picks the dialect from the live server's version (the server is what parses the SQL) and
 * reports when `mysql.version` says otherwise, so the operator can fix the config.
 */
export function chooseFlavor(configured: string | undefined, version: ServerVersion): FlavorChoice {
  const flavor = FLAVORS[version.flavor];
  if (configured === undefined || configured === "") return { flavor };
  const wanted = familyFromConfig(configured);
  if (wanted === version.family) return { flavor };
  return {
    flavor,
    mismatch: `mysql.version is ${configured} but the server is ${version.text}: ` +
      `using ${flavor.label}; set mysql.version to ${version.family}`,
  };
}
