import assert from "node:assert/strict";
import { setupLogging } from "../../src/log/mod.ts";
import {
  type FailoverOutcome,
  type FailoverRecord,
  FlightRecorder,
  HISTORY_FILE,
  lossVerdict,
  mergeHistories,
} from "../../src/recorder/mod.ts";

const logLines: string[] = [];
setupLogging({ level: "debug", format: "text", write: (line) => logLines.push(line) });

const UUID_A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const UUID_B = "4f22ab58-82db-22f2-af44-d91bb0530673";

const OUTCOME: FailoverOutcome = {
  oldLeader: "10.0.0.11:8801",
  newLeader: "10.0.0.12:8801",
  oldTerm: 7,
  newTerm: 8,
  flavor: "mariadb",
  oldPosition: "0-1-42",
  newPosition: "0-1-42",
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-recorder-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function recordOne(recorder: FlightRecorder, term: number, at: number) {
  const draft = recorder.begin("leader 10.0.0.11:8801 missed 3 heartbeats");
  draft.phase("detect", at, at + 3000)
    .phase("elect", at + 3000, at + 3400)
    .phase("catchUp", at + 3400, at + 3500)
    .phase("promote", at + 3500, at + 3550);
  return await draft.finish({ ...OUTCOME, oldTerm: term - 1, newTerm: term });
}

Deno.test("a failover record holds phases, total, positions and the verdict, one line on disk", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({ dir, recordedBy: "10.0.0.12:8801", now: () => 5 });
    const record = await recordOne(recorder, 8, 1_000_000);
    assert.equal(record.id, "t8@10.0.0.12:8801");
    assert.deepEqual(record.phases.map((p) => [p.name, p.durationMs]), [
      ["detect", 3000],
      ["elect", 400],
      ["catchUp", 100],
      ["promote", 50],
    ]);
    assert.equal(record.startedAtMs, 1_000_000);
    assert.equal(record.totalMs, 3550);
    assert.equal(record.verdict.text, "0 transactions lost");
    assert.equal(record.recordedBy, "10.0.0.12:8801");
    const text = await Deno.readTextFile(`${dir}/${HISTORY_FILE}`);
    assert.equal(text.split("\n").length, 2);
    assert.deepEqual(JSON.parse(text), record);
    assert.equal(recorder.last, record);
    const mode = (await Deno.stat(`${dir}/${HISTORY_FILE}`)).mode! & 0o777;
    assert.equal(mode, 0o640);
  });
});

Deno.test("a draft writes once; a phase named twice keeps the later timing", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({ dir, recordedBy: "n1" });
    const draft = recorder.begin("test").phase("elect", 10, 20).phase("elect", 30, 45);
    const record = await draft.finish(OUTCOME);
    assert.deepEqual(record.phases, [{ name: "elect", startMs: 30, durationMs: 15 }]);
    await assert.rejects(draft.finish(OUTCOME), /finished twice/);
    assert.equal((await recorder.read()).length, 1);
  });
});

Deno.test("read returns the last N records, oldest first, across rotated files", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({
      dir,
      recordedBy: "n1",
      maxFileBytes: 2048,
      keepFiles: 2,
    });
    for (let term = 1; term <= 12; term++) await recordOne(recorder, term, term * 10_000);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, [HISTORY_FILE, `${HISTORY_FILE}.1`, `${HISTORY_FILE}.2`]);
    for (const name of files) assert.ok(Deno.statSync(`${dir}/${name}`).size <= 2048, name);
    const last3 = await recorder.read({ last: 3 });
    assert.deepEqual(last3.map((r) => r.newTerm), [10, 11, 12]);
    const all = await recorder.read({ last: 100 });
    assert.ok(all.length >= 3 && all.length < 12, `rotation dropped the oldest (${all.length})`);
    assert.deepEqual(all.map((r) => r.newTerm), all.map((r) => r.newTerm).sort((a, b) => a - b));
    assert.equal(all[all.length - 1].newTerm, 12);
  });
});

Deno.test("a torn last line (crash mid-write) is skipped with a warning; the next append is whole", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({ dir, recordedBy: "n1" });
    await recordOne(recorder, 1, 1000);
    const path = `${dir}/${HISTORY_FILE}`;
    await Deno.writeTextFile(path, '{"id":"t2@n2","trigger":"le', { append: true });
    logLines.length = 0;
    const afterCrash = await recorder.read();
    assert.deepEqual(afterCrash.map((r) => r.newTerm), [1]);
    assert.ok(logLines.some((l) => l.includes("torn line")), logLines.join("\n"));

    await recordOne(recorder, 3, 3000);
    logLines.length = 0;
    const after = await new FlightRecorder({ dir, recordedBy: "n1" }).read();
    assert.deepEqual(after.map((r) => r.newTerm), [1, 3]);
    assert.ok(logLines.some((l) => l.includes("not a record")), logLines.join("\n"));
  });
});

