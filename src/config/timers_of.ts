/**
 * The election timers a config sets, in the core's terms (milliseconds). The daemon builds its
 * options from them and `config check` prints their lease arithmetic, so both see the same.
 */
import type { XenonConfig } from "./derive.ts";

export interface ConfiguredTimers {
  heartbeatMs: number;
  electionTimeoutMs: number;
  requestTimeoutMs: number;
}

export function timersOf(config: XenonConfig): ConfiguredTimers {
  return {
    heartbeatMs: config.raft.heartbeatTimeout,
    electionTimeoutMs: config.raft.electionTimeout,
    requestTimeoutMs: config.rpc.requestTimeout,
  };
}
