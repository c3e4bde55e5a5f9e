/**
 * MySQL GTID sets: `3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,uuid2:1-3`, as `@@gtid_executed`
 * and `Executed_Gtid_Set` print them (sources separated by `,\n`), plus the 8.3+ tagged form
 * `uuid:1-5:tag:1-3`, where a tag applies to the intervals after it.
 *
 * A `GtidSet` is always normalised: keys sorted, intervals sorted, disjoint and non-adjacent. Build
 * one only with `parseGtidSet` or the operations below, so equal sets have equal text.
 */
import { PositionError, quote, shown } from "./errors.ts";
import type { Comparison, PositionComparator } from "./types.ts";

/** An inclusive range of transaction numbers (GNOs): `[1n, 5n]` is `1-5`. */
export type Interval = readonly [start: bigint, end: bigint];

/** Key: lowercase `uuid` or `uuid:tag`. Value: normalised intervals, never empty. */
export type GtidSet = ReadonlyMap<string, readonly Interval[]>;

export const EMPTY_GTID_SET: GtidSet = new Map();

/** MySQL's largest GNO (2^63 - 1); GNO 0 is not a transaction. */
const MAX_GNO = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^[a-z_][a-z0-9_]{0,31}$/i;
const DIGITS = /^[0-9]+$/;

/** Parses MySQL's text form; blank text is the empty set. Throws PositionError. */
export function parseGtidSet(text: string): GtidSet {
  const raw = new Map<string, Interval[]>();
  if (text.trim() === "") return EMPTY_GTID_SET;
  for (const entry of text.split(",")) {
    const [uuid, ...rest] = entry.split(":").map((part) => part.trim());
    if (!UUID.test(uuid)) {
      throw malformed(entry, "expected a server uuid like 3e11fa47-71ca-11e1-9e33-c80aa9429562");
    }
    let key = uuid.toLowerCase();
    let tagged = false;
    let keyHasIntervals = false;
    for (const part of rest) {
      if (TAG.test(part)) {
        // A bare uuid may be followed directly by a tag (`uuid:tag:1-3`); a tag may not.
        if (tagged && !keyHasIntervals) throw noTransactions(entry, key);
        key = `${uuid.toLowerCase()}:${part.toLowerCase()}`;
        tagged = true;
        keyHasIntervals = false;
        continue;
      }
      const intervals = raw.get(key) ?? [];
      intervals.push(parseInterval(part, entry));
      raw.set(key, intervals);
      keyHasIntervals = true;
    }
    if (!keyHasIntervals) throw noTransactions(entry, key);
  }
  return canonical(raw);
}

function parseInterval(part: string, entry: string): Interval {
  const bounds = part.split("-").map((bound) => bound.trim());
  if (bounds.length > 2 || !bounds.every((bound) => DIGITS.test(bound))) {
    throw malformed(entry, `${quote(part)} is not an interval like 7 or 1-5`);
  }
  const start = BigInt(bounds[0]);
  const end = BigInt(bounds[bounds.length - 1]);
  if (start < 1n || end > MAX_GNO) {
    throw malformed(entry, `${quote(part)} is outside 1-${MAX_GNO}`);
  }
  if (start > end) throw malformed(entry, `${quote(part)} ends before it starts`);
  return [start, end];
}

function noTransactions(entry: string, key: string): PositionError {
  return malformed(entry, `${quote(key)} names no transactions (expected uuid:1-5)`);
}

function malformed(entry: string, why: string): PositionError {
  return new PositionError(`malformed MySQL GTID set at ${quote(entry.trim())}: ${why}`);
}

/** MySQL's text form with `,` between sources (no newline), untagged intervals before tags. */
export function formatGtidSet(set: GtidSet): string {
  const sources: string[] = [];
  let previousUuid = "";
  for (const [key, intervals] of set) {
    const [uuid, tag] = key.split(":");
    const ranges = intervals.map(([s, e]) => (s === e ? `${s}` : `${s}-${e}`)).join(":");
    const piece = tag === undefined ? ranges : `${tag}:${ranges}`;
    if (uuid === previousUuid) sources[sources.length - 1] += `:${piece}`;
    else sources.push(`${uuid}:${piece}`);
    previousUuid = uuid;
  }
  return sources.join(",");
}

export function union(a: GtidSet, b: GtidSet): GtidSet {
  const raw = new Map<string, Interval[]>();
  for (const [key, intervals] of [...a, ...b]) {
    raw.set(key, [...(raw.get(key) ?? []), ...intervals]);
  }
  return canonical(raw);
}

