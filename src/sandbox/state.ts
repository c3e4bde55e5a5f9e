/**
 * The sandbox's directory and its state file, `sandbox.json` (mode 0600: it holds the generated
 * passwords). Every later command (`status`, `kill-primary`, `write`, `down`) starts from it.
 */
import { XenonError } from "../lib/errors.ts";
import { type InstancePaths, instancePaths } from "./mycnf.ts";
import type { NetnsLayout } from "./network.ts";

/** One node: its MariaDB instance and its agent. */
export interface NodeState {
  name: string;
  serverId: number;
  /** The node's host: 127.0.0.1, or its namespace's address. */
  host: string;
  mysqlPort: number;
  /** The agent's `server.endpoint` (its id and RPC address). */
  endpoint: string;
  /** The agent's HTTP API and health endpoints (`server.peer-address`). */
  peerAddress: string;
  dir: string;
  mysql: InstancePaths;
  configPath: string;
  /** The agent's `raft.meta-datadir` (peers.json, flight recorder). */
  metaDir: string;
  agentLog: string;
  /** Where the leader-start/stop commands write (on loopback, the VIP's stand-in). */
  leaderLog: string;
  /** The agent's pid once started. */
  agentPid?: number;
}

export interface Credentials {
  user: string;
  password: string;
}

export interface SandboxState {
  version: 1;
  dir: string;
  network: "loopback" | "netns";
  /** With `--netns`: what the namespaces, links and addresses were made from (`down` removes them). */
  netns?: NetnsLayout;
  createdAt: string;
  /** The agents' `mysql.admin` account (also the HTTP API's basic auth). */
  admin: Credentials;
  /** The application account `sandbox write` uses: no READ ONLY ADMIN, so read_only stops it. */
  app: Credentials;
  secretFile: string;
  nodes: NodeState[];
}

export const STATE_FILE = "sandbox.json";

export function stateFile(dir: string): string {
  return `${dir}/${STATE_FILE}`;
}

/** Paths of node `index` (0-based) inside `dir`. */
export function nodePaths(dir: string, index: number) {
  const name = `node${index + 1}`;
  const nodeDir = `${dir}/${name}`;
  return {
    name,
    dir: nodeDir,
    mysql: instancePaths(`${nodeDir}/mysql`),
    configPath: `${nodeDir}/xenon.json`,
    metaDir: `${nodeDir}/meta`,
    agentLog: `${nodeDir}/xenon.log`,
    leaderLog: `${nodeDir}/leader.log`,
  };
}

export async function writeState(state: SandboxState): Promise<void> {
  const path = stateFile(state.dir);
  const temp = `${path}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  await Deno.rename(temp, path);
}

/** Reads the state of the sandbox in `dir`; one line when there is none. */
export async function readState(dir: string): Promise<SandboxState> {
  let text: string;
  try {
    text = await Deno.readTextFile(stateFile(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new XenonError(`no sandbox in ${dir}: run xenon sandbox up (or pass its --dir)`);
    }
    throw error;
  }
  try {
    const state = JSON.parse(text) as SandboxState;
    if (state.version !== 1 || !Array.isArray(state.nodes)) throw new Error("unknown layout");
    return state;
  } catch (error) {
    throw new XenonError(
      `${stateFile(dir)} is not a sandbox state file (${(error as Error).message}): ` +
        `remove ${dir} by hand after stopping what runs there`,
    );
  }
}

/** True if `dir` holds a sandbox state file. */
export async function hasState(dir: string): Promise<boolean> {
  try {
    await Deno.stat(stateFile(dir));
    return true;
  } catch {
    return false;
  }
}
