/**
 * The leader-start/stop command runner: nop skipped, runs bounded by a timeout, context passed in
 * XENON_* variables (never interpolated), output logged redacted, runs serialized (a stop cuts a
 * start short rather than waiting for it).
 */
import assert from "node:assert/strict";
import { registerSecret } from "../../src/lib/redact.ts";
import { setupLogging } from "../../src/log/mod.ts";
import { isNopCommand, LeaderCommands, runCommand } from "../../src/vip/mod.ts";

const lines: string[] = [];
setupLogging({ level: "debug", format: "text", write: (line) => lines.push(line) });

const context = { reason: "won the election; term 7", endpoint: "10.0.0.1:8801", term: 7 };

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-vip-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("vip: nop and empty commands are skipped without starting a shell", async () => {
  for (const nop of ["nop", " nop ", "", "  "]) assert.ok(isNopCommand(nop), JSON.stringify(nop));
  assert.ok(!isNopCommand("nop2"));
  const r = await runCommand("start", "nop", context, 1000);
  assert.deepEqual(r, {
    ran: false,
    ok: true,
    code: null,
    elapsedMs: 0,
    summary: "leader-start-command: nop",
  });
});

Deno.test("vip: the context travels in XENON_* variables, never interpolated into the command", async () => {
  await withDir(async (dir) => {
    const out = `${dir}/env`;
    const hostile = { ...context, reason: `x'; touch ${dir}/pwned; echo '$(id)` };
    const command = `printf '%s|%s|%s|%s' "$XENON_ROLE_CHANGE" "$XENON_REASON" ` +
      `"$XENON_ENDPOINT" "$XENON_TERM" > ${out}`;
    const r = await runCommand("stop", command, hostile, 5000);
    assert.equal(r.ok, true, r.summary);
    assert.equal(r.code, 0);
    assert.equal(
      await Deno.readTextFile(out),
      `stop|${hostile.reason}|10.0.0.1:8801|7`,
    );
    await assert.rejects(Deno.stat(`${dir}/pwned`), Deno.errors.NotFound);
  });
});

Deno.test("vip: a start after a hand-over is told who handed over; otherwise the variable is unset", async () => {
  await withDir(async (dir) => {
    const out = `${dir}/env`;
    const command = `printf '%s' "\${XENON_HANDED_OVER_BY-unset}" > ${out}`;
    await runCommand("start", command, { ...context, handedOverBy: "10.0.0.2:8801" }, 5000);
    assert.equal(await Deno.readTextFile(out), "10.0.0.2:8801");
    await runCommand("start", command, context, 5000);
    assert.equal(await Deno.readTextFile(out), "unset");
  });
});

Deno.test("vip: a failing command is reported with its exit code, not thrown", async () => {
  const r = await runCommand("start", "exit 3", context, 5000);
  assert.equal(r.ran, true);
  assert.equal(r.ok, false);
  assert.equal(r.code, 3);
  assert.match(r.summary, /^leader-start-command exited 3 after \d+ ms$/);
});

Deno.test("vip: a hanging command is killed at the timeout", async () => {
  const started = performance.now();
  const r = await runCommand("start", "exec sleep 30", context, 300);
  const elapsed = performance.now() - started;
  assert.equal(r.ok, false);
  assert.equal(r.code, null);
  assert.equal(r.summary, "leader-start-command killed after 300 ms (timeout)");
  assert.ok(elapsed < 3000, `returned after ${Math.round(elapsed)} ms`);
});

Deno.test("vip: the timeout also bounds a script whose child keeps its output open", async () => {
  // A VIP script like `ip addr add ...; arping -c 30 ...`: bash forks a child holding stdout.
  const started = performance.now();
  const r = await runCommand("start", "sleep 3; echo done", context, 300);
  const elapsed = performance.now() - started;
  assert.equal(r.ok, false, r.summary);
  assert.ok(elapsed < 3000, `returned after ${Math.round(elapsed)} ms for a 300 ms timeout`);
});

Deno.test("vip: output is logged on one line with registered secrets masked", async () => {
  const secret = "vip-secret-Passw0rd";
  registerSecret(secret);
  lines.length = 0;
  const r = await runCommand(
    "start",
    `echo "adding vip with ${secret}"; echo oops >&2`,
    context,
    5000,
  );
  assert.equal(r.ok, true, r.summary);
  const output = lines.find((l) => l.includes("leader-start-command output"));
  assert.ok(output, lines.join("\n"));
  assert.match(output, /adding vip with \*{6} \| oops/);
  assert.ok(lines.every((l) => !l.includes(secret)), "the secret never reaches the log");
  assert.ok(
    lines.some((l) => l.includes("leader-start-command exited 0") && l.includes(context.reason)),
  );
});

Deno.test("vip: a stop never overtakes a start: it cuts a running start short, cancels a queued one", async () => {
  await withDir(async (dir) => {
    const cmds = new LeaderCommands(
      `echo start >> ${dir}/log; sleep 30; echo started >> ${dir}/log`,
      `echo stop >> ${dir}/log`,
      60_000,
    );
    const first = cmds.run("start", context);
    const queued = cmds.run("start", context);
    // The first start is running (it wrote its line) when the stop is asked for.
    for (let i = 0; i < 100 && !(await Deno.readTextFile(`${dir}/log`).catch(() => "")); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const stopped = await cmds.run("stop", context);
    assert.equal(stopped.ok, true, stopped.summary);
    const [a, b] = await Promise.all([first, queued]);
    assert.match(a.summary, /leader-start-command killed after \d+ ms: leader-stop-command/);
    assert.equal(b.ran, false);
    assert.match(b.summary, /not run: leader-stop-command was needed first/);
    assert.equal(await Deno.readTextFile(`${dir}/log`), "start\nstop\n");
  });
});
