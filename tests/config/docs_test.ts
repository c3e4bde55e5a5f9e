import assert from "node:assert/strict";
import { checkConfig, formatFinding, loadConfig, SCHEMA } from "../../src/config/mod.ts";

const confDir = new URL("../../conf/", import.meta.url).pathname;

Deno.test("conf/README.md documents every key", async () => {
  const readme = await Deno.readTextFile(`${confDir}README.md`);
  for (const [section, keys] of Object.entries(SCHEMA)) {
    assert.ok(readme.includes(`### ${section}`), `section ${section}`);
    for (const key of Object.keys(keys)) {
      assert.ok(readme.includes(`| \`${key}\``), `${section}.${key}`);
    }
  }
});

Deno.test("conf/xenon.json loads and its only findings are the CHANGE-ME passwords", async () => {
  const path = `${confDir}xenon.json`;
  const { config, warnings } = await loadConfig(path);
  assert.deepEqual(warnings, []);
  assert.equal(config.raft.electionTimeout, 10000);
  const text = await Deno.readTextFile(path);
  // Every key is spelled out in the sample.
  for (const [section, keys] of Object.entries(SCHEMA)) {
    for (const key of Object.keys(keys)) assert.ok(text.includes(`"${key}":`), `${section}.${key}`);
  }
  assert.deepEqual(checkConfig(text, { path }).map(formatFinding), [
    "mysql.passwd: still the sample's placeholder password; set a real one",
    "replication.passwd: still the sample's placeholder password; set a real one",
  ]);
});
