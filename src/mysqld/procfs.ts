/**
 * Process identity from /proc: which processes are this instance's mysqld_safe and mysqld.
 * A process counts only if its program is mysqld_safe/mariadbd-safe or mysqld/mariadbd AND it
 * runs with this instance's `--defaults-file`, so a backup tool that merely mentions the
 * defaults file is never taken for (or killed as) the server.
 */

const SAFE_PROGRAMS = new Set(["mysqld_safe", "mariadbd-safe"]);
const SERVER_PROGRAMS = new Set(["mysqld", "mariadbd"]);

/** The argv of `pid`, or null when it is gone, a zombie, or unreadable. */
export function readCmdline(pid: number): string[] | null {
  try {
    const raw = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    if (raw === "") return null; // zombie or kernel thread
    return raw.replace(/\0$/, "").split("\0");
  } catch {
    return null;
  }
}

/** Every numeric entry of /proc. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(entry.name)) pids.push(Number(entry.name));
  }
  return pids;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** mysqld_safe is a shell script: its program is argv[0] or, run by sh, argv[1]. */
export function isSafeProcess(argv: readonly string[], defaultsFile: string): boolean {
  const program = argv.slice(0, 2).some((a) => SAFE_PROGRAMS.has(basename(a)));
  return program && argv.includes(`--defaults-file=${defaultsFile}`);
}

/** The server itself: argv[0] is mysqld/mariadbd; `viaPidFile` when the pid file named it. */
export function isServerProcess(
  argv: readonly string[],
  defaultsFile: string,
  viaPidFile: boolean,
): boolean {
  if (!SERVER_PROGRAMS.has(basename(argv[0] ?? ""))) return false;
  return viaPidFile || argv.includes(`--defaults-file=${defaultsFile}`);
}

/**
 * Which run of process `pid` this is: the host's boot and the process's start (clock ticks since
 * that boot, field 22 of /proc/PID/stat), so a restart that no agent watched still shows as one.
 * Null when unreadable.
 */
export function processRun(pid: number): { boot: string; start: string } | null {
  try {
    const boot = Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The program name (field 2) may hold spaces; field 3 onwards follow its closing ")".
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return boot !== "" && /^\d+$/.test(start ?? "") ? { boot, start: `${pid}:${start}` } : null;
  } catch {
    return null;
  }
}

/** The pid written in `pidFile`, or null when absent or garbled. */
export function readPidFile(pidFile: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** This instance's processes right now. */
export interface MysqldProcesses {
  safe: number[];
  server: number[];
}

/** Finds this instance's mysqld_safe and mysqld processes. */
export function findProcesses(defaultsFile: string, pidFile: string | null): MysqldProcesses {
  const fromPidFile = pidFile ? readPidFile(pidFile) : null;
  const safe: number[] = [];
  const server: number[] = [];
  for (const pid of listPids()) {
    const argv = readCmdline(pid);
    if (argv === null) continue;
    if (isSafeProcess(argv, defaultsFile)) safe.push(pid);
    else if (isServerProcess(argv, defaultsFile, pid === fromPidFile)) server.push(pid);
  }
  return { safe, server };
}
