/**
 * `/metrics` in the Prometheus text format, rendered by prom-client from the node's status
 * snapshot at each scrape (so it always agrees with the health endpoints). A value that is not
 * known (lag while MySQL is down) is left out rather than shown as 0.
 */
import { Counter, Gauge, Registry } from "prom-client";
import { RAFT_STATES } from "../model/mod.ts";
import type { NodeStatus } from "../model/status.ts";
import type { FailoverRecord } from "../recorder/mod.ts";
import { PHASES } from "../recorder/mod.ts";

const ROLES = RAFT_STATES;

type Sample = { labels?: Record<string, string>; value: number };
type Family = {
  name: string;
  help: string;
  type: "gauge" | "counter";
  /** Samples to show; empty when unknown. */
  samples: (s: NodeStatus, last: FailoverRecord | null) => Sample[];
};

const one = (value: number | null | undefined): Sample[] =>
  value === null || value === undefined || !Number.isFinite(value) ? [] : [{ value }];
const flag = (value: boolean | null | undefined): Sample[] =>
  value === null || value === undefined ? [] : [{ value: value ? 1 : 0 }];
const byReason = (counts: Record<string, number>): Sample[] =>
  Object.entries(counts).map(([reason, value]) => ({ labels: { reason }, value }));

const FAMILIES: readonly Family[] = [
  {
    name: "xenon_role",
    help: "1 for this node's current raft role, 0 for the others",
    type: "gauge",
    samples: (s) => ROLES.map((role) => ({ labels: { role }, value: s.role === role ? 1 : 0 })),
  },
  { name: "xenon_term", help: "Current term (ViewID)", type: "gauge", samples: (s) => one(s.term) },
  {
    name: "xenon_leader_known",
    help: "1 when this node knows a leader",
    type: "gauge",
    samples: (s) => flag(s.leader !== ""),
  },
  {
    name: "xenon_leader_changes_total",
    help: "Leader changes seen by this node",
    type: "counter",
    samples: (s) => one(s.counters.leaderChanges),
  },
  {
    name: "xenon_elections_started_total",
    help: "Elections this node started as candidate",
    type: "counter",
    samples: (s) => one(s.counters.electionsStarted),
  },
  {
    name: "xenon_elections_won_total",
    help: "Elections this node won",
    type: "counter",
    samples: (s) => one(s.counters.electionsWon),
  },
  {
    name: "xenon_votes_granted_total",
    help: "Votes this node granted, by reason",
    type: "counter",
    samples: (s) => byReason(s.counters.votesGranted),
  },
  {
    name: "xenon_votes_denied_total",
    help: "Votes this node denied, by reason",
    type: "counter",
    samples: (s) => byReason(s.counters.votesDenied),
  },
  {
    name: "xenon_heartbeat_acks_total",
    help: "Heartbeats acknowledged (leader: acks received; follower: heartbeats accepted)",
    type: "counter",
    samples: (s) => one(s.counters.heartbeatAcks),
  },
  {
    name: "xenon_heartbeat_misses_total",
    help: "Heartbeats missed or not acknowledged",
    type: "counter",
    samples: (s) => one(s.counters.heartbeatMisses),
  },
  {
    name: "xenon_fence_failures_total",
    help: "Fences that could not make MySQL read-only in time (each escalated to a hard stop)",
    type: "counter",
    samples: (s) => one(s.counters.fenceFailures),
  },
  {
    name: "xenon_lease_valid",
    help: "Leader only: 1 while a majority acknowledged recently enough",
    type: "gauge",
    samples: (s) => flag(s.lease?.valid),
  },
  {
    name: "xenon_lease_remaining_seconds",
    help: "Leader only: seconds the lease still holds without new acknowledgements",
    type: "gauge",
    samples: (s) => one(s.lease ? s.lease.remainingMs / 1000 : null),
  },
  {
    name: "xenon_writable",
    help: "1 on the leader once MySQL is writable",
    type: "gauge",
    samples: (s) => flag(s.writable),
  },
  {
    name: "xenon_mysql_up",
    help: "1 when MySQL answers",
    type: "gauge",
    samples: (s) => flag(s.mysql.alive),
  },
  {
    name: "xenon_mysql_read_only",
    help: "1 when MySQL is read-only",
    type: "gauge",
    samples: (s) => flag(s.mysql.readOnly),
  },
  {
    name: "xenon_replication_io_running",
    help: "1 while the replication IO thread runs",
    type: "gauge",
    samples: (s) => flag(s.mysql.alive ? s.mysql.ioRunning : null),
  },
  {
    name: "xenon_replication_sql_running",
    help: "1 while the replication SQL thread runs",
    type: "gauge",
    samples: (s) => flag(s.mysql.alive ? s.mysql.sqlRunning : null),
  },
  {
    name: "xenon_replication_lag_seconds",
    help: "Seconds_Behind_Master; absent when unknown",
    type: "gauge",
    samples: (s) => one(s.mysql.secondsBehindMaster),
  },
  {
    name: "xenon_relay_backlog_bytes",
    help: "Relay log bytes received but not applied; absent when unknown",
    type: "gauge",
    samples: (s) => one(s.mysql.relayBacklogBytes),
  },
  {
    name: "xenon_relay_backlog_transactions",
    help:
      "Transactions received but not applied (what a promotion must apply first); absent when unknown",
    type: "gauge",
    samples: (s) => one(s.mysql.relayBacklogTransactions),
  },
  {
    name: "xenon_apply_rate_transactions_per_second",
    help: "Transactions per second the SQL thread applied lately; absent when unknown",
    type: "gauge",
    samples: (s) => one(s.mysql.applyRate),
  },
  {
    name: "xenon_failover_forecast_seconds",
    help: "Followers: how long a failover to this node would take now (detect + apply backlog); " +
      "absent when unknown",
    type: "gauge",
    samples: (s) => one(s.failoverForecast?.seconds),
  },
  {
    name: "xenon_semisync_acking",
    help: "Leader only: 1 while semi-sync acknowledges (rpl_semi_sync_master_status)",
    type: "gauge",
    samples: (s) => flag(s.semiSync.acking),
  },
  {
    name: "xenon_semisync_blocked_seconds",
    help: "Leader only: seconds commits have waited without any acknowledgement (0 = not blocked)",
    type: "gauge",
    samples: (s) => s.role === "LEADER" ? one((s.semiSync.blockedForMs ?? 0) / 1000) : [],
  },
  {
    name: "xenon_semisync_clients",
    help: "Leader only: semi-sync replicas connected",
    type: "gauge",
    samples: (s) => one(s.semiSync.clients),
  },
  {
    name: "xenon_mysqld_restarts_total",
    help: "mysqld restarts by this agent's monitor",
    type: "counter",
    samples: (s) => one(s.counters.mysqldRestarts),
  },
  {
    name: "xenon_uptime_seconds",
    help: "Seconds since the agent started",
    type: "gauge",
    samples: (s) => one(s.uptimeSeconds),
  },
  {
    name: "xenon_last_failover_timestamp_seconds",
    help: "Epoch seconds when the last recorded failover began",
    type: "gauge",
    samples: (_, last) => one(last ? last.startedAtMs / 1000 : null),
  },
  {
    name: "xenon_last_failover_duration_seconds",
    help: "Outage of the last recorded failover, first phase start to last phase end",
    type: "gauge",
    samples: (_, last) => one(last ? last.totalMs / 1000 : null),
  },
  {
    name: "xenon_last_failover_phase_seconds",
    help: "Duration of each phase of the last recorded failover",
    type: "gauge",
    samples: (_, last) =>
      (last?.phases ?? [])
        .filter((p) => (PHASES as readonly string[]).includes(p.name))
        .map((p) => ({ labels: { phase: p.name }, value: p.durationMs / 1000 })),
  },
  {
    name: "xenon_last_failover_lost_transactions",
    help: "Transactions the last failover's new leader lacked; absent when unknown",
    type: "gauge",
    samples: (_, last) => one(last?.verdict.lost),
  },
];

/** Every metric name /metrics may show (dashboards and alert rules are checked against it). */
export const METRIC_NAMES: readonly string[] = FAMILIES.map((f) => f.name);

export const METRICS_CONTENT_TYPE = new Registry().contentType;

/** The exposition text for one scrape. */
export async function renderMetrics(
  status: NodeStatus,
  lastFailover: FailoverRecord | null,
): Promise<string> {
  const registry = new Registry();
  for (const family of FAMILIES) {
    const samples = family.samples(status, lastFailover);
    if (samples.length === 0) continue;
    const labelNames = Object.keys(samples[0].labels ?? {});
    const config = { name: family.name, help: family.help, labelNames, registers: [registry] };
    if (family.type === "counter") {
      const counter = new Counter(config);
      for (const { labels, value } of samples) counter.inc(labels ?? {}, Math.max(0, value));
    } else {
      const gauge = new Gauge(config);
      for (const { labels, value } of samples) gauge.set(labels ?? {}, value);
    }
  }
  return await registry.metrics();
}
