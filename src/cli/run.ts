/**
 * Runs one command line and returns the exit code: 0 done, 1 the operation failed, 2 the command
 * was misused. Every error is one line on stderr; the stack only with XENON_DEBUG=1.
 */
import { CommanderError } from "commander";
import { EXIT_FAILED, EXIT_USAGE, oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { type CliIo, createContext, type GlobalOptions } from "./context.ts";
import { buildProgram } from "./program.ts";

export type { CliIo };

export async function runCli(argv: string[], invokedAs: string, io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(invokedAs, {
    context: (options: GlobalOptions) =>
      createContext(options, io, (command) => runCli(command, invokedAs, io)),
    setExit: (code) => exitCode = code,
    out: io.out,
    err: io.err,
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version output end here too, with exit code 0.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  io.err(`error: ${redact(oneLine(error))}`);
  if (Deno.env.get("XENON_DEBUG") === "1" && error instanceof Error && error.stack) {
    io.err(redact(error.stack));
  }
  return error instanceof XenonError ? error.exitCode : EXIT_FAILED;
}
