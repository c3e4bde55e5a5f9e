/**
 * The SQL text of every operation, per flavor. Pure: each builder returns statements, which the
 * operations run on one session in order. Golden tests pin the text for every flavor.
 */
import type { Flavor } from "./flavor.ts";
import { account, integer, literal, seconds, sysvarName, sysvarValue } from "./escape.ts";

/** `rpl_semi_sync_master_timeout` for a leader: ~31 million years, so never a silent async. */
export const INFINITE_SEMI_SYNC_TIMEOUT_MS = 1_000_000_000_000_000_000n;

/** Where a replica should replicate from. */
export interface SourceTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Seconds between reconnect attempts. @default 1 */
  connectRetry?: number;
  /** Seconds between heartbeats from the source. @default 1 */
  heartbeatPeriod?: number;
  /** MariaDB only: which local position to resume from. @default "slave_pos" */
  useGtid?: "slave_pos" | "current_pos";
  /** Acknowledge semi-sync (voters do; idle members must not count). @default true */
  semiSyncAck?: boolean;
}

/** `SHOW SLAVE STATUS` or `SHOW REPLICA STATUS`. */
export function replicaStatus(f: Flavor): string {
  return `SHOW ${f.replicaWord} STATUS`;
}

/** The replication positions of this server, one row. */
export function positions(f: Flavor): string {
  if (f.gtid === "mariadb") {
    return "SELECT @@GLOBAL.gtid_current_pos AS current_pos, @@GLOBAL.gtid_binlog_pos AS binlog_pos," +
      " @@GLOBAL.gtid_slave_pos AS slave_pos";
  }
  return "SELECT @@GLOBAL.gtid_executed AS executed, @@GLOBAL.gtid_purged AS purged";
}

/** Identity and read-only state, one row. */
export function serverState(f: Flavor): string {
  const superRo = f.superReadOnly ? ", @@GLOBAL.super_read_only AS super_read_only" : "";
  return "SELECT VERSION() AS version, @@GLOBAL.server_id AS server_id," +
    ` @@GLOBAL.read_only AS read_only${superRo}`;
}

/** Read-only on or off. MySQL: super_read_only too (it implies read_only). */
export function readOnly(f: Flavor, on: boolean): string[] {
  if (!f.superReadOnly) return [`SET GLOBAL read_only = ${on ? 1 : 0}`];
  return on
    ? ["SET GLOBAL read_only = 1", "SET GLOBAL super_read_only = 1"]
    : ["SET GLOBAL super_read_only = 0", "SET GLOBAL read_only = 0"];
}

/** Accounts that `read_only` does not stop (MariaDB READ ONLY ADMIN; MySQL none under super_read_only). */
export function readOnlyExemptAccounts(f: Flavor): string | null {
  if (f.superReadOnly) return null;
  return "SELECT DISTINCT GRANTEE AS grantee FROM information_schema.USER_PRIVILEGES" +
    " WHERE PRIVILEGE_TYPE IN ('READ_ONLY ADMIN', 'READ ONLY ADMIN') ORDER BY GRANTEE";
}

/** `SET GLOBAL name = value`, name checked and value escaped. */
export function setGlobal(name: string, value: string): string {
  return `SET GLOBAL ${sysvarName(name)} = ${sysvarValue(value)}`;
}

/** Reads global variables by name. */
export function globalVariables(names: readonly string[]): string {
  const list = names.map((n) => literal(sysvarName(n))).join(", ");
  return `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${list})`;
}

export function startReplica(f: Flavor): string {
  return `START ${f.replicaWord}`;
}

export function stopReplica(f: Flavor): string {
  return `STOP ${f.replicaWord}`;
}

export function startIoThread(f: Flavor): string {
  return `START ${f.replicaWord} IO_THREAD`;
}

export function stopIoThread(f: Flavor): string {
  return `STOP ${f.replicaWord} IO_THREAD`;
}

/** Forgets the source entirely (a leader has none). */
export function resetReplicaAll(f: Flavor): string {
  return `RESET ${f.replicaWord} ALL`;
}

