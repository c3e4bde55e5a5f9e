import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareGtidSets,
  count,
  equal,
  errantGtids,
  formatGtidSet,
  type GtidSet,
  intersect,
  isSubset,
  mysqlComparator,
  parseGtidSet,
  PositionError,
  subtract,
  union,
} from "../../src/gtid/mod.ts";

const RUNS = { numRuns: 300 };
const UUIDS = [
  "3e11fa47-71ca-11e1-9e33-c80aa9429562",
  "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  "00000000-0000-0000-0000-000000000001",
];

/** One source entry as a person or server might write it: any order, overlaps, case, spaces. */
const entryArb = fc.record({
  uuid: fc.constantFrom(...UUIDS),
  upper: fc.boolean(),
  tag: fc.option(fc.constantFrom("t1", "Tag_2"), { nil: undefined }),
  intervals: fc.array(
    fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 5 })),
    { minLength: 1, maxLength: 3 },
  ),
});
type Entry = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

const rawArb = fc.record({
  entries: fc.array(entryArb, { maxLength: 5 }),
  separator: fc.constantFrom(",", ",\n", " , "),
});

function textOf(raw: { entries: Entry[]; separator: string }): string {
  return raw.entries.map((e) => {
    const uuid = e.upper ? e.uuid.toUpperCase() : e.uuid;
    const ranges = e.intervals.map(([s, len]) => (len === 0 ? `${s}` : `${s}-${s + len}`));
    return [uuid, ...(e.tag ? [e.tag] : []), ...ranges].join(":");
  }).join(raw.separator);
}

/** The naive model: every transaction as `key#gno`. */
function modelOfRaw(entries: Entry[]): Set<string> {
  const out = new Set<string>();
  for (const e of entries) {
    const key = e.tag ? `${e.uuid}:${e.tag.toLowerCase()}` : e.uuid;
    for (const [s, len] of e.intervals) for (let g = s; g <= s + len; g++) out.add(`${key}#${g}`);
  }
  return out;
}

function modelOf(set: GtidSet): Set<string> {
  const out = new Set<string>();
  for (const [key, intervals] of set) {
    for (const [s, e] of intervals) for (let g = s; g <= e; g++) out.add(`${key}#${g}`);
  }
  return out;
}

const setArb = rawArb.map((raw) => parseGtidSet(textOf(raw)));
const sorted = (s: Set<string>) => [...s].sort();

Deno.test("parse matches the naive model; parse∘format is the identity; idempotent", () => {
  fc.assert(
    fc.property(rawArb, (raw) => {
      const set = parseGtidSet(textOf(raw));
      assert.deepEqual(sorted(modelOf(set)), sorted(modelOfRaw(raw.entries)));
      const text = formatGtidSet(set);
      assert.deepEqual(parseGtidSet(text), set);
      assert.equal(formatGtidSet(parseGtidSet(text)), text);
      assert.equal(count(set), BigInt(modelOf(set).size));
    }),
    RUNS,
  );
});

Deno.test("union, subtract, intersect, subset agree with the model", () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      const ma = modelOf(a);
      const mb = modelOf(b);
      assert.deepEqual(sorted(modelOf(union(a, b))), sorted(new Set([...ma, ...mb])));
      assert.deepEqual(sorted(modelOf(subtract(a, b))), [...ma].filter((x) => !mb.has(x)).sort());
      assert.deepEqual(sorted(modelOf(intersect(a, b))), [...ma].filter((x) => mb.has(x)).sort());
      assert.equal(isSubset(a, b), [...ma].every((x) => mb.has(x)));
    }),
    RUNS,
  );
});

Deno.test("set laws", () => {
  fc.assert(
    fc.property(setArb, setArb, setArb, (a, b, c) => {
      assert.ok(equal(union(a, b), union(b, a)));
      assert.ok(equal(union(union(a, b), c), union(a, union(b, c))));
      assert.ok(equal(union(a, a), a));
      assert.ok(isSubset(a, union(a, b)));
      assert.ok(isSubset(subtract(a, b), a));
      assert.equal(intersect(subtract(a, b), b).size, 0);
      assert.ok(equal(union(subtract(a, b), intersect(a, b)), a));
      assert.equal(isSubset(a, b), equal(union(a, b), b));
      assert.equal(count(union(a, b)), count(a) + count(b) - count(intersect(a, b)));
    }),
    RUNS,
  );
});

const opposite = {
  equal: "equal",
  ahead: "behind",
  behind: "ahead",
  diverged: "diverged",
} as const;

Deno.test("comparator: reflexive, antisymmetric, transitive, consistent with errant GTIDs", () => {
  fc.assert(
    fc.property(setArb, setArb, setArb, (a, b, c) => {
      const [ta, tb] = [formatGtidSet(a), formatGtidSet(b)];
      assert.equal(mysqlComparator.compare(ta, ta), "equal");
      const ab = compareGtidSets(a, b);
      assert.equal(mysqlComparator.compare(ta, tb), ab);
      assert.equal(compareGtidSets(b, a), opposite[ab]);
      assert.equal(ab === "equal", equal(a, b));
      assert.equal(errantGtids(a, b).size === 0, ab === "equal" || ab === "behind");
      const bc = compareGtidSets(b, c);
      if (ab === "ahead" && (bc === "ahead" || bc === "equal")) {
        assert.equal(compareGtidSets(a, c), "ahead");
      }
      assert.ok(!mysqlComparator.explain(ta, tb).includes("\n"));
    }),
    RUNS,
  );
});

/** Valid-looking text with one character inserted, deleted or replaced. */
const mutatedArb = fc.tuple(rawArb, fc.nat(), fc.constantFrom(...":-,0 x\nZ9é\u0000"), fc.nat(2))
  .map(([raw, at, ch, op]) => {
    const text = textOf(raw);
    const i = text.length === 0 ? 0 : at % text.length;
    if (op === 0) return text.slice(0, i) + ch + text.slice(i);
    if (op === 1) return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + ch + text.slice(i + 1);
  });

Deno.test("malformed input never crashes: it parses or throws a one-line PositionError", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: "binary" }), mutatedArb), (text) => {
      try {
        parseGtidSet(text);
        mysqlComparator.compare(text, text);
      } catch (err) {
        assert.ok(err instanceof PositionError, `${JSON.stringify(text)} threw ${err}`);
        assert.ok(!err.message.includes("\n") && err.message.length < 300, err.message);
      }
    }),
    { numRuns: 1000 },
  );
});
