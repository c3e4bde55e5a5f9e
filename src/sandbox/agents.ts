/**
 * Sandbox agents as detached processes: each runs `xenon serve -c FILE` in its own session, with
 * its output appended to a log file, so it outlives the `sandbox up` that started it; with
 * `--netns`, inside its host's network namespace.
 */
import { XenonError } from "../lib/errors.ts";
import { isAlive, killHard, processesMentioning } from "./procs.ts";
import { sleep } from "./wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The argv that runs the daemon: this deno with main.ts from a checkout, or the compiled binary. */
export function serveArgv(configPath: string): string[] {
  const exe = Deno.execPath();
  const serve = ["serve", "-c", configPath];
  if (!/\/deno$/.test(exe)) return [exe, ...serve];
  return [exe, "run", "-A", "--quiet", "--config", `${ROOT}deno.json`, `${ROOT}main.ts`, ...serve];
}

/**
 * Starts the agent of `configPath` detached (`setsid --fork`: not our child, nothing ties it to
 * this process). The shell only redirects output: its script is a constant and every value,
 * the log path included, is a positional argument, never part of the script's text.
 */
export async function spawnAgent(
  configPath: string,
  logPath: string,
  runOn: string[] = [],
): Promise<void> {
  const redirect = 'exec "$@" >>"$0" 2>&1 </dev/null';
  const out = await new Deno.Command("setsid", {
    args: ["--fork", "sh", "-c", redirect, logPath, ...runOn, ...serveArgv(configPath)],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new XenonError(`cannot start the agent of ${configPath}: ${text || `exit ${out.code}`}`);
  }
}

/** The pid of the agent serving `configPath`, found by its command line. */
export function agentPid(configPath: string): number | undefined {
  const agent = processesMentioning(` -c ${configPath}`).find((p) => p.comm !== "sh");
  return agent?.pid;
}

/** SIGTERM (a leader fences itself first), then SIGKILL after `graceMs`. */
export async function stopAgents(pids: number[], graceMs = 5_000): Promise<void> {
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = performance.now() + graceMs;
  while (pids.some(isAlive) && performance.now() < deadline) await sleep(50);
  for (const pid of pids.filter(isAlive)) killHard(pid);
}
