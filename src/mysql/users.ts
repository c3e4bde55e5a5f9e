/**
 * The xenoncli user commands (createuser, createsuperuser, createuserwithgrants, dropuser,
 * changepassword, getuser) and the replication user. Every value is escaped, privileges are
 * checked against the original's list, and passwords are registered as secrets.
 */
import { registerSecret } from "../lib/redact.ts";
import { MysqlInputError } from "./errors.ts";
import { grantTarget } from "./escape.ts";
import type { MysqlHandle } from "./handle.ts";
import {
  changePassword as changePasswordSql,
  createReplicationUser as createReplicationUserSql,
  createUser as createUserSql,
  dropUser as dropUserSql,
  grant,
  listUsers as listUsersSql,
  userExists,
} from "./sql.ts";
import { execWithSuperReadOnlyLifted } from "./read_only.ts";

/** Privileges an ordinary user gets, and the only ones `createuserwithgrants` accepts. */
export const NORMAL_PRIVILEGES: readonly string[] = [
  "ALTER",
  "ALTER ROUTINE",
  "CREATE",
  "CREATE ROUTINE",
  "CREATE TEMPORARY TABLES",
  "CREATE VIEW",
  "DELETE",
  "DROP",
  "EXECUTE",
  "EVENT",
  "INDEX",
  "INSERT",
  "LOCK TABLES",
  "PROCESS",
  "RELOAD",
  "SELECT",
  "SHOW DATABASES",
  "SHOW VIEW",
  "UPDATE",
  "TRIGGER",
  "REFERENCES",
  "REPLICATION SLAVE",
  "REPLICATION CLIENT",
];

/**
 * Privileges that exist only at the global level: granting them ON db.* or db.tbl fails with
 * error 1221 "Incorrect usage of DB GRANT and GLOBAL PRIVILEGES" (MySQL 8.0 manual 8.2.2
 * "Privileges Provided by MySQL": administrative privileges are global), after CREATE USER ran.
 */
export const GLOBAL_ONLY_PRIVILEGES: readonly string[] = [
  "PROCESS",
  "RELOAD",
  "SHOW DATABASES",
  "REPLICATION SLAVE",
  "REPLICATION CLIENT",
];

/** A new account. `ssl` is the CLI's YES/NO (YES adds REQUIRE X509). */
export interface NewUser {
  user: string;
  host: string;
  password: string;
  ssl: string;
}

/** Parses the CLI's YES/NO. */
export function parseSsl(ssl: string): boolean {
  const v = ssl.trim().toUpperCase();
  if (v === "YES") return true;
  if (v === "NO") return false;
  throw new MysqlInputError(`ssl must be YES or NO, got ${JSON.stringify(ssl)}`);
}

/** Validates a comma-separated privilege list (case-insensitive, trailing comma allowed). */
export function parsePrivileges(list: string): string[] {
  const privileges = list.split(",").map((p) => p.trim().replace(/\s+/g, " ").toUpperCase())
    .filter((p) => p !== "");
  if (privileges.length === 0) {
    throw new MysqlInputError("no privileges given: list them comma-separated, e.g. SELECT,INSERT");
  }
  const unknown = privileges.filter((p) => !NORMAL_PRIVILEGES.includes(p));
  if (unknown.length > 0) {
    throw new MysqlInputError(
      `privilege ${unknown.map((p) => JSON.stringify(p)).join(", ")} not allowed: use ${
        NORMAL_PRIVILEGES.join(",")
      }`,
    );
  }
  return privileges;
}

/** `createuser`: the account with the ordinary privileges on everything. */
export async function createNormalUser(db: MysqlHandle, u: NewUser): Promise<void> {
  const ssl = parseSsl(u.ssl);
  registerSecret(u.password);
  await db.session.exec([
    createUserSql(u.user, u.host, u.password, ssl),
    grant(NORMAL_PRIVILEGES, { database: "*", table: "*" }, u),
  ]);
}

/** `createsuperuser`: ALL PRIVILEGES WITH GRANT OPTION. */
export async function createSuperUser(db: MysqlHandle, u: NewUser): Promise<void> {
  const ssl = parseSsl(u.ssl);
  registerSecret(u.password);
  await db.session.exec([
    createUserSql(u.user, u.host, u.password, ssl),
    grant(["ALL PRIVILEGES"], { database: "*", table: "*" }, { ...u, withGrantOption: true }),
  ]);
}

/** `createuserwithgrants`: chosen privileges on `database`.`table` ("" or * = all). */
export async function createUserWithGrants(db: MysqlHandle, u: UserWithGrants): Promise<void> {
  const statements = userWithGrantsStatements(u);
  registerSecret(u.password);
  await db.session.exec(statements);
}

export type UserWithGrants = NewUser & { database: string; table: string; privileges: string };

/**
 * The statements of `createuserwithgrants`, every input checked first: a GRANT failing after
 * CREATE USER ran would leave the account behind.
 */
export function userWithGrantsStatements(u: UserWithGrants): string[] {
  const ssl = parseSsl(u.ssl);
  const privileges = parsePrivileges(u.privileges);
  const on = {
    database: grantTarget(u.database, "database"),
    table: grantTarget(u.table, "table"),
  };
  const globalOnly = privileges.filter((p) => GLOBAL_ONLY_PRIVILEGES.includes(p));
  if ((on.database !== "*" || on.table !== "*") && globalOnly.length > 0) {
    throw new MysqlInputError(
      `${globalOnly.join(", ")} can only be granted on *.* (global privileges), not on ` +
        `${on.database}.${on.table}; grant them separately with database and table *`,
    );
  }
  return [
    createUserSql(u.user, u.host || "%", u.password, ssl),
    grant(privileges, on, { user: u.user, host: u.host || "%" }),
  ];
}

/** `dropuser`. */
export async function dropUser(db: MysqlHandle, user: string, host: string): Promise<void> {
  await db.session.exec(dropUserSql(user, host));
}

/** `changepassword`. */
export async function changePassword(
  db: MysqlHandle,
  u: { user: string; host: string; password: string },
): Promise<void> {
  registerSecret(u.password);
  await db.session.exec(changePasswordSql(u.user, u.host, u.password));
}

/** One row of `getuser`, in the original's JSON field names. */
export interface UserRow {
  User: string;
  Host: string;
  SuperPriv: string;
}

/** `getuser`: every account with its SUPER flag. */
export async function listUsers(db: MysqlHandle): Promise<UserRow[]> {
  const rows = await db.session.query(listUsersSql());
  return rows.map((r) => ({
    User: String(r.user),
    Host: String(r.host),
    SuperPriv: String(r.super_priv),
  }));
}

/**
 * Creates `'user'@'%'` for replication if missing, with the binlog off on this one session (so
 * the account is never replicated as a GTID of its own). Returns whether it was created.
 */
export async function ensureReplicationUser(
  db: MysqlHandle,
  repl: { user: string; password: string },
): Promise<boolean> {
  registerSecret(repl.password);
  const rows = await db.session.query(userExists(repl.user, "%"));
  if (rows.length > 0) return false;
  try {
    // Right after the start-up fence: super_read_only would refuse CREATE USER and GRANT.
    await execWithSuperReadOnlyLifted(db, createReplicationUserSql(repl.user, repl.password));
  } finally {
    // The session must never be left with the binlog off, even after a failure.
    if (db.session.usable) {
      await db.session.exec("SET SESSION sql_log_bin = 1").catch(() => db.session.close());
    }
  }
  return true;
}
