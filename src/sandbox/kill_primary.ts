/**
 * `sandbox kill-primary`: kills the leader's mysqld_safe and mysqld (its agent stays up, with its
 * mysqld monitor paused so MySQL stays down), prints every raft state change as it happens until
 * another node is a writable leader, shows the flight-recorder entry, then restarts the killed
 * mysqld through its agent (as a replica) and waits until the old leader follows the new one.
 */
import { XenonError } from "../lib/errors.ts";
import { findProcesses } from "../mysqld/procfs.ts";
import { nodeLabel, type NodeView, SandboxClient } from "./client.ts";
import { isAlive, killHard } from "./procs.ts";
import type { NodeState, SandboxState } from "./state.ts";
import { sleep, waitFor } from "./wait.ts";

export interface KillPrimaryOptions {
  say(line: string): void;
  /** Shows `cluster history` (argv after `xenon`); returns its exit code. */
  history(argv: string[]): Promise<number>;
  /** Longest wait for a new writable leader, and for the old one to rejoin. @default 60000 */
  timeoutMs?: number;
}

export interface KillPrimaryReport {
  oldLeader: NodeState;
  newLeader: NodeState;
  /** From the kill to the new leader accepting writes (seen by polling every 100 ms). */
  outageMs: number;
  /** Exit code of `cluster history --last 1` (2: not available in this build). */
  historyCode: number;
  /** The old leader follows the new one again, replication threads running. */
  rejoined: boolean;
}

const POLL_MS = 100;

function describe(view: NodeView): string {
  if (view.raft === null) return "agent not answering";
  return `${view.raft.state}${view.raft.reason ? ` (${view.raft.reason})` : ""}`;
}

export async function killPrimary(
  state: SandboxState,
  options: KillPrimaryOptions,
): Promise<KillPrimaryReport> {
  const { say } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const client = await SandboxClient.open(state);
  try {
    const old = await client.writableLeader();
    if (old === undefined) {
      throw new XenonError("no writable leader now: see xenon sandbox status, retry in a moment");
    }
    await client.call(old, "MysqldRPC.StopMonitor", {}, 5000);
    say(
      `killing the MySQL of the leader ${nodeLabel(old)}: mysqld_safe, then mysqld ` +
        `(its agent stays up; its mysqld monitor is paused so MySQL stays down)`,
    );
    const victims = findProcesses(old.mysql.cnfPath, old.mysql.pidFile);
    for (const pid of victims.safe) killHard(pid);
    for (const pid of victims.server) killHard(pid);
    const killedAt = performance.now();
    const at = () => `+${((performance.now() - killedAt) / 1000).toFixed(2)} s`;

    // Every state change as it happens, until another node leads with MySQL writable.
    const seen = new Map<string, string>();
    let newLeader: NodeState | undefined;
    while (performance.now() - killedAt < timeoutMs) {
      for (const view of await client.views()) {
        const now = describe(view);
        if (seen.get(view.node.name) !== now) {
          say(`${at()}  ${view.node.name}: ${seen.has(view.node.name) ? "" : "is "}${now}`);
          seen.set(view.node.name, now);
        }
      }
      const leader = await client.writableLeader();
      if (leader !== undefined && leader !== old && leader.name !== old.name) {
        newLeader = leader;
        break;
      }
      await sleep(POLL_MS);
    }
    if (newLeader === undefined) {
      throw new XenonError(
        `no new writable leader ${timeoutMs / 1000} s after killing ${old.name}'s MySQL: ` +
          `see ${state.dir}/node*/xenon.log`,
      );
    }
    const outageMs = performance.now() - killedAt;
    say(
      `${at()}  ${newLeader.name} is the writable leader: outage ${
        (outageMs / 1000).toFixed(2)
      } s ` +
        `from the kill to the first accepted write`,
    );
    for (const pid of victims.server) {
      await waitFor(`killed mysqld ${pid} to be reaped`, () => isAlive(pid) ? undefined : true, {
        timeoutMs: 10_000,
      }).catch(() => {});
    }

    // The new leader writes its record once its last phase (leader-start-command) ended.
    const recorded = await waitFor("the flight-recorder entry", async () => {
      const records = await client.call(newLeader, "RaftRPC.History", { last: 1 }).catch(() => []);
      return records.some((r) => r.newLeader === newLeader!.endpoint) ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 }).catch(() => false);
    if (!recorded) say(`(${newLeader.name} has not recorded this failover within 10 s)`);
    say("flight recorder (xenon cluster history --last 1):");
    const historyCode = await options.history(["cluster", "history", "--last", "1"]);
    if (historyCode === 2) {
      say("(cluster history is not available in this build yet: no flight-recorder entry shown)");
    }

    say(`restarting ${old.name}'s MySQL through its agent; it rejoins as a replica`);
    const restartedAt = performance.now();
    await client.call(old, "MysqldRPC.Start", {}, 35_000);
    await client.call(old, "MysqldRPC.StartMonitor", {}, 5000);
    const rejoined = await waitFor(`${old.name} to follow ${newLeader.name}`, async () => {
      const raft = await client.call(old, "RaftRPC.Status", {}).catch(() => null);
      if (raft?.state !== "FOLLOWER" || raft.leader !== newLeader.endpoint) return undefined;
      const rows = await client.query<Record<string, unknown>>(old, "SHOW SLAVE STATUS")
        .catch(() => []);
      const running = rows[0]?.Slave_IO_Running === "Yes" && rows[0]?.Slave_SQL_Running === "Yes";
      return running ? true : undefined;
    }, { timeoutMs, intervalMs: 200 }).catch((error) => {
      say(`${old.name} did not rejoin: ${error instanceof Error ? error.message : error}`);
      return false;
    });
    if (rejoined) {
      const took = ((performance.now() - restartedAt) / 1000).toFixed(1);
      say(`${old.name} rejoined as a FOLLOWER of ${newLeader.name} ${took} s after its restart`);
    }
    return { oldLeader: old, newLeader, outageMs, historyCode, rejoined };
  } finally {
    client.close();
  }
}
