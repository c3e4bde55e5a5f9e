import assert from "node:assert/strict";
import fc from "fast-check";
import { parseConfig } from "../../src/config/mod.ts";
import { ConfigError } from "../../src/lib/errors.ts";

/** Each bad config and the exact line the operator sees. */
const BAD: [string, string][] = [
  ['{"mysql": {"port": "3306"}}', 'mysql.port: "3306" is a string; expected a number 1-65535'],
  ['{"mysql": {"port": 70000}}', "mysql.port: 70000 is out of range; expected a number 1-65535"],
  ['{"mysql": {"port": 0}}', "mysql.port: 0 is out of range; expected a number 1-65535"],
  [
    '{"mysql": {"port": 33.06}}',
    "mysql.port: 33.06 is not a whole number; expected a number 1-65535",
  ],
  [
    '{"raft": {"election-timeout": -1}}',
    "raft.election-timeout: -1 is out of range; expected a number 1-2147483647 (milliseconds)",
  ],
  [
    '{"raft": {"heartbeat-timeout": 3000000000}}',
    "raft.heartbeat-timeout: 3000000000 is out of range; expected a number 1-2147483647 (milliseconds)",
  ],
  [
    '{"raft": {"heartbeat-timeout": 1e999}}',
    "raft.heartbeat-timeout: Infinity is not a whole number; expected a number 1-2147483647 (milliseconds)",
  ],
  [
    '{"raft": {"super-idle": "false"}}',
    'raft.super-idle: "false" is a string; expected true or false',
  ],
  ['{"raft": {"super-idle": 0}}', "raft.super-idle: 0 is a number; expected true or false"],
  [
    '{"raft": {"leader-start-command": ["ip", "a"]}}',
    'raft.leader-start-command: ["ip","a"] is an array; expected a string',
  ],
  [
    '{"raft": {"admit-defeat-hearbeat-count": 0}}',
    "raft.admit-defeat-hearbeat-count: 0 is out of range; expected a number 1-1000000",
  ],
  ['{"raft": {"meta-datadir": ""}}', 'raft.meta-datadir: "" is empty; expected a directory path'],
  ['{"raft": 5}', "raft: 5 is a number; expected an object"],
  [
    '{"mysql": {"passwd": 123456}}',
    "mysql.passwd: the value is a number; expected a string (put it in double quotes)",
  ],
  [
    '{"backup": {"ssh-passwd": true}}',
    "backup.ssh-passwd: the value is a boolean; expected a string",
  ],
  ['{"mysql": {"admin": ""}}', 'mysql.admin: "" is empty; expected a MySQL user name'],
  [
    '{"server": {"endpoint": "10.0.0.11"}}',
    'server.endpoint: "10.0.0.11" is not HOST:PORT; expected e.g. "10.0.0.11:8801"',
  ],
  [
    '{"server": {"endpoint": "10.0.0.11:99999"}}',
    'server.endpoint: "10.0.0.11:99999" is not HOST:PORT; expected e.g. "10.0.0.11:8801"',
  ],
  [
    '{"server": {"endpoint": "0.0.0.0:8801"}}',
    `server.endpoint: "0.0.0.0:8801" is not an address peers can reach (it is also replicas' Master_Host); expected this host's own address, e.g. "10.0.0.11:8801"`,
  ],
  [
    '{"server": {"endpoint": "${YOUR-HOST}:8801"}}',
    'server.endpoint: "${YOUR-HOST}:8801" holds the placeholder ${YOUR-HOST}; replace it with a real value',
  ],
  [
    '{"raft": {"leader-start-command": "ip addr add ${YOUR-VIP}/32 dev eth0"}}',
    'raft.leader-start-command: "ip addr add ${YOUR-VIP}/32 dev eth0" holds the placeholder ${YOUR-VIP}; replace it with a real value',
  ],
  [
    '{"backup": {"ssh-host": "%{YOUR-HOST}"}}',
    'backup.ssh-host: "%{YOUR-HOST}" holds the placeholder %{YOUR-HOST}; replace it with a real value',
  ],
  [
    '{"server": {"peer-address": "6060"}}',
    'server.peer-address: "6060" is not [HOST]:PORT; expected e.g. ":6060" or "10.0.0.11:6060"',
  ],
  [
    '{"backup": {"backupdir": "/"}}',
    'backup.backupdir: "/" is the filesystem root, which no rebuild may restore into; expected a dedicated directory such as "/data/mysql/data"',
  ],
  [
    '{"log": {"level": "VERBOSE"}}',
    'log.level: "VERBOSE" is unknown; expected one of DEBUG, INFO, WARNING, ERROR, FATAL, PANIC',
  ],
  ['{"log": {"format": "yaml"}}', 'log.format: "yaml" is unknown; expected one of text, json'],
  [
    '{"mysql": {"master-sysvars": "sync_binlog"}}',
    'mysql.master-sysvars: "sync_binlog" has no value; expected name=value items separated by ";"',
  ],
  [
    '{"mysql": {"slave-sysvars": "read_only=1;sync-binlog=1"}}',
    'mysql.slave-sysvars: "sync-binlog" is not a variable name; expected letters, digits and _',
  ],
  [
    '{"mysql": {"slave-sysvars": "sql_mode=a b"}}',
    "mysql.slave-sysvars: sql_mode=a b: the value is neither a plain word or number nor a 'quoted string'",
  ],
  [
    '{"mysql": {"port": "3306", "ping-timeout": 0}}',
    'mysql.port: "3306" is a string; expected a number 1-65535 (and 1 more: run `xenon config check`)',
  ],
  ["", "<file>: the file is empty; expected a JSON object with sections server, raft, mysql, ..."],
  [
    "[]",
    "<file>: the file holds an array; expected a JSON object with sections server, raft, mysql, replication, backup, rpc, log",
  ],
  [
    "null",
    "<file>: the file holds null; expected a JSON object with sections server, raft, mysql, replication, backup, rpc, log",
  ],
  [
    '{\n  "mysql": {\n    "port": 3306,\n  }\n}',
    "<file>: invalid JSON at line 4, column 3: trailing comma before }",
  ],
  [
    '{"mysql": {"port": ${YOUR-MYSQL-PORT}}}',
    '<file>: invalid JSON at line 1, column 20: unexpected "$" (replace the placeholder with a real value)',
  ],
  [
    "{'mysql': {}}",
    `<file>: invalid JSON at line 1, column 2: expected a double-quoted key, found "'"`,
  ],
  [
    '{"mysql": {"passwd": "abc\ndef"}}',
    "<file>: invalid JSON at line 1, column 26: line break or control character inside a string",
  ],
  [
    '{"a": 1} {"b": 2}',
    "<file>: invalid JSON at line 1, column 10: unexpected text after the end of the JSON value",
  ],
  ['{"a": tru}', '<file>: invalid JSON at line 1, column 7: unexpected "t"'],
  ['{"a": 1', '<file>: invalid JSON at line 1, column 8: expected "," or "}", found end of file'],
];

