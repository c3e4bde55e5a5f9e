/**
 * What every command needs from the command line: the global options, the configuration (found
 * and loaded only when a command asks for it), and where output goes.
 */
import { discoverConfigPath, loadConfig, type XenonConfig } from "../config/mod.ts";
import { UsageError } from "../lib/errors.ts";

export interface GlobalOptions {
  json?: boolean;
  config?: string;
  endpoint?: string;
  timeout?: string;
}

export interface CliContext {
  /** `--json`: machine output instead of xenoncli's tables. */
  readonly json: boolean;
  /** `--timeout`: per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** The path of the configuration file, found as xenoncli finds it (or `-c`, `XENON_CONFIG`). */
  configPath(): string;
  /**
   * The loaded configuration. Its warnings (unknown keys, ...) are not printed: a command that
   * succeeds writes nothing on stderr (the Kubernetes operator's pod executor takes any stderr
   * as failure); `config check` lists them and the daemon logs them.
   */
  config(): Promise<XenonConfig>;
  /** The daemon to talk to: `--endpoint`, else this node's `server.endpoint`. */
  endpoint(): Promise<string>;
  /** One line of output (a newline is added). */
  out(text: string): void;
  /** Output exactly as given, no newline added (the original's JSON answers end without one). */
  write(text: string): void;
  err(text: string): void;
  /** Standard input up to its first newline, for passwords given as `-`. */
  readStdin(): Promise<string>;
  /**
   * Runs another command line of this program in this process, printing where this command
   * prints (the sandbox shows the real `cluster status`); returns its exit code.
   */
  runCommand(argv: string[]): Promise<number>;
}

export const DEFAULT_TIMEOUT_MS = 5000;

/** Parses `--timeout` ("500", "500ms", "5s") into milliseconds. */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const match = /^(\d+)(ms|s)?$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(`--timeout: "${text}" is not a duration; expected e.g. 500ms or 5s`);
  }
  return Number(match[1]) * (match[2] === "s" ? 1000 : 1);
}

/** Checks `--endpoint HOST:PORT`. */
export function parseEndpoint(text: string): string {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(text.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new UsageError(`--endpoint: "${text}" is not HOST:PORT; expected e.g. 10.0.0.11:8801`);
  }
  return text.trim();
}

/** Where a command's input and output go (the process's streams, or a test's buffers). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Raw output without a trailing newline; `out` is used when absent. */
  write?(text: string): void;
  /** Reads standard input (at least its first line); Deno.stdin when absent. */
  readStdin?(): Promise<string>;
  /** The directory of the executable, where xenoncli also looks for config.path. */
  exeDir: string;
}

/** `runCommand` is the program's own entry (run.ts), handed in so no file imports it back. */
export function createContext(
  options: GlobalOptions,
  io: CliIo,
  runCommand: (argv: string[]) => Promise<number>,
): CliContext {
  const timeoutMs = parseTimeout(options.timeout);
  const explicitEndpoint = options.endpoint === undefined
    ? undefined
    : parseEndpoint(options.endpoint);
  let path: string | undefined;
  let loaded: Promise<XenonConfig> | undefined;
  const configPath = () =>
    path ??= discoverConfigPath({
      flag: options.config,
      env: Deno.env.get("XENON_CONFIG"),
      cwd: Deno.cwd(),
      exeDir: io.exeDir,
    });
  const config = () => loaded ??= loadConfig(configPath()).then(({ config }) => config);
  return {
    json: options.json === true,
    timeoutMs,
    configPath,
    config,
    endpoint: async () => explicitEndpoint ?? (await config()).server.endpoint,
    out: io.out,
    write: io.write ?? io.out,
    err: io.err,
    readStdin: io.readStdin ?? readDenoStdin,
    runCommand,
  };
}

/** A password needs a few bytes; more than this on stdin is a mistake, not a password. */
const MAX_STDIN_BYTES = 64 * 1024;

/** Reads stdin up to the first newline (a typed password ends there) or its end. */
async function readDenoStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of Deno.stdin.readable) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) {
      throw new UsageError(`standard input is over ${MAX_STDIN_BYTES} bytes; expected a password`);
    }
    if (chunk.includes(10)) break;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
