import assert from "node:assert/strict";
import {
  comparatorFor,
  count,
  equal,
  errantGtids,
  formatGtidSet,
  intersect,
  isSubset,
  mysqlComparator,
  parseGtidSet,
  PositionError,
  subtract,
  union,
} from "../../src/gtid/mod.ts";
import { XenonError } from "../../src/lib/errors.ts";

const A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const B = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

const norm = (text: string) => formatGtidSet(parseGtidSet(text));

Deno.test("parse and format: canonical text", () => {
  const cases: [string, string][] = [
    ["", ""],
    ["  \n ", ""],
    [`${A}:1-5`, `${A}:1-5`],
    [`${A}:7`, `${A}:7`],
    [`${A}:5-5`, `${A}:5`],
    [`${A.toUpperCase()}:1-3`, `${A}:1-3`],
    // MySQL prints `,\n` between sources; sources come out sorted by uuid.
    [`${B}:1-3,\n${A}:1-5`, `${A}:1-5,${B}:1-3`],
    // Overlapping, adjacent, unordered and repeated intervals merge.
    [`${A}:7-9:1-5:6`, `${A}:1-9`],
    [`${A}:1-5,${A}:3-8:10`, `${A}:1-8:10`],
    [` ${A} : 1 - 5 : 7 `, `${A}:1-5:7`],
    [`${A}:1-9223372036854775807`, `${A}:1-9223372036854775807`],
    // 8.3+ tags: a tag applies to the intervals after it; untagged intervals come first.
    [`${A}:tag_b:1-3:Tag_a:4:1-2`, `${A}:tag_a:1-2:4:tag_b:1-3`],
    [`${A}:t:1,${A}:9:3`, `${A}:3:9:t:1`],
    [`${A}:t:1-3,${A}:t:4`, `${A}:t:1-4`],
  ];
  for (const [input, expected] of cases) {
    assert.equal(norm(input), expected, JSON.stringify(input));
  }
});

Deno.test("malformed sets throw one-line PositionError quoting the bad part", () => {
  const cases: [string, string][] = [
    ["nonsense", `"nonsense"`],
    [`${A}`, "names no transactions"],
    [`${A}:`, `"" is not an interval`],
    [`${A}:1-5,`, `malformed MySQL GTID set at ""`],
    [`${A}:0-3`, `"0-3" is outside 1-9223372036854775807`],
    [`${A}:1-9223372036854775808`, "is outside"],
    [`${A}:5-3`, `"5-3" ends before it starts`],
    [`${A}:1-2-3`, `"1-2-3" is not an interval`],
    [`${A}:-3`, `"-3" is not an interval`],
    [`${A}:1-x`, `"1-x" is not an interval`],
    [`${A}:t`, `"${A}:t" names no transactions`],
    [`${A}:t:u:1`, `"${A}:t" names no transactions`],
    [`${A}:1,${B.slice(1)}:1`, `"${B.slice(1)}:1"`],
    [`${A}:1\n,zz`, `"zz": expected a server uuid`],
  ];
  for (const [input, fragment] of cases) {
    assert.throws(() => parseGtidSet(input), (err: unknown) => {
      assert.ok(err instanceof PositionError, `${JSON.stringify(input)} threw ${err}`);
      assert.ok(err instanceof XenonError);
      assert.equal(err.exitCode, 1);
      assert.ok(!err.message.includes("\n"), err.message);
      assert.ok(err.message.includes(fragment), `${err.message} lacks ${fragment}`);
      return true;
    });
  }
});

Deno.test("set operations", () => {
  const s = parseGtidSet;
  assert.equal(formatGtidSet(union(s(`${A}:1-5`), s(`${A}:6-9,${B}:1`))), `${A}:1-9,${B}:1`);
  assert.equal(formatGtidSet(subtract(s(`${A}:1-10`), s(`${A}:3-4:8`))), `${A}:1-2:5-7:9-10`);
  assert.equal(formatGtidSet(subtract(s(`${A}:1-10`), s(`${A}:1-10`))), "");
  assert.equal(formatGtidSet(subtract(s(`${A}:1-3,${B}:1`), s(`${A}:2-20`))), `${A}:1,${B}:1`);
  assert.equal(formatGtidSet(subtract(s(`${A}:1-3,${A}:t:1-3`), s(`${A}:t:2`))), `${A}:1-3:t:1:3`);
  assert.equal(formatGtidSet(intersect(s(`${A}:1-5:8-12`), s(`${A}:4-9`))), `${A}:4-5:8-9`);
  assert.ok(isSubset(s(""), s(`${A}:1`)));
  assert.ok(isSubset(s(`${A}:2-3`), s(`${A}:1-5`)));
  assert.ok(!isSubset(s(`${A}:2-3,${B}:1`), s(`${A}:1-5`)));
  assert.ok(equal(s(`${A}:1-3:4`), s(`${A.toUpperCase()}:1-4`)));
  assert.ok(!equal(s(`${A}:1-3`), s(`${A}:t:1-3`)));
  assert.equal(count(s(`${A}:1-5:7,${B}:10-19`)), 16n);
  assert.equal(count(s(`${A}:1-9223372036854775807`)), 9223372036854775807n);
});

Deno.test("errant GTIDs: what the replica executed that the leader lacks", () => {
  const leader = parseGtidSet(`${A}:1-100`);
  assert.equal(formatGtidSet(errantGtids(parseGtidSet(`${A}:1-90`), leader)), "");
  const branched = parseGtidSet(`${A}:1-90,${B}:1-2`);
  assert.equal(formatGtidSet(errantGtids(branched, leader)), `${B}:1-2`);
});

Deno.test("mysqlComparator: compare and explain", () => {
  const c = mysqlComparator;
  assert.equal(comparatorFor("mysql"), c);
  assert.equal(c.compare(`${A}:1-5`, `${A.toUpperCase()}:1-3:4-5`), "equal");
  assert.equal(c.compare("", ""), "equal");
  assert.equal(c.compare(`${A}:1-5`, `${A}:1-3`), "ahead");
  assert.equal(c.compare(`${A}:1-3`, `${A}:1-5`), "behind");
  assert.equal(c.compare("", `${A}:1`), "behind");
  assert.equal(c.compare(`${A}:1-5`, `${A}:1-4,${B}:1`), "diverged");
  assert.equal(c.explain(`${A}:1-5`, `${A}:1-5`), `${A}:1-5 equals ${A}:1-5`);
  assert.equal(
    c.explain(`${A}:1-3`, `${A}:1-5`),
    `${A}:1-3 is behind ${A}:1-5 by 2 transactions (${A}:4-5)`,
  );
  assert.equal(
    c.explain(`${A}:1-3`, ""),
    `${A}:1-3 is ahead of (empty) by 3 transactions (${A}:1-3)`,
  );
  assert.equal(
    c.explain(`${A}:1-5`, `${A}:1-4,${B}:1`),
    `${A}:1-5 and ${A}:1-4,${B}:1 diverged: only the first has 1 transaction (${A}:5), ` +
      `only the second has 1 transaction (${B}:1)`,
  );
  assert.throws(() => c.compare("x", ""), PositionError);
  assert.throws(() => c.explain("", "x"), PositionError);
});

Deno.test("explain stays one short line for long sets", () => {
  const many = Array.from({ length: 200 }, (_, i) => `${2 * i + 1}`).join(":");
  const text = mysqlComparator.explain(`${A}:${many}`, `${A}:1`);
  assert.ok(!text.includes("\n"));
  assert.ok(text.length < 400, `${text.length} chars`);
  assert.match(text, /is ahead of .* by 199 transactions/);
});
