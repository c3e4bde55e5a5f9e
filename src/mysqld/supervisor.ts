/**
 * Starting, stopping and killing the local mysqld through mysqld_safe, without a shell:
 * - start: `setsid --fork <basedir>/bin/mysqld_safe --defaults-file=<file>` as an argv, detached,
 *   so the agent can restart without taking mysqld down;
 * - running: by the pid file and /proc identity of mysqld_safe and mysqld (see procfs.ts);
 * - shutdown: `mysqladmin --defaults-file=<0600 temp file> shutdown`: the password is in the
 *   temp file (removed afterwards), never in argv;
 * - kill: SIGKILL mysqld_safe first (or it restarts mysqld), then mysqld, with a bounded wait.
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { mycnfValue } from "../mysql/mycnf.ts";
import { findProcesses, type MysqldProcesses } from "./procfs.ts";

/** How to find and control the local server. */
export interface MysqldOptions {
  /** `<basedir>/bin/mysqld_safe` and `<basedir>/bin/mysqladmin` are used. */
  basedir: string;
  defaultsFile: string;
  /** Admin login for a graceful shutdown. */
  host: string;
  port: number;
  user: string;
  password: string;
  /** @default from the defaults file's pid_file, else `<datadir>/<hostname>.pid` */
  pidFile?: string;
  /** @default 30000 */
  startTimeoutMs?: number;
  /** @default 60000 */
  shutdownTimeoutMs?: number;
  /** @default 10000 */
  killTimeoutMs?: number;
}

/** Start options. */
export interface StartOptions {
  /** MariaDB: restart a former primary as `--init-rpl-role=SLAVE` (binlog tail truncation). */
  initRplRole?: "SLAVE";
}

const POLL_MS = 50;

/** Controls one mysqld instance. */
export class Mysqld {
  readonly options: MysqldOptions;
  #pidFile: string | null | undefined;
  #shuttingDown = false;
  #stoppedOnPurpose = false;

  constructor(options: MysqldOptions) {
    this.options = options;
  }

  /** Whether a graceful shutdown is in progress (the monitor reports SHUTDOWNING). */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** True after a graceful shutdown until the next start: the monitor must not undo it. */
  get stoppedOnPurpose(): boolean {
    return this.#stoppedOnPurpose;
  }

  /** This instance's processes now. */
  processes(): MysqldProcesses {
    return findProcesses(this.options.defaultsFile, this.pidFile());
  }

  /** Running when mysqld_safe or mysqld of this instance is alive. */
  isRunning(): boolean {
    const p = this.processes();
    return p.safe.length > 0 || p.server.length > 0;
  }

