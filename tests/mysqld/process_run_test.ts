/** processRun: which run of a process is up, from /proc, the same for one process, new for the next. */
import assert from "node:assert/strict";
import { processRun } from "../../src/mysqld/mod.ts";

Deno.test("processRun names the host's boot and the process's start; a new process is a new run", async () => {
  const mine = processRun(Deno.pid);
  assert.ok(mine !== null);
  assert.match(mine.boot, /^[0-9a-f-]{36}$/);
  assert.deepEqual(processRun(Deno.pid), mine, "the same run when asked again");
  const child = new Deno.Command("sleep", { args: ["5"] }).spawn();
  try {
    const other = processRun(child.pid);
    assert.ok(other !== null && other.start !== mine.start && other.boot === mine.boot);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(processRun(2 ** 22 + 7), null, "no such process");
});
