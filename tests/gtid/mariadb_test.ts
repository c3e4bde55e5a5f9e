import assert from "node:assert/strict";
import {
  comparatorFor,
  type Comparison,
  errantDomains,
  formatGtid,
  formatMariadbPosition,
  mariadbComparator,
  parseMariadbPosition,
  PositionError,
} from "../../src/gtid/mod.ts";

const norm = (text: string) => formatMariadbPosition(parseMariadbPosition(text));

Deno.test("parse and format: canonical text", () => {
  const cases: [string, string][] = [
    ["", ""],
    [" \n", ""],
    ["0-1-42", "0-1-42"],
    ["1-2-7,0-1-42", "0-1-42,1-2-7"],
    [" 0-1-42 ,\n 1-2-7 ", "0-1-42,1-2-7"],
    ["0-1-0", "0-1-0"],
    ["007-01-0042", "7-1-42"],
    ["4294967295-4294967295-18446744073709551615", "4294967295-4294967295-18446744073709551615"],
  ];
  for (const [input, expected] of cases) assert.equal(norm(input), expected, JSON.stringify(input));
  assert.deepEqual(parseMariadbPosition("0-1-42"), [{ domain: 0, server: 1, seq: 42n }]);
});

Deno.test("malformed positions throw one-line PositionError quoting the bad part", () => {
  const cases: [string, string][] = [
    ["0-1", `malformed MariaDB GTID "0-1": expected domain-server-seq like 0-1-42`],
    ["0-1-5,", `malformed MariaDB GTID ""`],
    ["0-1-5,,1-1-1", `malformed MariaDB GTID ""`],
    ["0-1-x", `"0-1-x"`],
    ["0-1--5", `"0-1--5"`],
    ["0 - 1 - 5", `"0 - 1 - 5"`],
    ["a-b-c", `"a-b-c"`],
    ["uuid:1-5", `"uuid:1-5"`],
    ["4294967296-1-1", `"4294967296-1-1": domain and server must be at most 4294967295`],
    ["0-4294967296-1", "at most 4294967295"],
    ["0-1-18446744073709551616", "seq_no at most 18446744073709551615"],
    ["0-1-5,0-2-6", `"0-1-5,0-2-6": domain 0 appears twice (0-1-5 and 0-2-6)`],
    ["0-1-5\n0-1-6", `"0-1-5\\n0-1-6"`],
  ];
  for (const [input, fragment] of cases) {
    assert.throws(() => parseMariadbPosition(input), (err: unknown) => {
      assert.ok(err instanceof PositionError, `${JSON.stringify(input)} threw ${err}`);
      assert.ok(!err.message.includes("\n"), err.message);
      assert.ok(err.message.includes(fragment), `${err.message} lacks ${fragment}`);
      return true;
    });
  }
});

Deno.test("compare: per domain, with the divergence rule of reliability.md §2.5", () => {
  const cases: [string, string, Comparison][] = [
    ["", "", "equal"],
    ["0-1-42", "0-1-42", "equal"],
    ["0-1-42,1-2-7", "1-2-7,0-1-42", "equal"],
    ["0-1-40", "0-1-42", "behind"],
    ["0-1-42", "0-1-40", "ahead"],
    ["", "0-1-1", "behind"],
    ["0-1-1", "", "ahead"],
    // After a failover the new primary continues the same domain: same history, later seq_no.
    ["0-2-6", "0-1-5", "ahead"],
    // Same domain and seq_no from different servers: alternate futures (the 1236 case).
    ["0-1-5", "0-2-5", "diverged"],
    ["0-1-5,1-1-9", "0-2-5,1-1-3", "diverged"],
    // A position is ahead only if at or after the other in every domain.
    ["0-1-5,1-1-3", "0-1-4,1-1-7", "diverged"],
    ["0-1-5,1-1-3", "0-1-5", "ahead"],
    ["0-1-5", "0-1-5,1-1-3", "behind"],
    ["0-1-6", "0-1-5,1-1-3", "diverged"],
    ["0-1-6,1-1-3", "0-1-5,1-1-3", "ahead"],
  ];
  for (const [a, b, expected] of cases) {
    assert.equal(mariadbComparator.compare(a, b), expected, `${a} vs ${b}`);
  }
  assert.equal(comparatorFor("mariadb"), mariadbComparator);
});

Deno.test("explain: one phrase a vote reason can quote", () => {
  const cases: [string, string, string][] = [
    ["0-1-40", "0-1-42", "0-1-40 is behind 0-1-42"],
    ["0-1-42", "0-1-40", "0-1-42 is ahead of 0-1-40"],
    ["1-2-7,0-1-42", "0-1-42,1-2-7", "0-1-42,1-2-7 equals 0-1-42,1-2-7"],
    ["", "0-1-3", "(empty) is behind 0-1-3"],
    ["0-1-5", "0-2-5", "0-1-5 and 0-2-5 diverged in domain 0 (same seq_no 5 from servers 1 and 2)"],
    [
      "0-1-5,1-1-9",
      "0-2-5,1-1-3",
      "0-1-5,1-1-9 and 0-2-5,1-1-3 diverged in domain 0 (same seq_no 5 from servers 1 and 2)",
    ],
    [
      "0-1-5,1-1-3",
      "0-1-4,1-1-7",
      "0-1-5,1-1-3 and 0-1-4,1-1-7 diverged: ahead in domain 0, behind in domain 1",
    ],
  ];
  for (const [a, b, expected] of cases) assert.equal(mariadbComparator.explain(a, b), expected);
  assert.throws(() => mariadbComparator.explain("0-1-5", "0-1"), PositionError);
});

Deno.test("errant domains: what the replica has that the leader lacks or diverges on", () => {
  const errant = (replica: string, leader: string) =>
    errantDomains(parseMariadbPosition(replica), parseMariadbPosition(leader)).map((e) =>
      `${e.domain}:${e.relation}:${formatGtid(e.replica)}/${e.leader ? formatGtid(e.leader) : "-"}`
    );
  assert.deepEqual(errant("0-1-5", "0-1-5"), []);
  assert.deepEqual(errant("0-1-4", "0-1-5"), []);
  assert.deepEqual(errant("", "0-1-5"), []);
  assert.deepEqual(errant("0-1-5", "0-2-6"), []);
  // The crashed old primary of the lab matrix: 0-1-5 against the new primary's 0-2-5.
  assert.deepEqual(errant("0-1-5", "0-2-5"), ["0:diverged:0-1-5/0-2-5"]);
  assert.deepEqual(errant("0-1-6", "0-1-5"), ["0:ahead:0-1-6/0-1-5"]);
  assert.deepEqual(errant("0-1-5,7-3-1", "0-1-5"), ["7:ahead:7-3-1/-"]);
});
