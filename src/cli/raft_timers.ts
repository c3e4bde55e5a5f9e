/**
 * xenon.json's timers as the election core sees them. The daemon must build its RaftOptions the
 * same way, or `config check` reports a lease the daemon does not use.
 */
import type { XenonConfig } from "../config/mod.ts";
import { DEFAULT_TIMERS, type RaftTimers } from "../raft/mod.ts";

export function raftTimersOf(config: XenonConfig): RaftTimers {
  return {
    ...DEFAULT_TIMERS,
    heartbeatMs: config.raft.heartbeatTimeout,
    electionTimeoutMs: config.raft.electionTimeout,
    requestTimeoutMs: config.rpc.requestTimeout,
  };
}
