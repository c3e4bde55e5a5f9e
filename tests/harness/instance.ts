/**
 * One real mariadbd supervised by a detached mysqld_safe, in its own temp dir on a free loopback
 * port. See mycnf.ts for its configuration and registry.ts for how it is always cleaned up.
 */

import mysql from "mysql2/promise";
import { oneLine, XenonError } from "../../src/lib/errors.ts";
import { installDataDir, makeInstanceDirs } from "../../src/sandbox/install.ts";
import {
  answersOnSocket,
  createAccounts,
  errorLogSummary,
  REPLICATION_GRANTS,
  socketConnection,
} from "../../src/sandbox/mariadb.ts";
import {
  instancePaths,
  type MysqldOptions,
  needsOwnInstall,
  renderMyCnf,
} from "../../src/sandbox/mycnf.ts";
import {
  isAlive,
  killHard,
  processesMentioning,
  processInfo,
  rssOf,
} from "../../src/sandbox/procs.ts";
import { settleWithin, waitFor } from "../../src/sandbox/wait.ts";
import { REPL_PASSWORD, REPL_USER, ROOT_PASSWORD } from "./credentials.ts";
import { freePort, killEverythingMentioning, newInstanceDir, releasePort } from "./registry.ts";
import { copyTemplateDataDir } from "./template.ts";

export interface InstanceOptions {
  /** Directory and log name, e.g. "node1" (default: `node<serverId>`). */
  name?: string;
  /** server_id (default: 1, 2, 3, ... in creation order within this test module). */
  serverId?: number;
  /** Extra or overriding [mysqld] options; true writes a bare flag, false writes `=0`. */
  mysqld?: MysqldOptions;
  /**
   * Runs mysqld_safe inside this network namespace, listening on all of its addresses on port
   * 3306; `host` is then `address` (reach it over the namespace's bridge, or by the unix socket,
   * which no partition cuts).
   */
  netns?: { namespace: string; address: string };
}

export interface MariaDBInstance extends AsyncDisposable {
  readonly name: string;
  readonly serverId: number;
  /** 127.0.0.1, or the namespace's address. */
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly socket: string;
  readonly cnfPath: string;
  readonly pidFile: string;
  readonly errorLog: string;
  /** Starts mysqld_safe (detached) and resolves once the server accepts connections (≤ 30 s). */
  start(extraArgs?: string[]): Promise<void>;
  /** Resolves once the server accepts connections, e.g. after mysqld_safe restarted it. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Clean shutdown (≤ 30 s), then SIGKILL whatever is left. */
  stop(): Promise<void>;
  /** SIGKILLs mariadbd only and waits until it is gone; mysqld_safe then restarts it. */
  killMysqld(): Promise<void>;
  /** SIGKILLs mysqld_safe, then mariadbd, and waits until both are gone: a dead node. */
  killAll(): Promise<void>;
  /** killAll, then deletes the instance's directory. Idempotent. */
  remove(): Promise<void>;
  isRunning(): boolean;
  mysqldPid(): number | undefined;
  safePid(): number | undefined;
  /** Resident memory of mariadbd in bytes (0 when it is not running). */
  rssBytes(): number;
  /** A new connection as root over TCP; the caller ends it. */
  connect(): Promise<mysql.Connection>;
  /** Runs one statement on a one-shot connection; rows for a SELECT, [] otherwise. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

let lastServerId = 0;

class Instance implements MariaDBInstance {
  readonly dataDir: string;
  readonly socket: string;
  readonly cnfPath: string;
  readonly pidFile: string;
  readonly errorLog: string;
  #port: number;
  #safe: Deno.ChildProcess | undefined;
  #safeExited = true;
  #removed = false;

  constructor(
    readonly name: string,
    readonly serverId: number,
    readonly dir: string,
    port: number,
    readonly mysqldOptions: MysqldOptions,
    readonly netns?: { namespace: string; address: string },
  ) {
    const paths = instancePaths(dir);
    this.dataDir = paths.dataDir;
    this.socket = paths.socket;
    this.cnfPath = paths.cnfPath;
    this.pidFile = paths.pidFile;
    this.errorLog = paths.errorLog;
    this.#port = port;
  }

  get host(): string {
    return this.netns?.address ?? "127.0.0.1";
  }

  get port(): number {
    return this.#port;
  }

  /** `node2 (127.0.0.1:34567)`, the prefix of every error about this instance. */
  toString(): string {
    return `${this.name} (${this.host}:${this.#port})`;
  }

