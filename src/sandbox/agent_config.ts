/**
 * The xenon.json of one sandbox agent: loopback ports, the shared secret in a 0600 file, the HTTP
 * API on with the generated admin password, fast but `config check`-clean timers, and
 * `monitor-disabled: false` so each agent supervises its own mysqld as in production.
 */
import type { SandboxNetwork } from "./network.ts";
import type { NodeState, SandboxState } from "./state.ts";

/**
 * Timers for one machine: a leader whose MySQL dies is noticed in about a second (ping 500 ms,
 * 2 misses) and an election takes a few seconds, so `kill-primary` shows a failover quickly.
 * They satisfy every rule of `xenon config check` (ET ≥ 3×HB, ET ≥ HB + 2×RT, RT ≤ ET/2, RT ≥ 1 s).
 */
export const SANDBOX_TIMERS = {
  heartbeatMs: 500,
  electionMs: 3000,
  requestMs: 1000,
  pingMs: 500,
  pingCount: 2,
};

/** Durable on every node: the leader and any node that may become one. */
const DURABLE = "sync_binlog=1;innodb_flush_log_at_trx_commit=1";

export function agentConfig(
  state: Pick<SandboxState, "admin" | "secretFile">,
  node: NodeState,
  replication: { user: string; password: string },
  basedir: string,
  network: SandboxNetwork,
): string {
  const commands = network.leaderCommands(node.leaderLog);
  const config = {
    server: {
      endpoint: node.endpoint,
      "enable-apis": true,
      "peer-address": node.peerAddress,
      "cluster-secret-file": state.secretFile,
    },
    raft: {
      "meta-datadir": node.metaDir,
      "heartbeat-timeout": SANDBOX_TIMERS.heartbeatMs,
      "election-timeout": SANDBOX_TIMERS.electionMs,
      "leader-start-command": commands.start,
      "leader-stop-command": commands.stop,
      "purge-binlog-interval": 300000,
    },
    mysql: {
      admin: state.admin.user,
      passwd: state.admin.password,
      host: node.host,
      port: node.mysqlPort,
      version: "mariadb",
      basedir,
      "defaults-file": node.mysql.cnfPath,
      "ping-timeout": SANDBOX_TIMERS.pingMs,
      "admit-defeat-ping-count": SANDBOX_TIMERS.pingCount,
      "master-sysvars": DURABLE,
      "slave-sysvars": DURABLE,
      "monitor-disabled": false,
    },
    replication: { user: replication.user, passwd: replication.password },
    backup: { "mysqld-monitor-interval": 1000 },
    rpc: { "request-timeout": SANDBOX_TIMERS.requestMs },
    log: { level: "INFO", format: "text" },
  };
  return JSON.stringify(config, null, 2) + "\n";
}
