/**
 * `cluster history [--last N]`: the failover flight recorder of every node, merged. The new
 * leader records most phases and the old leader records fencing itself under the same id, so
 * phases missing from the fullest record are taken from the others before merging.
 */
import { UsageError } from "../../lib/errors.ts";
// Not recorder/mod.ts: the flight recorder (and the logging it loads) stays out of CLI calls.
import { mergeHistories } from "../../recorder/merge.ts";
import { type FailoverRecord, PHASES } from "../../recorder/record.ts";
import { withDaemons } from "../daemons.ts";
import { members } from "../members.ts";
import { printTable } from "../output.ts";
import type { Handler, LeafSpec } from "../spec.ts";

const DEFAULT_LAST = 20;
const MAX_LAST = 10_000;

export function parseLast(value: unknown): number {
  if (value === undefined) return DEFAULT_LAST;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LAST) {
    throw new UsageError(`--last ${String(value)}: expected a whole number from 1 to ${MAX_LAST}`);
  }
  return n;
}

/**
 * Gives the fullest record of each failover (most phases of its own: the new leader's) the
 * phases other nodes recorded for it, so `mergeHistories` shows one record with every phase.
 */
export function sharePhases(perNode: readonly FailoverRecord[][]): FailoverRecord[][] {
  const byId = new Map<string, FailoverRecord[]>();
  for (const record of perNode.flat()) byId.set(record.id, [...byId.get(record.id) ?? [], record]);
  return perNode.map((records) =>
    records.map((r) => {
      const all = byId.get(r.id)!;
      if (all.some((o) => o.phases.length > r.phases.length)) return r;
      const own = new Set(r.phases.map((p) => p.name));
      const extra = all.flatMap((o) => o.phases).filter((p) => !own.has(p.name) && own.add(p.name));
      if (extra.length === 0) return r;
      const phases = [...r.phases, ...extra].sort((a, b) => a.startMs - b.startMs);
      const start = Math.min(...phases.map((p) => p.startMs));
      const end = Math.max(...phases.map((p) => p.startMs + p.durationMs));
      return { ...r, phases, startedAtMs: start, totalMs: end - start };
    })
  );
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function phaseCells(record: FailoverRecord): string[] {
  return PHASES.map((name) => {
    const p = record.phases.find((x) => x.name === name);
    return p === undefined ? "-" : String(Math.round(p.durationMs));
  });
}

const history: Handler = (ctx, _args, options) =>
  withDaemons(ctx, async (daemons) => {
    const last = parseLast(options.last);
    const ids = await members(daemons);
    const outcomes = await daemons.callAll(ids, "RaftRPC.History", { last });
    const answered = outcomes.filter((o) => o.ok).map((o) => o.result);
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.ok ? "" : o.error.message);
    const records = mergeHistories(sharePhases(answered)).slice(-last);
    if (ctx.json) {
      ctx.out(JSON.stringify(records));
    } else {
      printTable(
        ctx,
        [
          "Time",
          "Trigger",
          "Old -> New Leader",
          "Terms",
          "Outage(ms)",
          ...PHASES.map((p) => `${p}(ms)`),
          "Verdict",
        ],
        records.map((r) => [
          time(r.startedAtMs),
          r.trigger,
          `${r.oldLeader || "-"} -> ${r.newLeader}`,
          `${r.oldTerm} -> ${r.newTerm}`,
          String(Math.round(r.totalMs)),
          ...phaseCells(r),
          r.verdict.text,
        ]),
      );
      for (const f of failed) ctx.err(`warning: history incomplete: ${f}`);
    }
    return failed.length === 0 ? 0 : 1;
  });

export const historyCommand: LeafSpec = {
  usage: "history",
  description: "every leader change recorded by any node (merged): trigger, old -> new leader, " +
    "outage and each phase in ms, and whether transactions were lost; exit 1 when a node " +
    "does not answer",
  options: [{
    flags: "--last <n>",
    description: `only the last N records (default ${DEFAULT_LAST})`,
  }],
  run: history,
};
