/**
 * Everything the harness starts in this isolate lives under one temp root,
 * `$TMPDIR/xenon-test-mariadb-<pid>-XXXX/`, and every mariadbd and mysqld_safe names a path under
 * it on its command line. Cleanup therefore needs no bookkeeping that a crash could lose:
 * - the module's `unload` kills what mentions this isolate's root and removes the root;
 * - SIGINT/SIGTERM kill what mentions any root of this process (other test modules run in the
 *   same process and may not get to run their own handler before it exits), then exit;
 * - a watchdog process (watchdog.ts) does the same once this process is gone, however it ended:
 *   `deno test` exits on ^C without running module signal handlers, and kill -9 runs nothing;
 * - the first use in a later run reaps roots whose process is dead, should the watchdog be gone.
 * What a test makes outside its root (network namespaces, links) is undone by commands it
 * registers in the root (`registerTeardown`), which every one of these cleanups runs after the
 * kill.
 */

import { XenonError } from "../../src/lib/errors.ts";
import {
  freeLoopbackPort,
  isAlive,
  killEverythingMentioning,
  listeningSockets,
  processesMentioning,
  processInfo,
  socketOwners,
} from "../../src/sandbox/procs.ts";

export { killEverythingMentioning };

const ROOT_PREFIX = "xenon-test-mariadb-";
const processPrefix = `${ROOT_PREFIX}${Deno.pid}-`;

let root: string | undefined;
const instanceDirs = new Set<string>();
const ports = new Set<number>();

function tempBase(): string {
  return Deno.env.get("TMPDIR") || "/tmp";
}

function removeSyncQuietly(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch {
    // already gone, or being removed by another module's handler at the same moment
  }
}

/** Reaps roots left by earlier test processes that died without cleaning up (kill -9). */
export function reapDeadRuns(): void {
  for (const entry of Deno.readDirSync(tempBase())) {
    const match = entry.name.match(/^xenon-test-mariadb-(\d+)-/);
    if (!entry.isDirectory || !match || isAlive(Number(match[1]))) continue;
    const path = `${tempBase()}/${entry.name}`;
    killEverythingMentioning(path + "/");
    runTeardowns(path);
    removeSyncQuietly(path);
  }
}

const TEARDOWN_DIR = "teardown";
let lastTeardown = 0;

/**
 * Records commands (argv arrays, run in order, failures ignored) that undo something a test made
 * outside its root. Returns a function that runs them now and forgets them.
 */
export function registerTeardown(commands: string[][]): () => void {
  const dir = `${harnessRoot()}/${TEARDOWN_DIR}`;
  Deno.mkdirSync(dir, { recursive: true });
  const file = `${dir}/${++lastTeardown}.json`;
  Deno.writeTextFileSync(file, JSON.stringify(commands));
  return () => {
    runTeardownFile(file);
    removeSyncQuietly(file);
  };
}

function runTeardownFile(file: string): void {
  let commands: string[][];
  try {
    commands = JSON.parse(Deno.readTextFileSync(file));
  } catch {
    return; // already run and removed, or torn by a crash while being written
  }
  for (const [program, ...args] of commands) {
    try {
      new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" })
        .outputSync();
    } catch {
      // the program is missing: nothing of this kind was made
    }
  }
}

/** Runs every teardown registered under `rootPath` (synchronous: signal and unload handlers). */
export function runTeardowns(rootPath: string): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`${rootPath}/${TEARDOWN_DIR}`)];
  } catch {
    return;
  }
  for (const entry of entries) runTeardownFile(`${rootPath}/${TEARDOWN_DIR}/${entry.name}`);
}

function cleanUpProcessAndExit(code: number): void {
  killEverythingMentioning(`/${processPrefix}`);
  for (const entry of Deno.readDirSync(tempBase())) {
    if (!entry.name.startsWith(processPrefix)) continue;
    runTeardowns(`${tempBase()}/${entry.name}`);
    removeSyncQuietly(`${tempBase()}/${entry.name}`);
  }
  Deno.exit(code);
}

function cleanUpIsolate(): void {
  if (root === undefined) return;
  killEverythingMentioning(root + "/");
  runTeardowns(root);
  removeSyncQuietly(root);
}

/**
 * Starts watchdog.ts for `dir` in its own session. `setsid --fork` returns at once, so the
 * watchdog is not our child: no pending process that test sanitizers would count as a leak.
 */
function startWatchdog(dir: string): void {
  // Its command line ends with the root without a trailing slash, so the `${root}/` searches
  // that find servers do not find it.
  const watchdog = new URL("./watchdog.ts", import.meta.url).pathname;
  const args = ["--fork", Deno.execPath(), "run", "-A", "--no-config", "--no-lock", watchdog];
  new Deno.Command("/usr/bin/setsid", {
    args: [...args, String(Deno.pid), dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).outputSync();
}

/** The temp root of this isolate, created (and the cleanup handlers installed) on first use. */
export function harnessRoot(): string {
  if (root !== undefined) return root;
  reapDeadRuns();
  root = Deno.makeTempDirSync({ dir: tempBase(), prefix: processPrefix });
  startWatchdog(root);
  globalThis.addEventListener("unload", cleanUpIsolate);
  Deno.addSignalListener("SIGINT", () => cleanUpProcessAndExit(130));
  Deno.addSignalListener("SIGTERM", () => cleanUpProcessAndExit(143));
  return root;
}

/** Makes a fresh, empty instance directory under the root, e.g. `.../node1-XXXX`. */
export function newInstanceDir(name: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new XenonError(`instance name ${JSON.stringify(name)}: use letters, digits, . _ - only`);
  }
  const dir = Deno.makeTempDirSync({ dir: harnessRoot(), prefix: `${name}-` });
  instanceDirs.add(dir);
  return dir;
}

/** A loopback port nobody listens on now, and not yet handed out by this isolate. */
export function freePort(): number {
  return freeLoopbackPort(ports);
}

/** Forgets a port this isolate could not use after all (someone else took it first). */
export function releasePort(port: number): void {
  ports.delete(port);
}

/**
 * Throws one line naming every leak: a process started by this isolate still running, one of its
 * ports still listening, or one of its instance directories still present.
 */
export function assertNoLeaks(): Promise<void> {
  const problems: string[] = [];
  if (root !== undefined) {
    const alive = processesMentioning(root + "/");
    if (alive.length > 0) {
      problems.push(
        `processes still running: ${alive.map((p) => `${p.comm}[${p.pid}]`).join(" ")}`,
      );
    }
  }
  const open = [...ports].filter((port) => listenedOnByUs(port));
  if (open.length > 0) problems.push(`ports still listening: ${open.join(" ")}`);
  const dirs = [...instanceDirs].filter((dir) => exists(dir));
  if (dirs.length > 0) problems.push(`directories still present: ${dirs.join(" ")}`);
  if (problems.length > 0) throw new XenonError(`test harness leaked: ${problems.join("; ")}`);
  return Promise.resolve();
}

/**
 * True if `port` listens and the listener is ours (or unknown). Other test processes on the same
 * machine draw ports from the same kernel pool and may reuse one we freed: that is not our leak.
 */
function listenedOnByUs(port: number): boolean {
  const inodes = listeningSockets().get(port);
  if (inodes === undefined) return false;
  const owners = socketOwners(inodes);
  const ours = (pid: number) => {
    const cmdline = processInfo(pid)?.cmdline;
    return pid === Deno.pid || cmdline === undefined || cmdline.includes(`${root}/`);
  };
  return owners.length === 0 || owners.some(ours);
}

export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
