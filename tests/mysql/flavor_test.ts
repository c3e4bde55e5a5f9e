import assert from "node:assert/strict";
import { ConfigError } from "../../src/lib/errors.ts";
import {
  chooseFlavor,
  familyFromConfig,
  FLAVORS,
  hasInitRplRole,
  parseServerVersion,
  readOnlyStartOptions,
} from "../../src/mysql/flavor.ts";
import { primaryCommitFlush } from "../../src/mysql/commit_durability.ts";

Deno.test("parseServerVersion() maps live version strings to dialects", () => {
  assert.equal(parseServerVersion("10.11.19-MariaDB-0+deb12u1-log").flavor, "mariadb");
  assert.equal(parseServerVersion("5.7.44-log").flavor, "mysql57");
  assert.equal(parseServerVersion("8.0.21").flavor, "mysql80");
  assert.equal(parseServerVersion("8.0.25-15").flavor, "mysql80");
  assert.equal(parseServerVersion("8.0.36").flavor, "mysql84");
  assert.equal(parseServerVersion("8.4.2").flavor, "mysql84");
});

Deno.test("parseServerVersion() refuses unsupported or garbled versions in one line", () => {
  for (const text of ["5.6.51", "10.3.39-MariaDB", "banana", ""]) {
    assert.throws(() => parseServerVersion(text), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("familyFromConfig() accepts the original's mysql.version values", () => {
  assert.equal(familyFromConfig("mysql57"), "mysql57");
  assert.equal(familyFromConfig("mysql80"), "mysql80");
  assert.equal(familyFromConfig("MariaDB1011"), "mariadb");
  assert.throws(() => familyFromConfig("mysql56"), /not supported.*use mysql57 or mysql80/);
  assert.throws(() => familyFromConfig("postgres"), /not known: use mariadb, mysql57 or mysql80/);
});

Deno.test("chooseFlavor() uses the live server and reports a config mismatch", () => {
  const maria = parseServerVersion("10.11.19-MariaDB");
  assert.deepEqual(chooseFlavor("mariadb", maria), { flavor: FLAVORS.mariadb });
  assert.deepEqual(chooseFlavor(undefined, maria), { flavor: FLAVORS.mariadb });
  const choice = chooseFlavor("mysql57", maria);
  assert.equal(choice.flavor.id, "mariadb");
  assert.match(
    choice.mismatch ?? "",
    /mysql\.version is mysql57 but the server is 10\.11\.19.*set mysql\.version to mariadb/,
  );
  assert.equal(chooseFlavor("mysql80", parseServerVersion("8.4.0")).mismatch, undefined);
});

Deno.test("every mysqld start is read-only and not replicating, in each family's options", () => {
  assert.deepEqual(readOnlyStartOptions("mariadb"), ["--read-only", "--skip-slave-start"]);
  assert.deepEqual(readOnlyStartOptions("mysql"), [
    "--read-only",
    "--loose-super-read-only",
    "--loose-skip-slave-start",
    "--loose-skip-replica-start",
  ]);
});

Deno.test("a MariaDB host taken for MySQL still starts: mariadbd accepts the MySQL start options", async () => {
  // --help --verbose parses every option and exits, as a start would refuse an unknown one.
  const { code, stderr } = await new Deno.Command("mariadbd", {
    args: ["--no-defaults", ...readOnlyStartOptions("mysql"), "--help", "--verbose"],
    stdout: "null",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(stderr).split("\n").filter((l) => l.includes("[ERROR]"));
  assert.deepEqual(errors, []);
  assert.equal(code, 0);
});

Deno.test("hasInitRplRole(): MariaDB 10.6.19+, 10.11.9+, 11.4.3+ and later series; never MySQL", () => {
  const has = (text: string) => hasInitRplRole(parseServerVersion(text));
  for (
    const yes of [
      "10.6.19-MariaDB",
      "10.11.9-MariaDB",
      "10.11.19-MariaDB-0+deb12u1",
      "11.4.3-MariaDB",
      "11.8.1-MariaDB",
    ]
  ) {
    assert.ok(has(yes), yes);
  }
  for (
    const no of [
      "10.5.27-MariaDB",
      "10.6.18-MariaDB",
      "10.11.8-MariaDB",
      "11.2.6-MariaDB",
      "11.4.2-MariaDB",
      "8.0.36",
      "5.7.44-log",
    ]
  ) {
    assert.ok(!has(no), no);
  }
});

Deno.test("primaryCommitFlush(): 3 where restarts truncate (--init-rpl-role), else unchanged", () => {
  const flush = (text: string) => primaryCommitFlush(parseServerVersion(text));
  assert.equal(flush("10.11.19-MariaDB-0+deb12u1"), 3);
  assert.equal(flush("11.4.3-MariaDB"), 3);
  assert.equal(
    flush("10.11.6-MariaDB"),
    null,
    "no --init-rpl-role: recovery commits from the binlog",
  );
  assert.equal(flush("8.0.36"), null, "MySQL has no 3, and its recovery keeps binlogged commits");
  assert.equal(primaryCommitFlush(undefined), null);
});
