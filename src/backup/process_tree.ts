/**
 * Running the backup's programs: argv only, their stderr kept as the last lines (redacted) for
 * the one-line error and searched for the tool's `completed OK!`, and ending a program together
 * with everything it started (sshpass starts ssh): the whole process tree, found in /proc.
 */
import { spawn as nodeSpawn } from "node:child_process";
import type { Readable } from "node:stream";
import { redact } from "../lib/redact.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import type { Invocation } from "./ssh.ts";

const KEPT_LINES = 20;

/** How a program ended, with the last lines of its stderr. */
export interface Ended {
  code: number;
  signal: string | null;
  lines: string[];
}

/** One running program. */
export interface Running {
  readonly pid: number;
  /** Resolves after it exited and its stderr was read to the end. */
  readonly done: Promise<Ended>;
}

/** Spawns `inv` with stdin/stdout as asked and stderr collected. */
export function spawn(
  inv: Invocation,
  io: { stdin: "piped" | "null"; stdout: "piped" | "null" },
): Running & { child: Deno.ChildProcess } {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(inv.program, {
      args: inv.args,
      env: inv.env,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new XenonError(`cannot run ${inv.program}: ${oneLine(error)}`);
  }
  const lines: string[] = [];
  const read = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      rest = keepLines(lines, rest + chunk);
    }
    if (rest !== "") keep(lines, rest);
  })();
  const done = (async () => {
    const [status] = await Promise.all([child.status, read.catch(() => {})]);
    return { code: status.code, signal: status.signal, lines };
  })();
  return { child, pid: child.pid, done };
}

/**
 * Runs `first | second` joined by a kernel pipe (the first's stdout is the second's stdin): the
 * bytes never pass through this process, which keeps the stream as fast as a shell pipeline.
 * Each one's stderr is collected; this process holds no end of the pipe, so either side ending
 * ends the other (SIGPIPE, or end of input).
 */
export function spawnPipeline(first: Invocation, second: Invocation): [Running, Running] {
  const start = (inv: Invocation, stdin: "ignore" | Readable, stdout: "pipe" | "ignore") => {
    const child = nodeSpawn(inv.program, inv.args, {
      stdio: [stdin, stdout, "pipe"],
      env: { ...Deno.env.toObject(), ...inv.env },
    });
    const lines: string[] = [];
    let rest = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (rest = keepLines(lines, rest + chunk)));
    const done = new Promise<Ended>((resolve) => {
      child.on("error", (error) => {
        keep(lines, `cannot run ${inv.program}: ${oneLine(error)}`);
        resolve({ code: 127, signal: null, lines });
      });
      child.on("close", (code, signal) => {
        if (rest !== "") keep(lines, rest);
        resolve({ code: code ?? -1, signal, lines });
      });
    });
    return { child, running: { pid: child.pid ?? -1, done } };
  };
  const a = start(first, "ignore", "pipe");
  const b = start(second, a.child.stdout!, "ignore");
  a.child.stdout!.destroy();
  return [a.running, b.running];
}

/** Keeps the complete lines of `text`; returns the unfinished rest. */
function keepLines(lines: string[], text: string): string {
  const parts = text.split("\n");
  const rest = parts.pop() ?? "";
  for (const line of parts) keep(lines, line);
  return rest;
}

function keep(lines: string[], line: string): void {
  const clean = redact(line).trimEnd();
  if (clean === "") return;
  lines.push(clean);
  if (lines.length > KEPT_LINES) lines.shift();
}

/** The tool's last meaningful stderr line, for a one-line error. */
export function lastLine(lines: readonly string[]): string {
  return lines.at(-1) ?? "";
}

/** Parent pid of every process, read from /proc/<pid>/stat. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      map.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

/** `pid` and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [child, parent] of parents()) {
    byParent.set(parent, [...(byParent.get(parent) ?? []), child]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && tree.length < 10_000) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(byParent.get(next) ?? []));
  }
  return tree;
}

/** Sends `signal` to each process of each tree (children found before anything is signalled). */
export function signalTrees(pids: readonly number[], signal: Deno.Signal): void {
  const all = pids.flatMap((pid) => processTree(pid));
  for (const pid of all) {
    try {
      Deno.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
