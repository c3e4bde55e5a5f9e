/**
 * `cluster history` reads every node's records; a failover witnessed by several nodes appears
 * once, as told by the node that knew most about it (most phases), with everyone who saw it.
 */
import type { FailoverRecord } from "./record.ts";

export function mergeHistories(perNode: readonly (readonly FailoverRecord[])[]): FailoverRecord[] {
  const byId = new Map<string, { best: FailoverRecord; seenBy: Set<string> }>();
  for (const records of perNode) {
    for (const record of records) {
      const entry = byId.get(record.id);
      if (!entry) {
        byId.set(record.id, { best: record, seenBy: new Set(seenBy(record)) });
        continue;
      }
      for (const node of seenBy(record)) entry.seenBy.add(node);
      if (tellsMore(record, entry.best)) entry.best = record;
    }
  }
  return [...byId.values()]
    .map(({ best, seenBy }) => ({ ...best, seenBy: [...seenBy].sort() }))
    .sort((a, b) => a.startedAtMs - b.startedAtMs || a.newTerm - b.newTerm);
}

function seenBy(record: FailoverRecord): string[] {
  return record.seenBy ?? [record.recordedBy];
}

/** More phases wins; then a known old position; then the lower node name, for determinism. */
function tellsMore(a: FailoverRecord, b: FailoverRecord): boolean {
  if (a.phases.length !== b.phases.length) return a.phases.length > b.phases.length;
  const aKnows = a.positions.oldLeader !== null;
  const bKnows = b.positions.oldLeader !== null;
  if (aKnows !== bKnows) return aKnows;
  return a.recordedBy < b.recordedBy;
}
