/**
 * The election timers a config sets, in the core's terms (milliseconds). The daemon builds its
 * options from them and `config check` prints their lease arithmetic, so both see the same.
 *
 * The leader heartbeats at least three times per election timeout: its lease must outlast a
 * heartbeat with room for the acknowledgement to return. The original's configs (and the
 * Kubernetes operator's, which sets heartbeat-timeout = election-timeout /
 * admit-defeat-hearbeat-count, so 1 or 2 give a heartbeat of a whole or half election timeout)
 * may heartbeat less often; xenon then heartbeats more often instead of refusing them.
 */
import type { XenonConfig } from "./derive.ts";

export interface ConfiguredTimers {
  heartbeatMs: number;
  electionTimeoutMs: number;
  requestTimeoutMs: number;
}

export function timersOf(config: XenonConfig): ConfiguredTimers {
  return {
    heartbeatMs: heartbeatMsFor(config.raft.heartbeatTimeout, config.raft.electionTimeout),
    electionTimeoutMs: config.raft.electionTimeout,
    requestTimeoutMs: config.rpc.requestTimeout,
  };
}

/** The heartbeat period xenon uses: the configured one, at most a third of the election timeout. */
export function heartbeatMsFor(heartbeatTimeout: number, electionTimeout: number): number {
  return 3 * heartbeatTimeout <= electionTimeout
    ? heartbeatTimeout
    : Math.max(1, Math.floor(electionTimeout / 3));
}

/**
 * Longest a planned switchover (`raft trytoleader --wait`) takes: the old leader's lease may run
 * for up to an election timeout, an election for another one, and the new leader's catch-up for
 * its stall bound (a catch-up that keeps applying may take longer, up to its hard limit: the
 * switchover then goes on after the wait reported it late).
 */
export function switchoverBoundMs(t: { electionTimeoutMs: number; catchUpStallMs: number }) {
  return 2 * t.electionTimeoutMs + t.catchUpStallMs;
}