  /** The pid file: configured, else the defaults file's pid_file, else datadir/hostname.pid. */
  pidFile(): string | null {
    if (this.#pidFile !== undefined) return this.#pidFile;
    if (this.options.pidFile) return (this.#pidFile = this.options.pidFile);
    let text = "";
    try {
      text = Deno.readTextFileSync(this.options.defaultsFile);
    } catch {
      return null; // start() reports the missing file
    }
    const pid = mycnfValue(text, "pid_file");
    const datadir = mycnfValue(text, "datadir");
    this.#pidFile = pid
      ? (pid.startsWith("/") || !datadir ? pid : `${datadir}/${pid}`)
      : (datadir ? `${datadir}/${Deno.hostname()}.pid` : null);
    return this.#pidFile;
  }

  /**
   * Starts mysqld_safe detached and waits until mysqld runs. No-op when already running.
   * Returns false when it was already running.
   */
  async start(options: StartOptions = {}): Promise<boolean> {
    this.#stoppedOnPurpose = false;
    if (this.isRunning()) return false;
    const safe = `${this.options.basedir.replace(/\/+$/, "")}/bin/mysqld_safe`;
    await assertReadable(this.options.defaultsFile, "mysql.defaults-file");
    await assertReadable(safe, "mysqld_safe under mysql.basedir:");
    const args = [safe, `--defaults-file=${this.options.defaultsFile}`];
    if (options.initRplRole) args.push(`--init-rpl-role=${options.initRplRole}`);
    const launched = await run("setsid", ["--fork", ...args], 5000);
    if (launched.code !== 0) {
      throw new XenonError(`cannot start ${safe}: ${launched.stderr || `exit ${launched.code}`}`);
    }
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const up = await pollUntil(() => this.processes().server.length > 0, timeoutMs);
    if (!up) {
      throw new XenonError(
        `mysqld did not start within ${timeoutMs} ms from ${this.options.defaultsFile}; ` +
          `see its log_error`,
      );
    }
    return true;
  }

  /**
   * Graceful shutdown with mysqladmin; the password goes through a 0600 option file that is
   * removed afterwards. Waits until both processes are gone. No-op when not running.
   */
  async shutdown(): Promise<boolean> {
    if (!this.isRunning()) return false;
    const timeoutMs = this.options.shutdownTimeoutMs ?? 60_000;
    this.#shuttingDown = true;
    this.#stoppedOnPurpose = true;
    const optionFile = await Deno.makeTempFile({ prefix: "xenon-admin-", suffix: ".cnf" });
    try {
      await Deno.chmod(optionFile, 0o600);
      await Deno.writeTextFile(optionFile, clientOptionFile(this.options));
      const admin = `${this.options.basedir.replace(/\/+$/, "")}/bin/mysqladmin`;
      const result = await run(admin, [
        `--defaults-file=${optionFile}`,
        `--shutdown-timeout=${Math.ceil(timeoutMs / 1000)}`,
        "shutdown",
      ], timeoutMs);
      if (result.code !== 0 && this.processes().server.length > 0) {
        throw new XenonError(
          `mysqladmin shutdown failed: ${result.stderr || `exit ${result.code}`}`,
        );
      }
      if (!await pollUntil(() => !this.isRunning(), timeoutMs)) {
        throw new XenonError(`mysqld still running ${timeoutMs} ms after shutdown; use kill`);
      }
      return true;
    } finally {
      await Deno.remove(optionFile).catch(() => {});
      this.#shuttingDown = false;
    }
  }

  /** SIGKILLs mysqld_safe, then mysqld, and waits until both are gone (bounded). */
  async kill(): Promise<void> {
    const timeoutMs = this.options.killTimeoutMs ?? 10_000;
    for (const pid of this.processes().safe) signal(pid);
    await pollUntil(() => this.processes().safe.length === 0, timeoutMs);
    for (const pid of this.processes().server) signal(pid);
    if (!await pollUntil(() => !this.isRunning(), timeoutMs)) {
      const left = this.processes();
      throw new XenonError(
        `mysqld processes still alive ${timeoutMs} ms after SIGKILL: ` +
          `${[...left.safe, ...left.server].join(", ")}`,
      );
    }
  }
}

/** `[client]` section for mysqladmin; values quoted with option-file escapes. */
export function clientOptionFile(o: MysqldOptions): string {
  const q = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  if (/[\n\r]/.test(o.password + o.user + o.host)) {
    throw new XenonError("mysql admin user, password and host must not contain line breaks");
  }
  return `[client]\nhost=${q(o.host)}\nport=${o.port}\nuser=${q(o.user)}\npassword=${
    q(o.password)
  }\n`;
}

function signal(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function assertReadable(path: string, key: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch (error) {
    throw new XenonError(`${key} ${path} cannot be read: ${oneLine(error)}`);
  }
}

/** Runs a program (argv, no shell) with a deadline; stderr redacted and cut to one line. */
async function run(
  program: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; stderr: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new XenonError(`cannot run ${program}: ${oneLine(error)}`);
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }, timeoutMs);
  try {
    const out = await child.output();
    const stderr = redact(new TextDecoder().decode(out.stderr)).trim().split("\n").at(-1) ?? "";
    return { code: out.code, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `done` every 50 ms until true or `timeoutMs` passed. */
async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return done();
}
