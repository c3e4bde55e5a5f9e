import assert from "node:assert/strict";
import { extraOf, formatGtidSet } from "../../src/gtid/mod.ts";
import { findErrant, FLAVORS } from "../../src/mysql/mod.ts";
import { lossVerdict } from "../../src/recorder/loss.ts";

const A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

Deno.test("extraOf: what the first position has that the second lacks, per flavor", () => {
  const mysql = extraOf("mysql", `${A}:1-10`, `${A}:1-7`);
  assert.equal(mysql.flavor === "mysql" && formatGtidSet(mysql.gtids), `${A}:8-10`);
  const mariadb = extraOf("mariadb", "0-1-10,1-2-3", "0-1-7,1-2-3");
  assert.deepEqual(mariadb.flavor === "mariadb" && mariadb.domains.map((d) => d.domain), [0]);
  const none = extraOf("mariadb", "0-1-7", "0-1-9");
  assert.deepEqual(none.flavor === "mariadb" && none.domains, []);
});

Deno.test("the errant check and the loss verdict read the same answer in their own words", () => {
  assert.deepEqual(findErrant(FLAVORS.mysql80, `${A}:1-10`, `${A}:1-7`), {
    errant: true,
    detail: `extra GTIDs ${A}:8-10`,
  });
  assert.equal(
    lossVerdict("mysql", `${A}:1-10`, `${A}:1-7`).text,
    `3 transactions lost: ${A}:8-10`,
  );
  assert.deepEqual(findErrant(FLAVORS.mariadb, "0-2-5", "0-1-5"), {
    errant: true,
    detail: "domain 0: 0-2-5 vs leader 0-1-5 (diverged)",
  });
  assert.equal(
    lossVerdict("mariadb", "0-1-9", "0-1-7").text,
    "2 transactions lost: domain 0 2 transactions (old leader 0-1-9, new 0-1-7)",
  );
});