Deno.test("read of a missing history is empty; an unwritable dir is a one-line error", async () => {
  await withDir(async (dir) => {
    assert.deepEqual(await new FlightRecorder({ dir, recordedBy: "n1" }).read(), []);
    const recorder = new FlightRecorder({ dir: `${dir}/missing/sub`, recordedBy: "n1" });
    await assert.rejects(
      recorder.begin("x").finish(OUTCOME),
      (e: Error) => /cannot append to .*history\.jsonl: .*raft\.meta-datadir$/.test(e.message),
    );
  });
});

Deno.test("concurrent finishes append whole lines in call order", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({ dir, recordedBy: "n1" });
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => recorder.begin(`t${i}`).finish({ ...OUTCOME, newTerm: i }),
      ),
    );
    const records = await recorder.read();
    assert.deepEqual(records.map((r) => r.newTerm), Array.from({ length: 20 }, (_, i) => i));
  });
});

Deno.test("huge positions are cut so every record stays under the size bound", async () => {
  await withDir(async (dir) => {
    const recorder = new FlightRecorder({ dir, recordedBy: "n1" });
    const huge = Array.from({ length: 3000 }, (_, i) => `${i}-1-${i + 1}`).join(",");
    const record = await recorder.begin("x\nsecond line").finish({
      ...OUTCOME,
      oldPosition: huge,
      newPosition: huge,
    });
    assert.equal(record.trigger, "x second line");
    assert.ok(JSON.stringify(record).length < 64 * 1024);
    assert.ok(record.positions.newLeader.endsWith("… (cut)"));
    assert.equal(record.verdict.text, "0 transactions lost", "verdict uses the full positions");
    assert.equal((await recorder.read()).length, 1);
  });
});

Deno.test("loss verdict, MySQL: the exact GTIDs the new leader lacks", () => {
  assert.deepEqual(lossVerdict("mysql", `${UUID_A}:1-10`, `${UUID_A}:1-10`), {
    lost: 0,
    missing: "",
    text: "0 transactions lost",
  });
  assert.deepEqual(
    lossVerdict("mysql", `${UUID_A}:1-10,\n${UUID_B}:1-2`, `${UUID_A}:1-7,${UUID_B}:1-5`),
    {
      lost: 3,
      missing: `${UUID_A}:8-10`,
      text: `3 transactions lost: ${UUID_A}:8-10`,
    },
  );
  assert.equal(lossVerdict("mysql", `${UUID_A}:1-5`, `${UUID_A}:1-9`).text, "0 transactions lost");
  assert.deepEqual(lossVerdict("mysql", null, `${UUID_A}:1-9`).lost, null);
  const bad = lossVerdict("mysql", "garbage", `${UUID_A}:1-9`);
  assert.equal(bad.lost, null);
  assert.match(bad.text, /^unknown: malformed MySQL GTID set/);
});

Deno.test("loss verdict, MariaDB: domains in which the old leader was ahead or diverged", () => {
  assert.equal(lossVerdict("mariadb", "0-1-42", "0-1-42").text, "0 transactions lost");
  assert.equal(lossVerdict("mariadb", "0-1-40", "0-2-45").text, "0 transactions lost");
  assert.deepEqual(lossVerdict("mariadb", "0-1-45,1-1-7", "0-1-42,1-1-7"), {
    lost: 3,
    missing: "domain 0 3 transactions (old leader 0-1-45, new 0-1-42)",
    text: "3 transactions lost: domain 0 3 transactions (old leader 0-1-45, new 0-1-42)",
  });
  const diverged = lossVerdict("mariadb", "0-1-42,2-1-3", "0-2-42");
  assert.equal(diverged.lost, 4);
  assert.equal(
    diverged.text,
    "at least 4 transactions lost: domain 0 diverged (old leader 0-1-42, new 0-2-42); " +
      "domain 2 3 transactions (old leader 2-1-3, new nothing)",
  );
  assert.match(lossVerdict("mariadb", null, "0-1-1").text, /^unknown: the old leader's position/);
});

function rec(id: string, by: string, startedAtMs: number, phases: number, oldKnown = true) {
  return {
    id,
    recordedBy: by,
    startedAtMs,
    newTerm: Number(id.slice(1, id.indexOf("@"))),
    phases: Array.from({ length: phases }, () => ({ name: "detect", startMs: 0, durationMs: 0 })),
    positions: { oldLeader: oldKnown ? "0-1-1" : null, newLeader: "0-1-1" },
  } as unknown as FailoverRecord;
}

Deno.test("mergeHistories de-duplicates a failover seen by several nodes and orders by time", () => {
  const merged = mergeHistories([
    [rec("t3@b", "a", 300, 2), rec("t1@a", "a", 100, 1)],
    [rec("t3@b", "b", 301, 5), rec("t2@c", "b", 200, 3)],
    [rec("t3@b", "c", 299, 5, false), rec("t1@a", "c", 100, 1)],
    [],
  ]);
  assert.deepEqual(merged.map((r) => [r.id, r.recordedBy, r.seenBy]), [
    ["t1@a", "a", ["a", "c"]],
    ["t2@c", "b", ["b"]],
    ["t3@b", "b", ["a", "b", "c"]],
  ]);
  // Merging merged output again changes nothing.
  assert.deepEqual(mergeHistories([merged, merged]), merged);
});
