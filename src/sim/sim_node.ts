/**
 * One simulated database host: its MariaDB model, its clock's rate and offset, its peers.json,
 * the faults armed on it, and the agent process running on it now (the real XenonNode).
 */
import { initialState, type PersistedMeta, type RaftOptions, type RaftState } from "../raft/mod.ts";
import type { AgentProcess } from "./agent.ts";
import { HostFaults } from "./host_faults.ts";
import { MysqlModel } from "./mysql_model.ts";

export type AgentStatus = "running" | "paused" | "crashed";

export class SimNode {
  /** The agent process of this host's current (or last) life; null before the first start. */
  proc: AgentProcess | null = null;
  /** Paused or crashed since it was last fenced: its writable MySQL has no live agent. */
  unattended = false;
  /** mysqld starts so far, and when the current one started (on this host's clock): uptime. */
  mysqlBoots = 0;
  bootAt = 0;
  /** Faults armed on this node's next promote (pause inside it) and fence (fails). */
  promotePauseMs = 0;
  fenceFails = false;
  /** The other faults armed on this host (its sessions, peers.json, wall clock). */
  readonly armed = new HostFaults();
  /** Statements a paused mysqld holds: they go on when it resumes. */
  held: (() => void)[] = [];
  readonly #idle: RaftState;

  constructor(
    readonly id: string,
    readonly index: number,
    readonly options: RaftOptions,
    public disk: PersistedMeta | null,
    /** Clock rate relative to real time, and offset: local = offset + rate * t. */
    public rate: number,
    public offset: number,
    readonly mysql: MysqlModel,
  ) {
    this.#idle = initialState(options);
  }

  /** The MySQL host replicas point CHANGE MASTER at (`10.0.0.N`). */
  get host(): string {
    return this.id.split(":")[0];
  }

  get agent(): AgentStatus {
    const status = this.proc?.status ?? "dead";
    return status === "dead" ? "crashed" : status;
  }

  /** The election state of the current (or last) agent process. */
  get state(): RaftState {
    return this.proc?.node.state ?? this.#idle;
  }

  local(t: number): number {
    return this.offset + this.rate * t;
  }
}
