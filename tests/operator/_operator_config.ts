/**
 * xenon.json as radondb-mysql-kubernetes' sidecar writes it (sidecar/config.go buildXenonConf):
 * every timer is election-timeout / admit-defeat-hearbeat-count (integer division), the root
 * password is the CRD's only allowed value "", and the fork's extra keys are there.
 */
export interface OperatorConfigOptions {
  /** `<pod>.<service>.<namespace>` in the operator; loopback addresses here. */
  host: string;
  /** The operator's 8801 (peer RPC) and 6601 (HTTP); free loopback ports here. */
  xenonPort: number;
  peerPort: number;
  replicationUser: string;
  replicationPassword: string;
  /** @default "" (a restore's xtrabackup_binlog_info, when the pod was restored) */
  gtidPurged?: string;
  /** CRD spec.xenonOpts.electionTimeout. @default 10000 */
  electionTimeout?: number;
  /** CRD spec.xenonOpts.admitDefeatHearbeatCount. @default 5 */
  admitDefeatHearbeatCount?: number;
  /** "mysql80", or "mysql57" for a 5.7 image; the operator never writes anything else. */
  version?: string;
  mysqlPort: number;
  metaDir: string;
  leaderStartCommand?: string;
  leaderStopCommand?: string;
  /** Extra keys merged into sections (tests only: a cluster secret for loopback clusters). */
  extra?: Record<string, Record<string, unknown>>;
}

export function operatorConfig(o: OperatorConfigOptions): Record<string, Record<string, unknown>> {
  const election = o.electionTimeout ?? 10000;
  const count = o.admitDefeatHearbeatCount ?? 5;
  const derived = Math.trunc(election / count); // Go's int32 division
  const config: Record<string, Record<string, unknown>> = {
    log: { level: "INFO" },
    server: {
      endpoint: `${o.host}:${o.xenonPort}`,
      "peer-address": `${o.host}:${o.peerPort}`,
      "enable-apis": true,
    },
    replication: {
      passwd: o.replicationPassword,
      user: o.replicationUser,
      "gtid-purged": o.gtidPurged ?? "",
    },
    rpc: { "request-timeout": derived },
    mysql: {
      "admit-defeat-ping-count": 3,
      admin: "root",
      "ping-timeout": derived,
      passwd: "",
      host: "127.0.0.1",
      version: o.version ?? "mysql80",
      "master-sysvars": "sync_binlog=default;innodb_flush_log_at_trx_commit=default",
      "slave-sysvars": "sync_binlog=1000;innodb_flush_log_at_trx_commit=1",
      port: o.mysqlPort,
      "monitor-disabled": true,
    },
    raft: {
      "election-timeout": election,
      "admit-defeat-hearbeat-count": count,
      "heartbeat-timeout": derived,
      "meta-datadir": o.metaDir,
      "semi-sync-degrade": true,
      "purge-binlog-disabled": true,
      "super-idle": false,
      "leader-start-command": o.leaderStartCommand ?? "/xenonchecker leaderStart",
      "leader-stop-command": o.leaderStopCommand ?? "/xenonchecker leaderStop",
    },
  };
  for (const [section, keys] of Object.entries(o.extra ?? {})) {
    config[section] = { ...config[section], ...keys };
  }
  return config;
}