Deno.test("every bad config is refused with its one-line error", () => {
  for (const [text, expected] of BAD) {
    assert.throws(() => parseConfig(text), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `not a ConfigError for ${text}`);
      assert.equal(e.message, expected, `for ${JSON.stringify(text)}`);
      return true;
    });
  }
});

Deno.test("${XENON_...} in a leader command is the variable the agent sets, not a placeholder", () => {
  const command = 'logger "leader ${XENON_ENDPOINT} term ${XENON_TERM}"';
  const loaded = parseConfig(JSON.stringify({ raft: { "leader-start-command": command } }));
  assert.equal(loaded.config.raft.leaderStartCommand, command);
});

Deno.test("the source name prefixes JSON errors", () => {
  assert.throws(() => parseConfig("{", "/etc/xenon/xenon.json"), {
    message:
      "/etc/xenon/xenon.json: invalid JSON at line 1, column 2: expected a double-quoted key, found end of file",
  });
});

/** Loads, or throws a one-line ConfigError: never anything else. */
function loadsOrOneLine(text: string): void {
  try {
    parseConfig(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `${String(e)} for ${text}`);
    assert.ok(
      !e.message.includes("\n") && e.message.length > 0 && e.message.length < 400,
      e.message,
    );
  }
}

Deno.test("fast-check: arbitrary JSON never crashes the loader", () => {
  fc.assert(fc.property(fc.json(), loadsOrOneLine), { numRuns: 1000 });
});

Deno.test("fast-check: arbitrary values in every section and key never crash the loader", () => {
  const keys = fc.constantFrom(
    "endpoint",
    "port",
    "passwd",
    "election-timeout",
    "master-sysvars",
    "level",
    "super-idle",
    "Port",
    "x",
  );
  const section = fc.constantFrom(
    "server",
    "raft",
    "mysql",
    "replication",
    "backup",
    "rpc",
    "log",
    "RAFT",
  );
  const config = fc.dictionary(
    section,
    fc.oneof(fc.dictionary(keys, fc.jsonValue()), fc.jsonValue()),
  );
  fc.assert(fc.property(config, (c) => loadsOrOneLine(JSON.stringify(c))), { numRuns: 1000 });
});

Deno.test("fast-check: arbitrary text (mostly invalid JSON) gives one line", () => {
  fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), loadsOrOneLine), {
    numRuns: 1000,
  });
});