/** What `a` holds that `b` lacks (MySQL's GTID_SUBTRACT). */
export function subtract(a: GtidSet, b: GtidSet): GtidSet {
  const raw = new Map<string, Interval[]>();
  for (const [key, intervals] of a) raw.set(key, subtractIntervals(intervals, b.get(key) ?? []));
  return canonical(raw);
}

export function intersect(a: GtidSet, b: GtidSet): GtidSet {
  const raw = new Map<string, Interval[]>();
  for (const [key, intervals] of a) raw.set(key, intersectIntervals(intervals, b.get(key) ?? []));
  return canonical(raw);
}

/** Whether every transaction of `a` is in `b` (MySQL's GTID_SUBSET). */
export function isSubset(a: GtidSet, b: GtidSet): boolean {
  return subtract(a, b).size === 0;
}

export function equal(a: GtidSet, b: GtidSet): boolean {
  return formatGtidSet(a) === formatGtidSet(b);
}

/** Number of transactions in the set. */
export function count(set: GtidSet): bigint {
  let total = 0n;
  for (const intervals of set.values()) for (const [s, e] of intervals) total += e - s + 1n;
  return total;
}

/** Transactions a replica executed that the leader never had: non-empty means it branched. */
export function errantGtids(replicaExecuted: GtidSet, leaderExecuted: GtidSet): GtidSet {
  return subtract(replicaExecuted, leaderExecuted);
}

export function compareGtidSets(a: GtidSet, b: GtidSet): Comparison {
  const aInB = isSubset(a, b);
  const bInA = isSubset(b, a);
  if (aInB) return bInA ? "equal" : "behind";
  return bInA ? "ahead" : "diverged";
}

export const mysqlComparator: PositionComparator = {
  compare(a, b) {
    return compareGtidSets(parseGtidSet(a), parseGtidSet(b));
  },
  explain(a, b) {
    const setA = parseGtidSet(a);
    const setB = parseGtidSet(b);
    const textA = shown(formatGtidSet(setA));
    const textB = shown(formatGtidSet(setB));
    const onlyA = subtract(setA, setB);
    const onlyB = subtract(setB, setA);
    switch (compareGtidSets(setA, setB)) {
      case "equal":
        return `${textA} equals ${textB}`;
      case "ahead":
        return `${textA} is ahead of ${textB} by ${transactions(onlyA)}`;
      case "behind":
        return `${textA} is behind ${textB} by ${transactions(onlyB)}`;
      case "diverged":
        return `${textA} and ${textB} diverged: only the first has ${transactions(onlyA)}, ` +
          `only the second has ${transactions(onlyB)}`;
    }
  },
};

function transactions(set: GtidSet): string {
  const n = count(set);
  return `${n} transaction${n === 1n ? "" : "s"} (${shown(formatGtidSet(set), 80)})`;
}

/** Sorted keys, empty keys dropped, intervals sorted and merged. */
function canonical(raw: Map<string, Interval[]>): GtidSet {
  const keys = [...raw.keys()].sort();
  const out = new Map<string, readonly Interval[]>();
  for (const key of keys) {
    const merged = mergeIntervals(raw.get(key) ?? []);
    if (merged.length > 0) out.set(key, merged);
  }
  return out;
}

function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/** Both inputs normalised; so is the result. */
function subtractIntervals(xs: readonly Interval[], ys: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let first = 0;
  for (const [xStart, xEnd] of xs) {
    while (first < ys.length && ys[first][1] < xStart) first++;
    let start = xStart;
    for (let k = first; k < ys.length && ys[k][0] <= xEnd && start <= xEnd; k++) {
      const [yStart, yEnd] = ys[k];
      if (yStart > start) out.push([start, yStart - 1n]);
      if (yEnd + 1n > start) start = yEnd + 1n;
    }
    if (start <= xEnd) out.push([start, xEnd]);
  }
  return out;
}

function intersectIntervals(xs: readonly Interval[], ys: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < xs.length && j < ys.length) {
    const start = xs[i][0] > ys[j][0] ? xs[i][0] : ys[j][0];
    const end = xs[i][1] < ys[j][1] ? xs[i][1] : ys[j][1];
    if (start <= end) out.push([start, end]);
    if (xs[i][1] < ys[j][1]) i++;
    else j++;
  }
  return out;
}
