/**
 * Operating errors that reach a person. Each message is one line that says what went wrong and
 * what to fix; the CLI prints it without a stack trace (unless XENON_DEBUG=1).
 */

/** Exit codes shared by every command: 1 = the operation failed, 2 = the command was misused. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** An error whose message is fit to show as is. */
export class XenonError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "XenonError";
    this.exitCode = options.exitCode ?? EXIT_FAILED;
  }
}

/** The command line itself is wrong (unknown option, missing argument, not implemented yet). */
export class UsageError extends XenonError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE });
    this.name = "UsageError";
  }
}

/** A configuration file or value is wrong; the message names the key. */
export class ConfigError extends XenonError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_FAILED });
    this.name = "ConfigError";
  }
}

/** One line for any thrown value: a XenonError's message, or the first line of anything else. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].trim() || "unknown error";
}
