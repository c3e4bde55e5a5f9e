/**
 * The failover flight recorder: every leader change this node witnesses becomes one record in
 * `<raft.meta-datadir>/history.jsonl`, built phase by phase while it happens:
 *
 * ```ts
 * const draft = recorder.begin("leader 10.0.0.11:8801 missed 3 heartbeats");
 * draft.phase("detect", detectStart, Date.now());
 * // ... elect, fenceOld, catchUp, promote, leaderStartCommand
 * await draft.finish({ oldLeader, newLeader, oldTerm, newTerm, flavor, oldPosition, newPosition });
 * ```
 */
import type { PositionFlavor } from "../gtid/mod.ts";
import { XenonError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import {
  appendLine,
  HISTORY_FILE,
  type HistoryFileOptions,
  readLastLines,
} from "./history_file.ts";
import { lossVerdict } from "./loss.ts";
import {
  failoverId,
  type FailoverRecord,
  type IntermediateTerm,
  type PhaseName,
  type PhaseTiming,
} from "./record.ts";

export interface FlightRecorderOptions {
  /** `raft.meta-datadir`. */
  dir: string;
  /** This node's endpoint, stored as `recordedBy`. */
  recordedBy: string;
  /** @default 1 MiB */
  maxFileBytes?: number;
  /** Rotated files kept besides `history.jsonl`. @default 4 */
  keepFiles?: number;
  /** Wall clock (tests). @default Date.now */
  now?: () => number;
}

export interface FailoverOutcome {
  oldLeader: string;
  newLeader: string;
  oldTerm: number;
  newTerm: number;
  flavor: PositionFlavor;
  /** The old leader's last known position; null when unknown. */
  oldPosition: string | null;
  newPosition: string;
  /** Terms within the outage that never became writable, oldest first. */
  intermediateTerms?: readonly IntermediateTerm[];
}

/** Longest record line accepted when reading, and longest text kept per field when writing. */
export const MAX_RECORD_BYTES = 64 * 1024;
const MAX_FIELD_CHARS = 8 * 1024;
/** Most records `read` returns. */
export const MAX_READ_RECORDS = 10_000;

export class FlightRecorder {
  readonly #file: HistoryFileOptions;
  readonly #recordedBy: string;
  readonly #now: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  #last: FailoverRecord | null = null;

  constructor(options: FlightRecorderOptions) {
    this.#file = {
      dir: options.dir,
      maxFileBytes: options.maxFileBytes ?? 1024 * 1024,
      keepFiles: options.keepFiles ?? 4,
    };
    this.#recordedBy = options.recordedBy;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a record; nothing is written until `finish`. */
  begin(trigger: string): FailoverDraft {
    return new FailoverDraft(
      this.#now(),
      cap(trigger),
      (outcome, phases, begunAt) => this.#append(this.#build(outcome, phases, begunAt, trigger)),
    );
  }

  /** The latest record written or read by this recorder (for `/metrics`). */
  get last(): FailoverRecord | null {
    return this.#last;
  }

  /**
   * The last `last` records, oldest first. Lines that are not records (a torn line from a crash
   * mid-write, or edits by hand) are skipped with a warning.
   */
  async read(options: { last?: number } = {}): Promise<FailoverRecord[]> {
    const wanted = Math.max(1, Math.min(options.last ?? MAX_READ_RECORDS, MAX_READ_RECORDS));
    const { lines, tornTail } = await readLastLines(this.#file, wanted, MAX_RECORD_BYTES);
    const path = `${this.#file.dir}/${HISTORY_FILE}`;
    if (tornTail) {
      log("recorder").warn`${path} ends in a torn line (a crash while writing?); skipped it`;
    }
    const records: FailoverRecord[] = [];
    for (const line of lines) {
      const record = line === null ? null : parseRecord(line);
      if (record) records.push(record);
      else log("recorder").warn`skipped a line of ${path} that is not a record (or too long)`;
    }
    if (records.length > 0 && !this.#last) this.#last = records[records.length - 1];
    return records;
  }

  #build(
    outcome: FailoverOutcome,
    phases: PhaseTiming[],
    begunAt: number,
    trigger: string,
  ): FailoverRecord {
    const starts = phases.map((p) => p.startMs);
    const ends = phases.map((p) => p.startMs + p.durationMs);
    const startedAtMs = phases.length > 0 ? Math.min(...starts) : begunAt;
    const oldPosition = outcome.oldPosition === null ? null : cap(outcome.oldPosition);
    const newPosition = cap(outcome.newPosition);
    return {
      id: failoverId(outcome.newTerm, outcome.newLeader),
      trigger: cap(trigger),
      oldLeader: cap(outcome.oldLeader),
      newLeader: cap(outcome.newLeader),
      oldTerm: outcome.oldTerm,
      newTerm: outcome.newTerm,
      startedAtMs,
      totalMs: phases.length > 0 ? Math.max(...ends) - startedAtMs : 0,
      phases,
      ...(outcome.intermediateTerms?.length
        ? {
          intermediateTerms: outcome.intermediateTerms.map((t) => ({
            ...t,
            leader: cap(t.leader),
            outcome: cap(t.outcome),
          })),
        }
        : {}),
      flavor: outcome.flavor,
      positions: { oldLeader: oldPosition, newLeader: newPosition },
      verdict: lossVerdict(outcome.flavor, outcome.oldPosition, outcome.newPosition),
      recordedBy: this.#recordedBy,
    };
  }

  /** Appends in call order, one at a time. */
  #append(record: FailoverRecord): Promise<FailoverRecord> {
    const done = this.#queue.then(async () => {
      await appendLine(this.#file, JSON.stringify(record));
      this.#last = record;
      log("recorder")
        .info`failover ${record.id} recorded: ${record.totalMs} ms, ${record.verdict.text}`;
      return record;
    });
    this.#queue = done.catch(() => {});
    return done;
  }
}

/** A record being built. Phase times are epoch ms; a phase named twice keeps the later timing. */
export class FailoverDraft {
  readonly #phases = new Map<PhaseName, PhaseTiming>();
  #finished = false;

  constructor(
    readonly begunAtMs: number,
    readonly trigger: string,
    private readonly write: (
      outcome: FailoverOutcome,
      phases: PhaseTiming[],
      begunAt: number,
    ) => Promise<FailoverRecord>,
  ) {}

  phase(name: PhaseName, startMs: number, endMs: number): this {
    this.#phases.set(name, { name, startMs, durationMs: Math.max(0, endMs - startMs) });
    return this;
  }

  /** Computes the loss verdict and appends the record (fsynced). Only the first call writes. */
  finish(outcome: FailoverOutcome): Promise<FailoverRecord> {
    if (this.#finished) {
      return Promise.reject(new XenonError("a failover record was finished twice"));
    }
    this.#finished = true;
    const phases = [...this.#phases.values()].sort((a, b) => a.startMs - b.startMs);
    return this.write(outcome, phases, this.begunAtMs);
  }
}

function cap(text: string): string {
  const line = text.replace(/\s*\n\s*/g, " ");
  return line.length > MAX_FIELD_CHARS ? `${line.slice(0, MAX_FIELD_CHARS)}… (cut)` : line;
}

function parseRecord(line: string): FailoverRecord | null {
  try {
    const value = JSON.parse(line);
    const ok = typeof value === "object" && value !== null && typeof value.id === "string" &&
      typeof value.startedAtMs === "number" && Array.isArray(value.phases) &&
      typeof value.positions === "object" && value.positions !== null &&
      typeof value.verdict === "object" && value.verdict !== null;
    return ok ? value as FailoverRecord : null;
  } catch {
    return null;
  }
}
