/**
 * `mysql rebuildme`, `mysql backup --to`, `mysql rebuildstatus`: the daemon runs the job; the CLI
 * starts it (or not) and follows its progress: a bar on a terminal, plain lines otherwise, JSON
 * lines with --json. Leaving the CLI (^C, --detach) leaves the job running in the daemon.
 */
import { XenonError } from "../lib/errors.ts";
import type { RebuildRequest, RebuildStatus } from "../model/mod.ts";
import type { CliContext } from "./context.ts";
import { withDaemons } from "./daemons.ts";

const POLL_MS = 500;
const PLAIN_EVERY_MS = 5000;
/** Following gives up after this long without an answer from the daemon. */
const UNREACHABLE_MS = 60_000;
const BAR_WIDTH = 30;

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

/** One progress line: phase, bytes, rate, ETA. */
function progressLine(s: RebuildStatus): string {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? s.bytes / 1048576 / seconds : 0;
  const parts = [`${s.kind} ${s.phase}`, `donor ${s.donor || "?"}`];
  if (s.phase === "streaming") {
    const of = s.expectedBytes > 0 ? ` of ~${mib(s.expectedBytes)}` : "";
    parts.push(`${mib(s.bytes)}${of} MiB`, `${rate.toFixed(1)} MiB/s`);
    if (rate > 0 && s.expectedBytes > s.bytes) {
      parts.push(`ETA ${Math.ceil((s.expectedBytes - s.bytes) / 1048576 / rate)} s`);
    }
  } else if (s.bytes > 0) {
    parts.push(`${mib(s.bytes)} MiB streamed`);
  }
  parts.push(`${seconds.toFixed(0)} s`);
  return parts.join(", ");
}

function bar(s: RebuildStatus): string {
  const done = s.expectedBytes > 0 ? Math.min(1, s.bytes / s.expectedBytes) : 0;
  const filled = Math.round(done * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${progressLine(s)}`;
}

/** Starts a job (unless `request` is null: re-attach) and follows it; exit 0 when it succeeded. */
export function runAndFollow(
  ctx: CliContext,
  request: RebuildRequest | null,
  detach: boolean,
): Promise<number> {
  return withDaemons(ctx, async (daemons) => {
    const self = daemons.self;
    if (request !== null) {
      const started = await daemons.call(self, "RebuildRPC.Start", request, 30_000);
      if (!started.ok) throw new XenonError(started.reason);
      if (!ctx.json) ctx.out(`${self}: ${started.reason}`);
      if (detach) {
        if (!ctx.json) ctx.out("detached: `xenon mysql rebuildstatus` re-attaches");
        else ctx.out(JSON.stringify({ endpoint: self, ...started, detached: true }));
        return 0;
      }
    }
    const tty = !ctx.json && Deno.stdout.isTerminal();
    let printedSteps = 0;
    let lastPhase = "";
    let lastPlain = 0;
    let lastAnswer = performance.now();
    let handOverSince: number | null = null;
    for (let poll = 0; poll < 100_000_000; poll++) {
      let s: RebuildStatus;
      try {
        s = await daemons.call(self, "RebuildRPC.Status", {});
        lastAnswer = performance.now();
      } catch (error) {
        // The daemon restarts its RPC server when it leaves the rebuild-only mode: keep asking.
        if (performance.now() - lastAnswer > UNREACHABLE_MS) throw error;
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      if (s.kind === "none") {
        throw new XenonError("no rebuild or backup has run on this node since its daemon started");
      }
      const newSteps = s.steps.slice(printedSteps);
      printedSteps = s.steps.length;
      if (ctx.json) {
        if (newSteps.length > 0 || s.phase !== lastPhase || s.finished) ctx.out(JSON.stringify(s));
      } else {
        if (tty && newSteps.length > 0) ctx.write("\r\x1b[K");
        for (const step of newSteps) ctx.out(`  ${step}`);
        const now = performance.now();
        if (tty) ctx.write(`\r\x1b[K${bar(s)}`);
        else if (s.phase !== lastPhase || now - lastPlain >= PLAIN_EVERY_MS) {
          ctx.out(progressLine(s));
          lastPlain = now;
        }
      }
      lastPhase = s.phase;
      // Handed over from the rebuild-only mode: the daemon rejoins once it runs normally.
      const handingOver = s.finished && s.phase === "rejoining";
      if (handingOver && performance.now() - lastAnswer < UNREACHABLE_MS) {
        handOverSince ??= performance.now();
        if (performance.now() - handOverSince < UNREACHABLE_MS) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          continue;
        }
      }
      if (s.finished) {
        if (tty) ctx.write("\n");
        return finish(ctx, s);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return 1;
  });
}

function finish(ctx: CliContext, s: RebuildStatus): number {
  if (s.phase === "done") {
    if (!ctx.json) {
      ctx.out(`${s.kind} done in ${(s.elapsedMs / 1000).toFixed(1)} s from ${s.donor}`);
      if (s.keptAside) ctx.out(`the old datadir is kept at ${s.keptAside}`);
    }
    return 0;
  }
  if (s.phase === "rejoining") {
    throw new XenonError(
      "the datadir is restored and mysqld runs, but the agent has not rejoined yet: see its log, then run rebuildme again",
    );
  }
  if (ctx.json) return 1;
  throw new XenonError(`${s.kind} ${s.phase}: ${s.error}`);
}