/** Points this server at a source with GTID auto-positioning; the replica must be stopped. */
export function changeSource(f: Flavor, t: SourceTarget): string {
  const o = f.sourceOption;
  const lines = [
    `${o}_HOST = ${literal(t.host)}`,
    `${o}_PORT = ${integer(t.port, "source port")}`,
    `${o}_USER = ${literal(t.user)}`,
    `${o}_PASSWORD = ${literal(t.password)}`,
    `${o}_CONNECT_RETRY = ${integer(t.connectRetry ?? 1, "connect retry")}`,
    `${o}_HEARTBEAT_PERIOD = ${seconds(t.heartbeatPeriod ?? 1, "heartbeat period")}`,
  ];
  if (f.gtid === "mariadb") {
    lines.push(`MASTER_USE_GTID = ${t.useGtid === "current_pos" ? "current_pos" : "slave_pos"}`);
  } else {
    lines.push(`${o}_AUTO_POSITION = 1`);
    // caching_sha2_password over a non-TLS link needs the server's RSA key (8.0's default plugin).
    if (f.id !== "mysql57") lines.push(`GET_${o}_PUBLIC_KEY = 1`);
  }
  return `${f.changeSource}\n  ${lines.join(",\n  ")}`;
}

/** Waits until `position` is applied, at most `timeoutS`; the row's `rc` is 0 when reached. */
export function waitForPosition(f: Flavor, position: string, timeoutS: number): string {
  const fn = f.gtid === "mariadb" ? "MASTER_GTID_WAIT" : "WAIT_FOR_EXECUTED_GTID_SET";
  // MySQL 5.7 takes whole seconds, and 0 waits forever: a deadline under 0.5 s would become no
  // deadline (MySQL 5.7 manual 12.18 "Functions Used with Global Transaction Identifiers"). Whole
  // seconds are valid on every MySQL, so all get at least 1 s and never more than the deadline.
  const timeout = f.gtid === "mysql" ? Math.max(1, Math.floor(timeoutS)) : timeoutS;
  return `SELECT ${fn}(${literal(position)}, ${seconds(timeout, "catch-up timeout")}) AS rc`;
}

/**
 * Semi-sync for a leader: wait point AFTER_SYNC, timeout effectively infinite, still waiting with
 * no replica, then `waitCount` acknowledgements; 0 means no replica can ack (semi-sync off).
 */
export function semiSyncLeader(f: Flavor, waitCount: number): string[] {
  const p = f.semiSyncSource;
  if (waitCount === 0) return [`SET GLOBAL ${p}_enabled = OFF`];
  const out = [
    `SET GLOBAL ${p}_wait_point = 'AFTER_SYNC'`,
    `SET GLOBAL ${p}_timeout = ${INFINITE_SEMI_SYNC_TIMEOUT_MS}`,
    `SET GLOBAL ${p}_wait_no_${p === "rpl_semi_sync_source" ? "replica" : "slave"} = ON`,
  ];
  if (f.waitCountVariable) {
    out.push(`SET GLOBAL ${f.waitCountVariable} = ${integer(waitCount, "semi-sync wait count")}`);
  }
  out.push(`SET GLOBAL ${p}_enabled = ON`);
  return out;
}

/**
 * Semi-sync for a replica: never act as a semi-sync primary; acknowledge unless told not to; and
 * where stopping replication waits on the source (MariaDB), wait the least.
 */
export function semiSyncReplica(f: Flavor, ack = true): string[] {
  const stop = f.stopKillTimeoutVariable;
  return [
    `SET GLOBAL ${f.semiSyncSource}_enabled = OFF`,
    `SET GLOBAL ${f.semiSyncReplica}_enabled = ${ack ? "ON" : "OFF"}`,
    ...(stop === null ? [] : [`SET GLOBAL ${stop} = 1`]),
  ];
}

/**
 * How many sessions wait for a semi-sync acknowledgement. Killing one of them can make binlog
 * group commit acknowledge it and its group without any replica (see fence.ts), so nothing that
 * would release them may run while this is not 0.
 */
