/**
 * One failover as the flight recorder stores it: one JSON object per line of `history.jsonl`.
 * Times are epoch milliseconds (wall clock), so records from several nodes can be merged and
 * shown as dates; durations come from the same clock readings the daemon passed in.
 */
import type { PositionFlavor } from "../gtid/mod.ts";

/** The phases of a leader change, in the order they happen. */
export const PHASES = [
  "detect",
  // The elections before the last one: terms that never became writable (intermediateTerms).
  "earlierTerms",
  "elect",
  "fenceOld",
  "catchUp",
  "promote",
  "leaderStartCommand",
] as const;
export type PhaseName = typeof PHASES[number];

export interface PhaseTiming {
  name: PhaseName;
  /** Epoch ms. */
  startMs: number;
  durationMs: number;
}

/** Whether the new leader lacks anything the old leader had. */
export interface LossVerdict {
  /** Transactions lost; null when unknown (old position not known or unreadable). */
  lost: number | null;
  /** MySQL: the GTID set only the old leader had; MariaDB: the domains in which it was ahead. */
  missing: string;
  /** One line: `0 transactions lost`, `3 transactions lost: uuid:5-7`, or why it is unknown. */
  text: string;
}

/**
 * A term inside the outage whose leader never became writable (it stepped back, or lost its
 * lease, while catching up): part of the outage, not a failover of its own.
 */
export interface IntermediateTerm {
  term: number;
  leader: string;
  /** Epoch ms: from its win (or when first heard of) to its end (or when last heard of). */
  startMs: number;
  durationMs: number;
  /** How it ended, one line ("" when the recording node only heard its heartbeats). */
  outcome: string;
}

export interface FailoverRecord {
  /** `t<newTerm>@<newLeader>`: the same failover recorded by several nodes has the same id. */
  id: string;
  /** What started it, in one line (e.g. "leader 10.0.0.11:8801 missed 3 heartbeats"). */
  trigger: string;
  oldLeader: string;
  newLeader: string;
  oldTerm: number;
  newTerm: number;
  /** Epoch ms of the earliest phase start (or of `begin` when no phase was recorded). */
  startedAtMs: number;
  /** From the earliest phase start to the latest phase end: the outage as recorded. */
  totalMs: number;
  phases: PhaseTiming[];
  /** The terms between the old leader and the new one that never became writable (absent: none). */
  intermediateTerms?: IntermediateTerm[];
  flavor: PositionFlavor;
  positions: {
    /** Null when the old leader's position was not known at promotion. */
    oldLeader: string | null;
    newLeader: string;
  };
  verdict: LossVerdict;
  /** The node that wrote this record. */
  recordedBy: string;
  /** After `mergeHistories`: every node that recorded this failover. */
  seenBy?: string[];
}

export function failoverId(newTerm: number, newLeader: string): string {
  return `t${newTerm}@${newLeader}`;
}
