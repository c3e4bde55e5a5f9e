/**
 * A fresh local MariaDB instance as the sandbox and the test harness need it: reachable over its
 * unix socket before any TCP account exists, explained by its error log when it will not start,
 * and given its accounts without binlog so that no node starts with a GTID of its own.
 */

import mysql from "mysql2/promise";

const CONNECT_TIMEOUT_MS = 5_000;

/** Root over the unix socket (unix_socket auth): works before any TCP account exists. */
export async function socketConnection(socket: string): Promise<mysql.Connection> {
  return await mysql.createConnection({
    socketPath: socket,
    user: "root",
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
}

/** True if the server behind `socket` answers a query now. */
export async function answersOnSocket(socket: string): Promise<boolean> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await socketConnection(socket);
    await conn.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await conn?.end().catch(() => {});
  }
}

/**
 * What error.log says went wrong in the latest start: its first [ERROR] (usually the cause:
 * "Unknown suffix 'l' used for variable 'innodb-buffer-pool-size'") and its last (what gave
 * up), or else the last lines.
 */
export function errorLogSummary(path: string): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return `(no error log at ${path})`;
  }
  const lines = text.trim().split("\n");
  const latestStart = lines.findLastIndex((line) => line.includes("mysqld_safe Starting"));
  const latest = lines.slice(Math.max(latestStart, 0));
  const errors = latest.filter((line) => line.includes("[ERROR]"));
  const picked = errors.length > 0 ? [...new Set([errors[0], errors.at(-1)!])] : latest.slice(-3);
  return picked.join(" | ") || "(error log is empty)";
}

/** One TCP account: `'user'@'%'` with its password and grants (one GRANT statement each). */
export interface Account {
  user: string;
  password: string;
  /** e.g. `ALL PRIVILEGES ON *.*` (WITH GRANT OPTION is added by `grantOption`). */
  grants: string[];
  grantOption?: boolean;
}

/** The replication account's grants on MariaDB 10.11. */
export const REPLICATION_GRANTS =
  "REPLICATION SLAVE, REPLICATION SLAVE ADMIN, BINLOG MONITOR ON *.*";

/**
 * Creates `accounts` over the unix socket with sql_log_bin=0, then RESET MASTER: each node's binlog
 * starts empty, so gtid_strict_mode sees no local transaction when it first replicates.
 */
export async function createAccounts(socket: string, accounts: Account[]): Promise<void> {
  const conn = await socketConnection(socket);
  try {
    await conn.query("SET sql_log_bin=0");
    for (const account of accounts) {
      await conn.query("CREATE USER ?@'%' IDENTIFIED BY ?", [account.user, account.password]);
      for (const grant of account.grants) {
        // Grants are constants of the caller; only the user name is a value.
        const suffix = account.grantOption ? " WITH GRANT OPTION" : "";
        await conn.query(`GRANT ${grant} TO ?@'%'${suffix}`, [account.user]);
      }
    }
    await conn.query("SET sql_log_bin=1");
    await conn.query("RESET MASTER");
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