  async writeCnf(port: number): Promise<void> {
    this.#port = port;
    // In a namespace: every address of it, so a VIP added there later is served too.
    const where: MysqldOptions = this.netns
      ? { bind_address: "0.0.0.0", report_host: this.netns.address }
      : {};
    const options = { ...where, ...this.mysqldOptions };
    const text = renderMyCnf(instancePaths(this.dir), port, this.serverId, options);
    await Deno.writeTextFile(this.cnfPath, text);
  }

  async start(extraArgs: string[] = []): Promise<void> {
    if (this.#removed) throw new XenonError(`${this}: was removed; create a new instance`);
    if (this.isRunning() || this.safePid() !== undefined) {
      throw new XenonError(`${this}: already running; stop() or killAll() it first`);
    }
    // setsid: mysqld_safe gets its own session, as in production: it supervises mariadbd
    // whatever happens to the test's process group (the registry decides when it dies). stdio is
    // /dev/null (it logs to error.log): no pipe ties its life to ours.
    const safe = new Deno.Command("/usr/bin/setsid", {
      args: [
        ...(this.netns ? ["ip", "netns", "exec", this.netns.namespace] : []),
        "mysqld_safe",
        `--defaults-file=${this.cnfPath}`,
        ...extraArgs,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    safe.unref();
    this.#safe = safe;
    this.#safeExited = false;
    safe.status.then(() => {
      if (this.#safe === safe) this.#safeExited = true;
    });
    await this.waitReady(START_TIMEOUT_MS);
  }

  async waitReady(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await waitFor(`${this} to accept connections`, async () => {
      if (this.safePid() === undefined && !this.isRunning()) {
        throw new XenonError(
          `${this}: mysqld_safe exited; error.log: ${errorLogSummary(this.errorLog)}`,
        );
      }
      return await this.#answersOnSocket() ? true : undefined;
    }, { timeoutMs, explain: () => `error.log: ${errorLogSummary(this.errorLog)}` });
  }

  socketConnection(): Promise<mysql.Connection> {
    return socketConnection(this.socket);
  }

  #answersOnSocket(): Promise<boolean> {
    return answersOnSocket(this.socket);
  }

  async stop(): Promise<void> {
    if (this.isRunning()) {
      try {
        const conn = await this.socketConnection();
        await conn.query("SHUTDOWN").finally(() => conn.destroy());
      } catch {
        // the server may drop the connection while shutting down, or be dying already
      }
      try {
        // mysqld_safe exits by itself once mariadbd ended cleanly.
        await waitFor(`${this} to shut down`, () => this.#nothingLeft() ? true : undefined, {
          timeoutMs: STOP_TIMEOUT_MS,
          intervalMs: 50,
        });
      } catch {
        // fall through to killAll, which is bounded as well
      }
    }
    await this.killAll();
  }

  #nothingLeft(): boolean {
    return processesMentioning(this.dir + "/").length === 0;
  }

  async killMysqld(): Promise<void> {
    const pid = this.mysqldPid();
    if (pid === undefined) throw new XenonError(`${this}: mariadbd is not running`);
    killHard(pid);
    await waitFor(`${this}: mariadbd ${pid} to die`, () => isAlive(pid) ? undefined : true, {
      timeoutMs: 5_000,
      intervalMs: 10,
    });
  }

  async killAll(): Promise<void> {
    if (!killEverythingMentioning(this.dir + "/")) {
      throw new XenonError(`${this}: processes survived SIGKILL for 5 s`);
    }
    const safe = this.#safe;
    this.#safe = undefined;
    this.#safeExited = true;
    // Reap our child (mysqld_safe) so it does not linger as a zombie; bounded like all waits.
    if (safe) await settleWithin(safe.status, 2_000);
  }

  async remove(): Promise<void> {
    await this.killAll();
    this.#removed = true;
    await Deno.remove(this.dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.remove();
  }

  isRunning(): boolean {
    return this.mysqldPid() !== undefined;
  }

  mysqldPid(): number | undefined {
    let pid: number;
    try {
      pid = Number(Deno.readTextFileSync(this.pidFile).trim());
    } catch {
      return undefined;
    }
    // The pid file outlives a killed mariadbd; trust it only if that pid is our mariadbd.
    const info = Number.isInteger(pid) && pid > 0 ? processInfo(pid) : undefined;
    return info?.comm === "mariadbd" && info.cmdline.includes(this.dataDir) ? pid : undefined;
  }

  safePid(): number | undefined {
    // Our own child, known by its exit status rather than /proc: between fork and exec its
    // command line is still ours. setsid execs mysqld_safe in place (the child leads no process
    // group), so the pid stays mysqld_safe's.
    return this.#safe && !this.#safeExited ? this.#safe.pid : undefined;
  }

  rssBytes(): number {
    const pid = this.mysqldPid();
    return pid === undefined ? 0 : rssOf(pid);
  }

  async connect(): Promise<mysql.Connection> {
    try {
      return await mysql.createConnection({
        host: this.host,
        port: this.#port,
        user: "root",
        password: ROOT_PASSWORD,
        connectTimeout: CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      throw annotate(error, `${this}`);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const conn = await this.connect();
    try {
      const [rows] = await conn.query(sql, params);
      return Array.isArray(rows) ? rows as T[] : [];
    } catch (error) {
      throw annotate(error, `${this}`);
    } finally {
      await conn.end().catch(() => conn.destroy());
    }
  }
}

/** Prefixes a driver error with the instance, keeping its code/errno for tests to check. */
function annotate(error: unknown, where: string): unknown {
  if (error instanceof Error) {
    error.message = `${where}: ${oneLine(error)}`;
    return error;
  }
  return new XenonError(`${where}: ${oneLine(error)}`);
}

/** Accounts over TCP, written without binlog; RESET MASTER then leaves no local GTID behind. */
function createTestAccounts(instance: Instance): Promise<void> {
  return createAccounts(instance.socket, [
    { user: "root", password: ROOT_PASSWORD, grants: ["ALL PRIVILEGES ON *.*"], grantOption: true },
    { user: REPL_USER, password: REPL_PASSWORD, grants: [REPLICATION_GRANTS] },
  ]);
}

const NETNS_MYSQL_PORT = 3306;
const PORT_TAKEN = /Address already in use|Bind on TCP\/IP port/;

/**
 * A new running instance: its own dir, my.cnf, data dir (a copy of the isolate's template, or
 * mariadb-install-db when `mysqld` changes init-time options), the root@'%' and repl accounts and
 * an empty binlog. If anything fails, nothing of it is left behind.
 */
export async function createInstance(opts: InstanceOptions = {}): Promise<MariaDBInstance> {
  const serverId = opts.serverId ?? lastServerId + 1;
  lastServerId = Math.max(lastServerId, serverId);
  if (!Number.isInteger(serverId) || serverId < 1 || serverId > 4294967295) {
    throw new XenonError(`serverId ${serverId}: expected an integer 1-4294967295`);
  }
  const name = opts.name ?? `node${serverId}`;
  const mysqldOptions = opts.mysqld ?? {};
  const dir = newInstanceDir(name);
  const instance = new Instance(name, serverId, dir, 0, mysqldOptions, opts.netns);
  // A namespace has a network stack of its own: the standard port is free there.
  const port = () => opts.netns ? NETNS_MYSQL_PORT : freePort();
  try {
    await makeInstanceDirs(instancePaths(dir));
    await instance.writeCnf(port());
    if (needsOwnInstall(mysqldOptions)) await installDataDir(instancePaths(dir));
    else await copyTemplateDataDir(instancePaths(dir));
    // Another process may bind the port between our probe and mariadbd's bind: take another.
    for (let attempt = 1;; attempt++) {
      try {
        await instance.start();
        break;
      } catch (error) {
        const taken = PORT_TAKEN.test(errorLogSummary(instance.errorLog));
        if (attempt >= 3 || !taken || opts.netns) throw error;
        await instance.killAll();
        releasePort(instance.port);
        await Deno.writeTextFile(instance.errorLog, "");
        await instance.writeCnf(port());
      }
    }
    await createTestAccounts(instance);
    return instance;
  } catch (error) {
    await instance.remove().catch(() => {});
    throw error;
  }
}
