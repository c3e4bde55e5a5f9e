/**
 * Work the daemon carries out, in order, after it has made `persist` durable. Every effect says
 * why, in one line, for the log, the CLI and the flight recorder.
 */
import type { Message } from "./messages.ts";
import type { PersistedMeta } from "./meta.ts";
import type { RaftState } from "./state.ts";

export type Effect =
  | {
    readonly kind: "send";
    readonly message: Message;
    readonly reason: string;
    /**
     * Heartbeats speak for a leadership: one reached after this (local clock; the executor was
     * paused or slow) is dropped, or a node unaware of newer terms would follow it.
     */
    readonly validUntil?: number;
  }
  /** read_only (and super_read_only) ON plus the replica sysvars; for every non-leader role. */
  | { readonly kind: "setReadOnly"; readonly reason: string }
  /**
   * The old leader's fence: kill client connections, read_only ON, within fenceBudgetMs. Any
   * message after it in the list must wait until it is done.
   */
  | { readonly kind: "fence"; readonly reason: string }
  /**
   * Stop the replica IO thread (withdraw semi-sync acks) and report the position, echoing `id`
   * (the flow that waits for it keeps the id: a superseded freeze's result goes to nobody).
   */
  | { readonly kind: "freezeReplication"; readonly id: number; readonly reason: string }
  /** Replicate from `to`; only voters ack semi-sync (idle members must not count in K). */
  | {
    readonly kind: "changeMaster";
    readonly to: string;
    readonly semiSyncAck: boolean;
    readonly reason: string;
  }
  /**
   * Apply the relay log, reporting `catchUpProgress` while waiting and `catchUpDone` by the
   * deadline (local clock), both with `term`.
   */
  | {
    readonly kind: "catchUp";
    readonly term: number;
    readonly deadline: number;
    readonly reason: string;
  }
  /**
   * Writable + master sysvars + semi-sync with this wait count and an unbounded timeout. Only
   * `replicas` may replicate from this node: the daemon kills binlog dump threads of any other
   * host (a removed member's MySQL would otherwise keep acking), now and whenever this repeats.
   */
  | {
    readonly kind: "promote";
    /** The term it leads; a skipped promote tells the core to step down from it. */
    readonly term: number;
    readonly semiSyncWaitCount: number;
    /** Voters now (the shell sets semi-sync for them and reports a flavor's shortfall). */
    readonly voters: number;
    readonly replicas: readonly string[];
    /**
     * The lease end on the local clock: an executor that reaches this effect later (it was
     * paused, or slow) must skip it; the core has stepped down or will fence by then.
     */
    readonly validUntil: number;
    readonly reason: string;
  }
  /** Skipped, like `promote`, when reached after `validUntil`. `term`: told to the command. */
  | {
    readonly kind: "runLeaderStart";
    readonly term: number;
    readonly validUntil: number;
    readonly reason: string;
    /** Leadership.handedOverBy: told to the command, which may then skip its own checks. */
    readonly handedOverBy?: string;
  }
  | { readonly kind: "runLeaderStop"; readonly term: number; readonly reason: string };

export interface Transition {
  readonly state: RaftState;
  /** Must be durable before any effect runs (temp file + fsync + rename). */
  readonly persist: PersistedMeta | null;
  readonly effects: readonly Effect[];
  /** State changes of this step, each with its reason. */
  readonly notes: readonly string[];
  /** Answer to an admin command: accepted or refused, and why. */
  readonly admin?: { readonly ok: boolean; readonly reason: string };
}
