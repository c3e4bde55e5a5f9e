import { oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";

/** Something the server or the driver refused; `errno`/`code` are the server's when known. */
export class MysqlError extends XenonError {
  readonly errno?: number;
  readonly code?: string;

  constructor(message: string, options: { errno?: number; code?: string; cause?: unknown } = {}) {
    super(redact(message), { cause: options.cause });
    this.name = "MysqlError";
    this.errno = options.errno;
    this.code = options.code;
  }
}

/** The server cannot be reached or refuses the login: nothing was executed. */
export class MysqlUnavailableError extends MysqlError {
  constructor(message: string, options: { errno?: number; code?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = "MysqlUnavailableError";
  }
}

/** A statement ran past its deadline; it was killed on the server (`KILL QUERY`). */
export class MysqlTimeoutError extends MysqlError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, code: "XENON_TIMEOUT" });
    this.name = "MysqlTimeoutError";
  }
}

/** Input to a MySQL operation is wrong before anything is sent (bad name, privilege, value). */
export class MysqlInputError extends XenonError {
  constructor(message: string) {
    super(redact(message));
    this.name = "MysqlInputError";
  }
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "ER_CON_COUNT_ERROR",
]);

/** Whether a driver error means "the server is not there" rather than "the statement failed". */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as DriverError | undefined)?.code;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

/** A one-line MysqlError for a driver error, prefixed with where it happened. */
export function fromDriverError(where: string, error: unknown): MysqlError {
  if (error instanceof XenonError) return error as MysqlError;
  const e = (error ?? {}) as DriverError;
  const detail = oneLine(e.sqlMessage ?? e.message ?? String(error));
  const code = e.code;
  const options = { errno: e.errno, code, cause: error };
  if (code === "ER_ACCESS_DENIED_ERROR" || e.errno === 1045) {
    return new MysqlUnavailableError(
      `${where}: access denied (${detail}); check the admin user and password`,
      options,
    );
  }
  if (isConnectionLost(error)) {
    return new MysqlUnavailableError(
      `${where}: server not reachable (${code}: ${detail})`,
      options,
    );
  }
  const codeText = code && e.errno ? ` [${code} ${e.errno}]` : "";
  return new MysqlError(`${where}: ${detail}${codeText}`, options);
}

/**
 * Sessions are waiting for semi-sync acknowledgements that must never come: the only safe way to
 * end them is to stop the server hard (a SIGKILL: clients see a lost connection, and MariaDB's
 * `--init-rpl-role=SLAVE` restart truncates the unacknowledged binlog tail). Killing the sessions
 * or turning semi-sync off would acknowledge their writes on this server alone.
 */
export class AcksPendingError extends MysqlError {
  readonly waiting: number;

  constructor(message: string, waiting: number) {
    super(message, { code: "XENON_ACKS_PENDING" });
    this.name = "AcksPendingError";
    this.waiting = waiting;
  }
}
