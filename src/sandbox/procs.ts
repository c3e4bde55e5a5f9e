/**
 * What the kernel says about processes and sockets, read from /proc. The sandbox and the test
 * harness find the processes they started by the directory in their command line rather than by
 * remembered pids:
 * mysqld_safe restarts mariadbd under a new pid, and a process that owns a directory can always
 * be found again, even by a later run after this one was killed.
 */

import { XenonError } from "../lib/errors.ts";

/** A live (non-zombie) process: its pid, its name and its command line joined by spaces. */
export interface ProcessInfo {
  pid: number;
  comm: string;
  cmdline: string;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** The process state letter from /proc/PID/stat (R, S, Z, ...), or undefined if it is gone. */
function stateOf(pid: number): string | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // "pid (comm) S ...": comm may contain spaces or parentheses, so cut after the last ')'.
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

/** True if `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const state = stateOf(pid);
  return state !== undefined && state !== "Z";
}

/** Details of a live process, or undefined if it is gone or a zombie. */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!isAlive(pid)) return undefined;
  const cmdline = readOrUndefined(`/proc/${pid}/cmdline`);
  const comm = readOrUndefined(`/proc/${pid}/comm`);
  if (cmdline === undefined || comm === undefined) return undefined;
  return { pid, comm: comm.trim(), cmdline: cmdline.split("\0").join(" ").trim() };
}

/** Every live process whose command line contains `fragment` (never this process itself). */
export function processesMentioning(fragment: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    const info = processInfo(pid);
    if (info && info.cmdline.includes(fragment)) found.push(info);
  }
  return found;
}

/** Sends SIGKILL, ignoring a process that is already gone. */
export function killHard(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // already gone: that is what we wanted
  }
}

/** Resident memory of a process in bytes (VmRSS), or 0 if it is gone. */
export function rssOf(pid: number): number {
  const status = readOrUndefined(`/proc/${pid}/status`) ?? "";
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Sockets in LISTEN state (IPv4 and IPv6), from /proc/net/tcp{,6}: port -> socket inodes. */
export function listeningSockets(): Map<number, string[]> {
  const sockets = new Map<number, string[]>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const table = readOrUndefined(file) ?? "";
    for (const line of table.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields[1] = local "ADDR:PORT" in hex, fields[3] = state (0A is LISTEN), fields[9] = inode.
      if (fields.length > 9 && fields[3] === "0A") {
        const port = parseInt(fields[1].split(":")[1], 16);
        sockets.set(port, [...sockets.get(port) ?? [], fields[9]]);
      }
    }
  }
  return sockets;
}

/** Pids holding any of the given socket inodes open (root can read every /proc/PID/fd). */
export function socketOwners(inodes: string[]): number[] {
  const wanted = new Set(inodes.map((inode) => `socket:[${inode}]`));
  const owners: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
        if (wanted.has(Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`))) {
          owners.push(pid);
          break;
        }
      }
    } catch {
      // the process ended, or closed that fd, while we looked
    }
  }
  return owners;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * SIGKILLs every process whose command line mentions `fragment`, supervisors before servers (so
 * mysqld_safe cannot restart mariadbd), and waits until none is left. Synchronous so that signal
 * and unload handlers can use it. Returns false if something survived 5 s of trying.
 */
export function killEverythingMentioning(fragment: string): boolean {
  for (let round = 0; round < 250; round++) {
    const found = processesMentioning(fragment);
    if (found.length === 0) return true;
    const servers = found.filter((p) => p.comm === "mariadbd");
    for (const p of found) if (p.comm !== "mariadbd") killHard(p.pid);
    for (const p of servers) killHard(p.pid);
    sleepSync(20);
  }
  return processesMentioning(fragment).length === 0;
}

/** A loopback port nobody listens on now and not in `taken` (which it is added to). */
export function freeLoopbackPort(taken: Set<number>): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new XenonError("no free loopback port after 50 tries; too many sockets in use?");
}
