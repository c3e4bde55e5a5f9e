/** Shared by the failover benchmarks: a round starts only on a healthy cluster. */
import { type Agent, type E2ECluster, oneLine, waitFor } from "../tests/e2e/_cluster.ts";

/**
 * Waits until `leader` is the writable leader and both others follow it, replicating, and every
 * agent sees its MySQL alive again (a switchover target that still thinks its MySQL is down
 * refuses to lead).
 */
export async function healthy(cluster: E2ECluster, leader: Agent): Promise<void> {
  await waitFor("every node following the leader and replicating", async () => {
    for (const a of cluster.agents) {
      const st = await cluster.call(a, "RaftRPC.Status").catch(() => null);
      if (
        a === leader
          ? st?.state !== "LEADER"
          : st?.state !== "FOLLOWER" || st.leader !== leader.endpoint
      ) {
        return undefined;
      }
      const mysql = await cluster.call(a, "MysqlRPC.Status").catch(() => null);
      if (mysql?.status !== "ALIVE") return undefined;
      if (a !== leader) {
        const [s] = await a.instance.query<Record<string, unknown>>("SHOW SLAVE STATUS")
          .catch(() => []);
        if (s?.Slave_IO_Running !== "Yes" || s.Slave_SQL_Running !== "Yes") return undefined;
      }
    }
    return true;
  }, { timeoutMs: 30_000, intervalMs: 100, explain: () => replicationState(cluster, leader) });
}

/** Each node's replication threads and the leader's semi-sync clients, for a failed wait. */
async function replicationState(cluster: E2ECluster, leader: Agent): Promise<string> {
  const parts = await Promise.all(cluster.agents.map(async (a) => {
    try {
      if (a === leader) {
        const [c] = await a.instance.query<{ Value: string }>(
          "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'",
        );
        return `agent${a.index} (leader): ${c?.Value} semi-sync clients`;
      }
      const [s] = await a.instance.query<Record<string, unknown>>("SHOW SLAVE STATUS");
      return `agent${a.index}: IO ${s?.Slave_IO_Running} SQL ${s?.Slave_SQL_Running} from ` +
        `${s?.Master_Port} ${s?.Last_IO_Error ?? ""} ${s?.Last_SQL_Error ?? ""}`;
    } catch (error) {
      return `agent${a.index}: ${oneLine(error)}`;
    }
  }));
  return `${parts.join("; ")}; leader log: ${cluster.logTail(leader, 3)}`;
}
