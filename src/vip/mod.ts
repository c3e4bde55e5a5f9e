/**
 * @module
 * The leader-start/stop commands (`raft.leader-start-command`, `raft.leader-stop-command`): the
 * operator's own shell text, usually adding or removing a VIP. It runs through `bash -c` by
 * design (it is the operator's command line), but nothing is ever interpolated into it: what the
 * command may want to know travels in XENON_* environment variables (a start after a hand-over
 * also gets XENON_HANDED_OVER_BY: the previous leader, whose own start and then stop both ran and
 * exited 0 before it released its lease: it held the VIP and removed it). Runs are serialized (a
 * stop never overtakes a start), bounded by a timeout, and their output is logged redacted. A stop
 * cuts short a start still running or queued: the VIP must leave before the lease does, not after a
 * hanging start's timeout.
 */
import { oneLine } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { log } from "../log/mod.ts";
import type { LeaderCommandContext, LeaderCommandRunner } from "../ports/mod.ts";

export type { LeaderCommandContext };

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

/** How long a leader-start/stop command may run before it is killed. */
export const LEADER_COMMAND_TIMEOUT_MS = 30_000;

/** Runs leader-start/stop commands one at a time. */
export class LeaderCommands implements LeaderCommandRunner {
  #chain: Promise<unknown> = Promise.resolve();
  /** Starts running or queued, which a stop cuts short. */
  readonly #starts = new Set<AbortController>();

  constructor(
    readonly start: string,
    readonly stop: string,
    readonly timeoutMs = LEADER_COMMAND_TIMEOUT_MS,
  ) {}

  /**
   * Runs the start (`which` = "start") or stop command after any run still in progress; a stop
   * first kills a running start and cancels queued ones. `skip`, asked when the run's turn comes,
   * may name a reason not to run it after all.
   */
  run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandResult> {
    const command = which === "start" ? this.start : this.stop;
    const cut = new AbortController();
    if (which === "stop") {
      for (const start of this.#starts) start.abort();
    } else {
      this.#starts.add(cut);
    }
    const next = this.#chain.then(() => {
      const why = skip?.() ?? null;
      if (why === null) return runCommand(which, command, context, this.timeoutMs, cut.signal);
      const summary = `leader-${which}-command skipped: ${why}`;
      log("vip").warn`${summary} (${context.reason})`;
      return { ran: false, ok: false, code: null, elapsedMs: 0, summary };
    }).finally(() => this.#starts.delete(cut));
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Resolves when every queued run has finished. */
  async idle(): Promise<void> {
    await this.#chain;
  }
}

/** Runs one command with bash, bounded by `timeoutMs` and `cut`; never throws. */
export async function runCommand(
  which: "start" | "stop",
  command: string,
  context: LeaderCommandContext,
  timeoutMs: number,
  cut?: AbortSignal,
): Promise<LeaderCommandResult> {
  const name = `leader-${which}-command`;
  if (isNopCommand(command)) {
    return { ran: false, ok: true, code: null, elapsedMs: 0, summary: `${name}: nop` };
  }
  if (cut?.aborted) {
    const summary = `${name} not run: leader-stop-command was needed first`;
    log("vip").warn`${summary} (${context.reason})`;
    return { ran: false, ok: false, code: null, elapsedMs: 0, summary };
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
        ...(context.handedOverBy === undefined
          ? {}
          : { XENON_HANDED_OVER_BY: context.handedOverBy }),
      },
    }).spawn();
  } catch (error) {
    const summary = `${name} could not start: ${oneLine(error)}`;
    log("vip").error`${summary}`;
    return { ran: true, ok: false, code: null, elapsedMs: elapsed(), summary };
  }
  let ended: "timeout" | "cut" | null = null;
  const killGroup = (why: "timeout" | "cut") => {
    ended ??= why;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  };
  const timer = setTimeout(() => killGroup("timeout"), timeoutMs);
  const onCut = () => killGroup("cut");
  cut?.addEventListener("abort", onCut);
  try {
    const out = await child.output();
    const text = (bytes: Uint8Array) => redact(new TextDecoder().decode(bytes)).trim();
    const output = [text(out.stdout), text(out.stderr)].filter((t) => t !== "").join(" | ");
    if (output !== "") log("vip").info`${name} output: ${output.replaceAll("\n", " | ")}`;
    const ok = out.code === 0 && ended === null;
    const summary = ended === "timeout"
      ? `${name} killed after ${timeoutMs} ms (timeout)`
      : ended === "cut"
      ? `${name} killed after ${elapsed()} ms: leader-stop-command was needed`
      : `${name} exited ${out.code} after ${elapsed()} ms`;
    if (ok) log("vip").info`${summary} (${context.reason})`;
    else log("vip").error`${summary} (${context.reason})`;
    return { ran: true, ok, code: ended ? null : out.code, elapsedMs: elapsed(), summary };
  } finally {
    clearTimeout(timer);
    cut?.removeEventListener("abort", onCut);
  }
}
