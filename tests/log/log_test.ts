import assert from "node:assert/strict";
import { log, logLevelFromConfig, setupLogging } from "../../src/log/mod.ts";
import { clearSecretsForTest, registerSecret } from "../../src/lib/redact.ts";

function capture(format: "text" | "json", level = logLevelFromConfig("INFO")) {
  const lines: string[] = [];
  setupLogging({ level, format, write: (line) => lines.push(line) });
  return lines;
}

Deno.test("text lines carry the original's timestamp layout, level name and concern", () => {
  const lines = capture("text");
  log("raft").info("became LEADER in term 7: won 2 of 3 votes");
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[INFO\] \traft: became LEADER in term 7: won 2 of 3 votes\n$/,
  );
});

Deno.test("json lines are one parseable object per record", () => {
  const lines = capture("json");
  log("mysql").warning("read_only set by {who}", { who: "fence" });
  const record = JSON.parse(lines[0]);
  assert.equal(record.level, "WARNING");
  assert.equal(record.logger, "xenon.mysql");
  assert.equal(record.message, "read_only set by fence");
});

Deno.test("levels follow log.level with the original's names; unknown names log everything", () => {
  assert.equal(logLevelFromConfig("WARNING"), "warning");
  assert.equal(logLevelFromConfig("panic"), "fatal");
  assert.equal(logLevelFromConfig("VERBOSE"), "debug");
  const lines = capture("text", logLevelFromConfig("ERROR"));
  log("raft").warning("not shown");
  log("raft").error("shown");
  assert.equal(lines.length, 1);
});

Deno.test("secrets are masked wherever they appear in a record", () => {
  clearSecretsForTest();
  registerSecret("s3cret-repl-pw");
  for (const format of ["text", "json"] as const) {
    const lines = capture(format);
    log("rpc").error("CHANGE MASTER failed: {error}", {
      error: "MASTER_PASSWORD='s3cret-repl-pw' rejected",
      config: { replication: { passwd: "s3cret-repl-pw" } },
    });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0].includes("s3cret-repl-pw"), lines[0]);
    assert.ok(lines[0].includes("******"));
  }
  clearSecretsForTest();
});

Deno.test("no log call is cut short by `+`: a tagged template ends where its backtick does", async () => {
  // logger.warn`a ` + `b` logs "a " and drops the rest: the `+` joins b to the call's result.
  const cut = /\.(trace|debug|info|warn|warning|error|fatal)`(?:[^`\\]|\\.)*`\s*\+/g;
  const offenders: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (path.endsWith(".ts") && cut.test(await Deno.readTextFile(path))) {
        offenders.push(path);
      }
      cut.lastIndex = 0;
    }
  };
  await walk(new URL("../../src", import.meta.url).pathname);
  assert.deepEqual(offenders, []);
});
