/**
 * Starting, stopping and killing the local mysqld through mysqld_safe, without a shell:
 * - start: `setsid --fork <basedir>/bin/mysqld_safe --defaults-file=<file> --read-only ...` as an
 *   argv, detached, so the agent can restart without taking mysqld down; always read-only and not
 *   replicating (see readOnlyStartOptions), also when mysqld_safe restarts it on its own;
 * - running: by the pid file and /proc identity of mysqld_safe and mysqld (see procfs.ts);
 * - shutdown: `mysqladmin --defaults-file=<0600 temp file> shutdown`: the password is in the
 *   temp file (removed afterwards), never in argv;
 * - kill: SIGKILL mysqld_safe first (or it restarts mysqld), then mysqld, with a bounded wait.
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { type InstallFamily, readOnlyStartOptions } from "../mysql/flavor.ts";
import { mycnfValue } from "../mysql/mycnf.ts";
import {
  findProcesses,
  isServerProcess,
  type MysqldProcesses,
  processRun,
  readCmdline,
  readPidFile,
} from "./procfs.ts";

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
  #killing = false;

  constructor(options: MysqldOptions) {
    this.options = options;
  }

  /** Whether a graceful shutdown is in progress (the monitor reports SHUTDOWNING). */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Whether a kill is in progress: its half-dead processes must not trigger a restart. */
  get killing(): boolean {
    return this.#killing;
  }

  /** True after a graceful shutdown until the next start: the monitor must not undo it. */
  get stoppedOnPurpose(): boolean {
    return this.#stoppedOnPurpose;
  }

  /** This instance's processes now. */
  processes(): MysqldProcesses {
    return findProcesses(this.options.defaultsFile, this.pidFile());
  }

  /**
   * Which run of mysqld is up (procfs.ts `processRun`), or null when none or unknown. The poller
   * asks at every sample: only the pid file's process is read, not all of /proc.
   */
  run(): { boot: string; start: string } | null {
    const pid = readPidFile(this.pidFile() ?? "");
    const argv = pid === null ? null : readCmdline(pid);
    if (argv === null || !isServerProcess(argv, this.options.defaultsFile, true)) return null;
    return processRun(pid!);
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
    const args = [
      safe,
      `--defaults-file=${this.options.defaultsFile}`,
      ...readOnlyStartOptions(installFamily(this.options.basedir)),
    ];
    if (options.initRplRole) args.push(`--init-rpl-role=${options.initRplRole}`);
    // mysqld_safe refuses to start while the pid file names any process, even a zombie.
    const stale = readPidFile(this.pidFile() ?? "");
    if (stale !== null) await pollUntil(() => gone(stale), this.options.killTimeoutMs ?? 10_000);
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

  /**
   * SIGKILLs mysqld_safe, then mysqld, and waits (bounded) until both have left the process
   * table: a killed mysqld lingers as a zombie until reaped, and mysqld_safe refuses to start
   * while the pid file names any process, zombie or not.
   */
  async kill(): Promise<void> {
    this.#killing = true;
    try {
      await this.#kill(this.options.killTimeoutMs ?? 10_000);
    } finally {
      this.#killing = false;
    }
  }

  async #kill(timeoutMs: number): Promise<void> {
    const victims = this.processes();
    for (const pid of victims.safe) signal(pid);
    await pollUntil(() => victims.safe.every(gone), timeoutMs);
    const servers = [...victims.server, ...this.processes().server];
    for (const pid of servers) signal(pid);
    const all = [...victims.safe, ...servers];
    if (!await pollUntil(() => all.every(gone) && !this.isRunning(), timeoutMs)) {
      throw new XenonError(
        `mysqld processes still present ${timeoutMs} ms after SIGKILL: ` +
          `${all.filter((p) => !gone(p)).join(", ")}`,
      );
    }
  }
}

/** MariaDB ships `mariadbd-safe` (mysqld_safe is a link to it); MySQL does not. */
export function installFamily(basedir: string): InstallFamily {
  try {
    Deno.statSync(`${basedir.replace(/\/+$/, "")}/bin/mariadbd-safe`);
    return "mariadb";
  } catch {
    return "mysql";
  }
}

/** Whether `pid` has left the process table (zombies have not). */
function gone(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return false;
  } catch {
    return true;
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
    const stderr = redact(new TextDecoder().decode(out.stderr)).trim().replace(/\s*\n\s*/g, " ");
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
