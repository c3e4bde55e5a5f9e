/**
 * @module
 * The leader-start/stop commands (`raft.leader-start-command`, `raft.leader-stop-command`): the
 * operator's own shell text, usually adding or removing a VIP. It runs through `bash -c` by
 * design (it is the operator's command line), but nothing is ever interpolated into it: what the
 * command may want to know travels in XENON_* environment variables. Runs are serialized (a stop
 * never overtakes a start), bounded by a timeout, and their output is logged redacted.
 */
import { oneLine } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { log } from "../log/mod.ts";

/** What the command learns about the moment it runs in. */
export interface LeaderCommandContext {
  /** Why it runs (the election core's reason). */
  reason: string;
  /** This node's `server.endpoint`. */
  endpoint: string;
  term: number;
}

export interface LeaderCommandResult {
  ran: boolean;
  ok: boolean;
  /** Exit code, or null when skipped or killed at the timeout. */
  code: number | null;
  elapsedMs: number;
  /** One line for the log and RPC answers. */
  summary: string;
}

/** `nop` or empty: nothing to run (the original's convention). */
export function isNopCommand(command: string): boolean {
  const c = command.trim();
  return c === "" || c === "nop";
}

/** Runs leader-start/stop commands one at a time. */
export class LeaderCommands {
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly start: string,
    readonly stop: string,
    readonly timeoutMs = 30_000,
  ) {}

  /** Runs the start (`which` = "start") or stop command after any run still in progress. */
  run(which: "start" | "stop", context: LeaderCommandContext): Promise<LeaderCommandResult> {
    const command = which === "start" ? this.start : this.stop;
    const next = this.#chain.then(() => runCommand(which, command, context, this.timeoutMs));
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Resolves when every queued run has finished. */
  async idle(): Promise<void> {
    await this.#chain;
  }
}

/** Runs one command with bash, bounded by `timeoutMs`; never throws. */
export async function runCommand(
  which: "start" | "stop",
  command: string,
  context: LeaderCommandContext,
  timeoutMs: number,
): Promise<LeaderCommandResult> {
  const name = `leader-${which}-command`;
  if (isNopCommand(command)) {
    return { ran: false, ok: true, code: null, elapsedMs: 0, summary: `${name}: nop` };
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let child: Deno.ChildProcess;
  try {
    // setsid: the command and whatever it forks form one process group, killed whole at the
    // timeout (a forked child holding stdout open would otherwise outlive it).
    child = new Deno.Command("setsid", {
      args: ["bash", "-c", command],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: {
        XENON_ROLE_CHANGE: which,
        XENON_REASON: context.reason,
        XENON_ENDPOINT: context.endpoint,
        XENON_TERM: String(context.term),
      },
    }).spawn();
  } catch (error) {
    const summary = `${name} could not start: ${oneLine(error)}`;
    log("vip").error`${summary}`;
    return { ran: true, ok: false, code: null, elapsedMs: elapsed(), summary };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }, timeoutMs);
  try {
    const out = await child.output();
    const text = (bytes: Uint8Array) => redact(new TextDecoder().decode(bytes)).trim();
    const output = [text(out.stdout), text(out.stderr)].filter((t) => t !== "").join(" | ");
    if (output !== "") log("vip").info`${name} output: ${output.replaceAll("\n", " | ")}`;
    const ok = out.code === 0 && !timedOut;
    const summary = timedOut
      ? `${name} killed after ${timeoutMs} ms (timeout)`
      : `${name} exited ${out.code} after ${elapsed()} ms`;
    if (ok) log("vip").info`${summary} (${context.reason})`;
    else log("vip").error`${summary} (${context.reason})`;
    return { ran: true, ok, code: timedOut ? null : out.code, elapsedMs: elapsed(), summary };
  } finally {
    clearTimeout(timer);
  }
}
