import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareMariadbPositions,
  errantDomains,
  formatMariadbPosition,
  mariadbComparator,
  type MariadbGtid,
  type MariadbPosition,
  parseMariadbPosition,
  PositionError,
} from "../../src/gtid/mod.ts";

const RUNS = { numRuns: 300 };

// Few domains, servers and seq_nos, so that equal seq_nos from different servers are common.
const gtidArb = fc.record({
  domain: fc.integer({ min: 0, max: 3 }),
  server: fc.integer({ min: 1, max: 3 }),
  seq: fc.bigInt({ min: 0n, max: 6n }),
}).map((gtid): MariadbGtid => ({ ...gtid })); // plain objects, comparable with deepEqual
const gtidsArb = fc.uniqueArray(gtidArb, { selector: (g) => g.domain, maxLength: 4 });
const separatorArb = fc.constantFrom(",", ", ", " ,\n");

const textOf = (gtids: MariadbGtid[], separator: string) =>
  gtids.map((g) => `${g.domain}-${g.server}-${g.seq}`).join(separator);

const positionArb = gtidsArb.map((gtids) => parseMariadbPosition(textOf(gtids, ",")));

Deno.test("parse keeps every GTID; parse∘format is the identity; order does not matter", () => {
  fc.assert(
    fc.property(gtidsArb, separatorArb, (gtids, separator) => {
      const position = parseMariadbPosition(textOf(gtids, separator));
      assert.deepEqual(position, [...gtids].sort((x, y) => x.domain - y.domain));
      const text = formatMariadbPosition(position);
      assert.deepEqual(parseMariadbPosition(text), position);
      const reversed = parseMariadbPosition(textOf([...gtids].reverse(), separator));
      assert.equal(formatMariadbPosition(reversed), text);
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

Deno.test("comparator: reflexive, antisymmetric, transitive, consistent with errant domains", () => {
  fc.assert(
    fc.property(positionArb, positionArb, positionArb, (a, b, c) => {
      const [ta, tb] = [formatMariadbPosition(a), formatMariadbPosition(b)];
      assert.equal(mariadbComparator.compare(ta, ta), "equal");
      const ab = compareMariadbPositions(a, b);
      assert.equal(mariadbComparator.compare(ta, tb), ab);
      assert.equal(compareMariadbPositions(b, a), opposite[ab]);
      assert.equal(ab === "equal", ta === tb);
      assert.equal(errantDomains(a, b).length === 0, ab === "equal" || ab === "behind");
      const bc = compareMariadbPositions(b, c);
      if (ab === "ahead" && (bc === "ahead" || bc === "equal")) {
        assert.equal(compareMariadbPositions(a, c), "ahead");
      }
      assert.ok(!mariadbComparator.explain(ta, tb).includes("\n"));
    }),
    RUNS,
  );
});

Deno.test("same domain and seq_no from different servers is always diverged", () => {
  fc.assert(
    fc.property(positionArb, gtidArb, fc.integer({ min: 1, max: 3 }), (rest, clash, other) => {
      fc.pre(other !== clash.server);
      const without = rest.filter((g) => g.domain !== clash.domain);
      const a: MariadbPosition = [...without, clash];
      const b: MariadbPosition = [...without, { ...clash, server: other }];
      const [ta, tb] = [textOf([...a], ","), textOf([...b], ",")];
      assert.equal(mariadbComparator.compare(ta, tb), "diverged");
      assert.match(
        mariadbComparator.explain(ta, tb),
        new RegExp(`diverged in domain ${clash.domain} \\(same seq_no ${clash.seq} from servers`),
      );
    }),
    RUNS,
  );
});

/** Valid-looking text with one character inserted, deleted or replaced. */
const mutatedArb = fc.tuple(gtidsArb, fc.nat(), fc.constantFrom(..."-,0 x\n9é:"), fc.nat(2))
  .map(([gtids, at, ch, op]) => {
    const text = textOf(gtids, ",");
    const i = text.length === 0 ? 0 : at % text.length;
    if (op === 0) return text.slice(0, i) + ch + text.slice(i);
    if (op === 1) return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + ch + text.slice(i + 1);
  });

Deno.test("malformed input never crashes: it parses or throws a one-line PositionError", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: "binary" }), mutatedArb), (text) => {
      try {
        parseMariadbPosition(text);
        mariadbComparator.explain(text, "0-1-1");
      } catch (err) {
        assert.ok(err instanceof PositionError, `${JSON.stringify(text)} threw ${err}`);
        assert.ok(!err.message.includes("\n") && err.message.length < 300, err.message);
      }
    }),
    { numRuns: 1000 },
  );
});
