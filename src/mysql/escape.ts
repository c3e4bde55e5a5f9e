/**
 * The only way values enter SQL text: string literals are escaped by the driver's escaper, names
 * are checked against a strict pattern, and numbers must be finite integers.
 */
import mysql from "mysql2/promise";
import { MysqlInputError } from "./errors.ts";

/**
 * `'text'` with quotes and backslashes escaped. Agent sessions always have backslash escapes on
 * (NO_BACKSLASH_ESCAPES is dropped at connect: see MysqlSession.open).
 */
export function literal(value: string): string {
  return mysql.escape(String(value));
}

/** `'user'@'host'` for account statements. */
export function account(user: string, host: string): string {
  if (user === "") throw new MysqlInputError("user name is empty: give a user name");
  if (user.length > 80) throw new MysqlInputError(`user name is longer than 80 characters`);
  if (host === "") throw new MysqlInputError("host is empty: give a host such as % or 127.0.0.1");
  return `${literal(user)}@${literal(host)}`;
}

/** A non-negative integer for SQL text (ports, counts, timeouts). */
export function integer(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MysqlInputError(`${what} must be a non-negative integer, got ${value}`);
  }
  return String(value);
}

/** A non-negative number of seconds, fractional allowed (wait functions take decimals). */
export function seconds(value: number, what: string): string {
  if (!Number.isFinite(value) || value < 0) {
    throw new MysqlInputError(`${what} must be a non-negative number of seconds, got ${value}`);
  }
  return String(Math.round(value * 1000) / 1000);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A system variable name (letters, digits, underscores); anything else is refused. */
export function sysvarName(name: string): string {
  if (!NAME.test(name)) {
    throw new MysqlInputError(
      `system variable name ${JSON.stringify(name)} is not valid: use letters, digits and _`,
    );
  }
  return name.toLowerCase();
}

/** A database or table name for GRANT: `*` or a backquoted identifier. */
export function grantTarget(name: string, what: string): string {
  if (name === "" || name === "*") return "*";
  if (name.length > 64 || name.includes("\0")) {
    throw new MysqlInputError(`${what} name ${JSON.stringify(name)} is not valid`);
  }
  return mysql.escapeId(name, true);
}

const KEYWORD_VALUES = new Set(["ON", "OFF", "DEFAULT", "TRUE", "FALSE"]);
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A sysvar value: numbers and ON/OFF/DEFAULT/TRUE/FALSE as they are, anything else quoted. */
export function sysvarValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw new MysqlInputError("system variable value is empty");
  if (NUMBER.test(trimmed)) return trimmed;
  if (KEYWORD_VALUES.has(trimmed.toUpperCase())) return trimmed.toUpperCase();
  return literal(trimmed.replace(/^'(.*)'$/s, "$1"));
}
