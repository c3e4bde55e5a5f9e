/**
 * `sandbox down`: stops the agents (SIGTERM, then SIGKILL after a bound), kills every process that
 * still names the sandbox directory (mysqld_safe before mariadbd, so nothing restarts), waits
 * until their ports are closed and removes the directory. Idempotent: no sandbox, nothing to do.
 */
import { XenonError } from "../lib/errors.ts";
import { agentPid, stopAgents } from "./agents.ts";
import { NetnsNetwork, removeNetwork } from "./network.ts";
import { killEverythingMentioning, listeningSockets } from "./procs.ts";
import { hasState, readState, type SandboxState } from "./state.ts";
import { waitFor } from "./wait.ts";

/** Returns false when there was no sandbox in `dir`. */
export async function down(dir: string, say: (line: string) => void): Promise<boolean> {
  if (!await hasState(dir)) {
    if (await exists(dir)) {
      throw new XenonError(`${dir} is not a sandbox (no sandbox.json): remove it yourself`);
    }
    return false;
  }
  let state: SandboxState | undefined;
  try {
    state = await readState(dir);
  } catch {
    // A torn state file: the processes are still found by the directory they name.
  }
  const agents = (state?.nodes ?? []).flatMap((n) => agentPid(n.configPath) ?? []);
  if (agents.length > 0) say(`stopping ${agents.length} agents`);
  await stopAgents(agents);
  if (!killEverythingMentioning(`${dir}/`)) {
    throw new XenonError(
      `processes under ${dir} survived SIGKILL for 5 s; see ps -ef | grep ${dir}`,
    );
  }
  if (state?.netns) {
    say(`removing the network namespaces ${state.netns.tag}*`);
    await removeNetwork(new NetnsNetwork(state.netns));
  }
  const ports = (state?.nodes ?? []).flatMap((n) => [
    n.mysqlPort,
    Number(n.endpoint.split(":").at(-1)),
    Number(n.peerAddress.split(":").at(-1)),
  ]);
  await waitFor("the sandbox's ports to close", () => {
    const open = listeningSockets();
    return ports.some((p) => open.has(p)) ? undefined : true;
  }, { timeoutMs: 5_000, intervalMs: 50 }).catch(() => {
    // Another program may have taken a freed port since: not ours to wait for.
  });
  await Deno.remove(dir, { recursive: true });
  say(`removed ${dir}`);
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
