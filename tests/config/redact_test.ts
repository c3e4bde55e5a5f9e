import assert from "node:assert/strict";
import { checkConfig, formatFinding, parseConfig } from "../../src/config/mod.ts";
import { redact } from "../../src/lib/redact.ts";
import { ConfigError } from "../../src/lib/errors.ts";

const SECRETS = { mysql: "Mysql-Secret-17", repl: "Repl-Secret-23", ssh: "Ssh-Secret-31" };
const TEXT = JSON.stringify({
  mysql: { passwd: SECRETS.mysql, port: "3306" },
  replication: { passwd: SECRETS.repl },
  backup: { "ssh-passwd": SECRETS.ssh },
  raft: { "leader-start-command": `sshpass -p ${SECRETS.ssh} ssh vip-host up` },
});

Deno.test("loading registers every password: logs and errors mask them", () => {
  assert.throws(() => parseConfig(TEXT), ConfigError);
  for (const secret of Object.values(SECRETS)) {
    assert.equal(redact(`connecting with ${secret}`), "connecting with ******");
  }
});

Deno.test("no finding or error ever shows a password", () => {
  const findings = checkConfig(TEXT, { path: "/x.json", fileMode: 0o644 });
  const text = JSON.stringify(findings) + findings.map(formatFinding).join("\n");
  for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), secret);
  assert.throws(() => parseConfig('{"mysql": {"passwd": ["Array-Secret-44"]}}'), {
    message: "mysql.passwd: the value is an array; expected a string",
  });
});

Deno.test("a password left at its published default is not registered", () => {
  parseConfig('{"replication": {"passwd": "repl"}}');
  assert.equal(redact("replication.user"), "replication.user");
});
