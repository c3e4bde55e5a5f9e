/** What the node loop tells observers (its counters, the flight recorder) as it runs. */
import type { Effect, RaftEvent, RaftState } from "../raft/mod.ts";

/** What the node loop tells observers after each step of the core (see node.ts). */
export interface TransitionObserver {
  transition(t: Observed): void;
  /** An effect finished (awaited effects only; catch-up reports back as an event). */
  effectDone?(effect: Effect, startedAt: number, endedAt: number): void;
  /** A promote made MySQL writable. */
  promoted?(at: number): void;
  /** A fence could not make MySQL read-only by SQL (a hard stop was tried). */
  fenceFailed?(reason: string): void;
}

/** One step of the core, with `now` on the local monotonic clock. */
export interface Observed {
  event: RaftEvent;
  before: RaftState;
  after: RaftState;
  effects: readonly Effect[];
  /** What the core noted on the way (also logged). */
  notes?: readonly string[];
}
