/**
 * Health endpoints for load balancers and Kubernetes probes (Patroni's model, anchors.md §1.1):
 * each path is a check on the node's status snapshot that answers 200 or 503, with a JSON body
 * whose `reason` says in one line why. Pure: the server passes the snapshot in.
 */
import { oneLine } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import type { NodeStatus } from "../model/status.ts";
import { type LagThreshold, parseLagThreshold } from "./lag_threshold.ts";

export interface Verdict {
  ok: boolean;
  reason: string;
}

export interface HealthInput {
  status: NodeStatus;
  /** From `?lag=`; undefined when absent. */
  lag?: LagThreshold;
}

export interface LivenessInput {
  /** Ms since the daemon's loop last completed a cycle; null when the daemon does not say. */
  loopAgeMs: number | null;
  maxLoopAgeMs: number;
}

export interface HealthAnswer {
  status: 200 | 400 | 503;
  body: Record<string, unknown>;
}

const REPLICA_ROLES = new Set(["FOLLOWER", "IDLE", "LEARNER"]);

function primary({ status: s }: HealthInput): Verdict {
  if (s.role !== "LEADER") return notRole("the leader", s);
  if (!s.mysql.alive) return no(`leader, but MySQL is down${lastError(s)}`);
  if (!s.lease?.valid) {
    return no("leader without a valid lease (no majority heard recently): writes are not safe");
  }
  if (!s.writable || s.mysql.readOnly !== false) {
    return no("leader, but MySQL is not writable yet (applying relay log or read_only=ON)");
  }
  const blocked = s.semiSync.blockedForMs === null
    ? ""
    : `; semi-sync blocked for ${seconds(s.semiSync.blockedForMs)}`;
  return yes(
    `writable leader of term ${s.term}, lease ${seconds(s.lease.remainingMs)} left${blocked}`,
  );
}

function replica({ status: s, lag }: HealthInput): Verdict {
  if (!REPLICA_ROLES.has(s.role)) return notRole("a replica", s);
  if (!s.mysql.alive) return no(`MySQL is down${lastError(s)}`);
  if (s.mysql.readOnly !== true) return no("MySQL is not read-only");
  if (!s.mysql.ioRunning) return no(`replication IO thread is not running${lastError(s)}`);
  if (!s.mysql.sqlRunning) return no(`replication SQL thread is not running${lastError(s)}`);
  const behind = s.mysql.secondsBehindMaster;
  const replicating = `replicating from ${s.leader || "an unknown leader"}`;
  if (lag?.kind === "seconds") {
    if (behind === null) return no("lag unknown (Seconds_Behind_Master is NULL)");
    if (behind > lag.seconds) return no(`${behind} s behind, over lag=${lag.text}`);
  }
  if (lag?.kind === "bytes") {
    const backlog = s.mysql.relayBacklogBytes;
    if (backlog === null) {
      return no("relay log backlog in bytes is unknown on this server; use lag=<seconds>");
    }
    if (backlog > lag.bytes) return no(`relay log backlog ${backlog} bytes, over lag=${lag.text}`);
  }
  return yes(`${replicating}, ${behind === null ? "lag unknown" : `${behind} s behind`}`);
}

function readOnly(input: HealthInput): Verdict {
  return input.status.role === "LEADER" ? primary(input) : replica(input);
}

function sync({ status: s }: HealthInput): Verdict {
  if (s.role !== "LEADER") return notRole("the leader", s);
  if (s.semiSync.blockedForMs !== null) {
    return no(
      `semi-sync blocked for ${seconds(s.semiSync.blockedForMs)}: commits wait for a ` +
        `replica's acknowledgement and none arrives`,
    );
  }
  if (s.semiSync.acking === null) return no("semi-sync status unknown");
  if (!s.semiSync.acking) {
    return no(
      "semi-sync is not acknowledging (rpl_semi_sync_master_status=OFF): commits are " +
        "not waiting for any replica",
    );
  }
  return yes(`semi-sync acknowledging (${s.semiSync.clients ?? "?"} replica(s) connected)`);
}

function health({ status: s }: HealthInput): Verdict {
  return s.mysql.alive ? yes("MySQL is up") : no(`MySQL is down${lastError(s)}`);
}

function readiness({ status: s }: HealthInput): Verdict {
  if (!s.mysql.alive) return no(`MySQL is down${lastError(s)}`);
  if (s.role === "INVALID" || s.role === "STOPPED") return no(`${s.role}: ${s.reason}`);
  if (s.leader === "") return no(`${s.role} and no leader known yet`);
  return yes(`${s.role} of term ${s.term}, leader ${s.leader}`);
}

/** Status checks by path. `/liveness` is separate: it must answer even without a status. */
export const HEALTH_CHECKS: Readonly<Record<string, (input: HealthInput) => Verdict>> = {
  "/primary": primary,
  "/read-write": primary,
  "/leader": primary,
  "/replica": replica,
  "/read-only": readOnly,
  "/sync": sync,
  "/health": health,
  "/readiness": readiness,
};

export function liveness({ loopAgeMs, maxLoopAgeMs }: LivenessInput): Verdict {
  if (loopAgeMs === null) return yes("the daemon answers");
  if (loopAgeMs > maxLoopAgeMs) {
    return no(
      `the daemon's loop last ran ${seconds(loopAgeMs)} ago (over ${seconds(maxLoopAgeMs)})`,
    );
  }
  return yes(`the daemon's loop ran ${seconds(loopAgeMs)} ago`);
}

/** Runs the check of `path` (one of HEALTH_CHECKS) with the query string's `lag`. */
export function healthAnswer(
  path: string,
  query: URLSearchParams,
  status: NodeStatus,
): HealthAnswer {
  const check = HEALTH_CHECKS[path];
  const lagText = query.get("lag");
  let lag: LagThreshold | undefined;
  try {
    lag = lagText === null ? undefined : parseLagThreshold(lagText);
  } catch (error) {
    return { status: 400, body: { ...describe(status), reason: oneLine(error) } };
  }
  const verdict = check({ status, lag });
  return { status: verdict.ok ? 200 : 503, body: { ...describe(status), reason: verdict.reason } };
}

/** What every health body shows besides the reason. */
export function describe(s: NodeStatus): Record<string, unknown> {
  return {
    role: s.role,
    term: s.term,
    leader: s.leader,
    lag: s.mysql.secondsBehindMaster,
    writable: s.writable,
    lease: s.lease,
    mysql: {
      alive: s.mysql.alive,
      readOnly: s.mysql.readOnly,
      ioRunning: s.mysql.ioRunning,
      sqlRunning: s.mysql.sqlRunning,
      relayBacklogBytes: s.mysql.relayBacklogBytes,
      relayBacklogTransactions: s.mysql.relayBacklogTransactions,
    },
    semiSync: { acking: s.semiSync.acking, blockedForMs: s.semiSync.blockedForMs },
    raftReason: redact(s.reason),
  };
}

function notRole(wanted: string, s: NodeStatus): Verdict {
  const leader = s.leader ? `the leader is ${s.leader}` : "no leader known";
  return no(`not ${wanted}: this node is ${s.role} (${leader})`);
}

function lastError(s: NodeStatus): string {
  const error = s.mysql.lastError.trim();
  return error ? `: ${redact(oneLine(error)).slice(0, 200)}` : "";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function yes(reason: string): Verdict {
  return { ok: true, reason };
}

function no(reason: string): Verdict {
  return { ok: false, reason };
}
