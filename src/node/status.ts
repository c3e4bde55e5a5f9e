/**
 * The node's status snapshot (src/model/status.ts) for the health endpoints, `/metrics` and
 * `raft explain`: built on demand from the election state, the poller's last MySQL sample, the
 * leader duties' semi-sync reading and the node's election counters (stats.ts).
 */
import { forecastFailover } from "../model/forecast.ts";
import type { NodeStatus } from "../model/status.ts";
import type { MysqlStatus } from "../mysql/mod.ts";
import { leaseOf, type RaftOptions, type RaftState, semiSyncWaitCount } from "../raft/mod.ts";
import type { LeaderSemiSyncSample } from "../ports/mod.ts";
import type { Counters } from "./stats.ts";

export interface StatusSources {
  state: RaftState;
  options: RaftOptions;
  /** The node's monotonic clock (ms). */
  now: number;
  /** The poller's last sample; null while MySQL is dead. */
  sample: MysqlStatus | null;
  /** The leader duties' semi-sync reading (null on followers). */
  semiSync: LeaderSemiSyncSample | null;
  /** Clock reading since commits wait for acks with none arriving; null = not blocked. */
  blockedSince: number | null;
  counters: Counters;
  mysqldRestarts: number;
  uptimeSeconds: number;
  /** The SQL thread's recent apply rate (transactions/s); absent or null: not known. */
  applyRate?: number | null;
}

export function buildNodeStatus(src: StatusSources): NodeStatus {
  const s = src.state;
  const leader = s.role === "LEADER";
  const replica = src.sample?.replica ?? null;
  const alive = s.mysql.alive && src.sample !== null;
  const applyRate = src.applyRate ?? null;
  const backlog = replica === null && alive ? 0 : replica?.backlogTransactions ?? null;
  return {
    endpoint: s.self,
    role: s.role,
    term: s.term,
    epoch: s.epoch,
    leader: s.leader ?? "",
    reason: s.reason,
    voters: [...s.peers],
    idlePeers: [...s.idlePeers],
    lease: leaseOf(src.options, s, src.now),
    writable: leader && s.leadership?.phase === "writable",
    mysql: {
      alive,
      readOnly: alive ? src.sample!.readOnly : null,
      ioRunning: replica?.ioRunning ?? false,
      sqlRunning: replica?.sqlRunning ?? false,
      secondsBehindMaster: replica?.secondsBehind ?? null,
      relayBacklogBytes: replica?.backlogBytes ?? null,
      relayBacklogTransactions: replica?.backlogTransactions ?? null,
      applyRate,
      position: s.mysql.position ?? src.sample?.positions.executed ?? "",
      lastError: replica?.lastSqlError || replica?.lastIoError || "",
    },
    semiSync: {
      acking: leader ? src.semiSync?.acking ?? null : null,
      clients: leader ? src.semiSync?.clients ?? null : null,
      waitCount: leader ? semiSyncWaitCount(s.peers.length) : null,
      blockedForMs: leader && src.blockedSince !== null
        ? Math.max(0, Math.round(src.now - src.blockedSince))
        : null,
    },
    counters: { ...src.counters, mysqldRestarts: src.mysqldRestarts },
    uptimeSeconds: src.uptimeSeconds,
    failoverForecast: leader ? null : forecastFailover({
      electionTimeoutMs: src.options.electionTimeoutMs,
      requestTimeoutMs: src.options.requestTimeoutMs,
      backlogTransactions: alive ? backlog : null,
      applyRate,
    }),
  };
}