export function semiSyncWaitSessions(f: Flavor): string {
  const p = f.semiSyncSource;
  return `SHOW GLOBAL STATUS LIKE '${p[0].toUpperCase()}${p.slice(1)}_wait_sessions'`;
}

/** The leader side of semi-sync: status, connected semi-sync replicas, sessions waiting. */
export function semiSyncLeaderStatus(f: Flavor): string {
  const p = f.semiSyncSource;
  const name = (suffix: string) => `'${p[0].toUpperCase()}${p.slice(1)}_${suffix}'`;
  return `SHOW GLOBAL STATUS WHERE Variable_name IN (${name("status")}, ${name("clients")}, ` +
    `${name("wait_sessions")})`;
}

/** Stops the server from a client session (MySQL 5.7.9+, MariaDB 10.0.4+): clients lose their connections. */
export function shutdownServer(): string {
  return "SHUTDOWN";
}

/** Every thread but the caller's, for fencing. */
export function processList(): string {
  return "SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command," +
    " TIME AS time, STATE AS state FROM information_schema.PROCESSLIST" +
    " WHERE ID <> CONNECTION_ID() ORDER BY ID";
}

export function killConnection(id: number): string {
  return `KILL CONNECTION ${integer(id, "thread id")}`;
}

export function killQuery(id: number): string {
  return `KILL QUERY ${integer(id, "thread id")}`;
}

export function binaryLogs(): string {
  return "SHOW BINARY LOGS";
}

/** Deletes binary logs before `file` (the file itself is kept). */
export function purgeBinaryLogsTo(file: string): string {
  return `PURGE BINARY LOGS TO ${literal(file)}`;
}

/** The replication user, written with the binlog off: must run on one session, in order. */
export function createReplicationUser(user: string, password: string): string[] {
  const who = account(user, "%");
  return [
    "SET SESSION sql_log_bin = 0",
    `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ${literal(password)}`,
    `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ${who}`,
    "SET SESSION sql_log_bin = 1",
  ];
}

/**
 * `statements` with super_read_only lifted around them (read_only stays on): super_read_only
 * refuses account changes and writes to mysql.gtid_executed even for SUPER (error 1290; MySQL 5.7
 * manual 5.1.7 "Server System Variables", super_read_only). MariaDB has no super_read_only.
 */
export function withSuperReadOnlyLifted(f: Flavor, statements: readonly string[]): string[] {
  if (!f.superReadOnly) return [...statements];
  return ["SET GLOBAL super_read_only = 0", ...statements, "SET GLOBAL super_read_only = 1"];
}

export function userExists(user: string, host: string): string {
  account(user, host);
  return `SELECT User AS user FROM mysql.user WHERE User = ${literal(user)} AND Host = ${
    literal(host)
  }`;
}

export function listUsers(): string {
  return "SELECT User AS user, Host AS host, Super_priv AS super_priv FROM mysql.user" +
    " ORDER BY User, Host";
}

export function createUser(user: string, host: string, password: string, ssl: boolean): string {
  const x509 = ssl ? " REQUIRE X509" : "";
  return `CREATE USER ${account(user, host)} IDENTIFIED BY ${literal(password)}${x509}`;
}

export function dropUser(user: string, host: string): string {
  return `DROP USER ${account(user, host)}`;
}

export function changePassword(user: string, host: string, password: string): string {
  return `ALTER USER ${account(user, host)} IDENTIFIED BY ${literal(password)}`;
}

/** `GRANT <privs> ON <db>.<table> TO user@host`; privileges and names already validated. */
export function grant(
  privileges: readonly string[],
  on: { database: string; table: string },
  who: { user: string; host: string; withGrantOption?: boolean },
): string {
  const option = who.withGrantOption ? " WITH GRANT OPTION" : "";
  return `GRANT ${privileges.join(", ")} ON ${on.database}.${on.table} TO ${
    account(who.user, who.host)
  }${option}`;
}
