import assert from "node:assert/strict";
import { parseSysvarProfile } from "../../src/config/mod.ts";
import { judgeSysvarValue } from "../../src/config/sysvar_rules.ts";

Deno.test("a profile parses into name=value pairs; empty items and spaces are ignored", () => {
  assert.deepEqual(
    parseSysvarProfile(
      " sync_binlog = default ;;innodb_flush_log_at_trx_commit=2; sql_mode='A,B';",
      "k",
    ),
    [
      { name: "sync_binlog", value: "default" },
      { name: "innodb_flush_log_at_trx_commit", value: "2" },
      { name: "sql_mode", value: "'A,B'" },
    ],
  );
  assert.deepEqual(parseSysvarProfile("", "k"), []);
  assert.deepEqual(parseSysvarProfile(" ; ; ", "k"), []);
});

Deno.test("a malformed item is one ConfigError naming the key and the item", () => {
  assert.throws(() => parseSysvarProfile("read_only=1;sync_binlog", "mysql.slave-sysvars"), {
    name: "ConfigError",
    message:
      'mysql.slave-sysvars: "sync_binlog" has no value; expected name=value items separated by ";"',
  });
  assert.throws(() => parseSysvarProfile("read_only=1, GLOBAL x=2", "k"), {
    message:
      "k: read_only=1, GLOBAL x=2: the value is neither a plain word or number nor a 'quoted string'",
  });
  assert.throws(() => parseSysvarProfile("sync_binlog=", "k"), {
    message: 'k: sync_binlog has an empty value; expected name=value items separated by ";"',
  });
});

Deno.test("values that cannot be right are reported by variable name", () => {
  const cases: [string, string, string | undefined][] = [
    [
      "innodb_flush_log_at_trx_commit",
      "defaulti",
      'innodb_flush_log_at_trx_commit=defaulti: "defaulti" looks like a misspelling of default',
    ],
    [
      "some_plugin_var",
      "defualt",
      'some_plugin_var=defualt: "defualt" looks like a misspelling of default',
    ],
    ["sync_binlog", "DEFAULT", undefined],
    [
      "sync_binlog",
      "fast",
      'sync_binlog=fast: "fast" is not a number; expected a whole number 0-4294967295 or default',
    ],
    [
      "innodb_flush_log_at_trx_commit",
      "5",
      "innodb_flush_log_at_trx_commit=5: 5 is out of range; expected a whole number 0-3 or default",
    ],
    ["innodb_flush_log_at_trx_commit", "2", undefined],
    [
      "offline_mode",
      "yes",
      'offline_mode=yes: "yes" is not a boolean; expected ON, OFF, 1, 0 or default',
    ],
    ["OFFLINE_MODE", "on", undefined],
    ["binlog_format", "'row'", undefined],
    [
      "binlog_format",
      "ROWS",
      'binlog_format=ROWS: "ROWS" is not a value of it; expected one of ROW, STATEMENT, MIXED or default',
    ],
    ["some_plugin_var", "whatever", undefined],
  ];
  for (const [name, value, expected] of cases) {
    assert.equal(judgeSysvarValue({ name, value }), expected, `${name}=${value}`);
  }
});
