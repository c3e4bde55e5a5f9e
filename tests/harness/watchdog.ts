/**
 * Runs beside a test process (started by registry.ts, in its own session) and, once that process
 * is gone for whatever reason (^C in `deno test`, whose runner exits without running module
 * signal handlers; kill -9; a crash), kills every server under its temp root, runs the teardowns
 * registered there (network namespaces) and removes the root.
 *
 * Usage: deno run -A --no-config --no-lock watchdog.ts <pid> <root>
 */

import { exists, killEverythingMentioning, runTeardowns } from "./registry.ts";

const POLL_MS = 250;
const MAX_LIFETIME_MS = 24 * 3600 * 1000; // a bound like every wait; no test run lasts a day

function startTime(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Field 22 (starttime) after "pid (comm) ": tells a reused pid from the original process.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

const [pidArg, root] = Deno.args;
const pid = Number(pidArg);
if (!Number.isInteger(pid) || pid < 2 || !root?.includes("/xenon-test-mariadb-")) {
  console.error("usage: watchdog.ts <pid> <xenon-test-mariadb root>");
  Deno.exit(2);
}

const started = startTime(pid);
const deadline = Date.now() + MAX_LIFETIME_MS;
// The test process removes its root itself when it ends normally; then there is nothing to do.
while (
  started !== undefined && startTime(pid) === started && exists(root) && Date.now() < deadline
) {
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
if (exists(root)) {
  killEverythingMentioning(`${root}/`);
  runTeardowns(root);
  Deno.removeSync(root, { recursive: true });
}
