import assert from "node:assert/strict";
import { Periodic } from "../../src/lib/periodic.ts";
import { FakeClock } from "../support/fake_clock.ts";

/** Lets the job's promise chain settle (bounded). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A periodic job whose runs end only when released; `starts` holds each run's clock time. */
function heldJob(intervalMs: number) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const releases: (() => void)[] = [];
  const job = new Periodic(clock, intervalMs, () => {
    starts.push(clock.now());
    return new Promise((done) => releases.push(done));
  });
  const releaseAll = () => releases.splice(0).forEach((release) => release());
  return { clock, starts, job, releaseAll };
}

Deno.test("periodic: first run at once, the next an interval after the previous one ended", async () => {
  const { clock, starts, job, releaseAll } = heldJob(1000);
  job.start();
  await clock.advance(0, settle);
  assert.deepEqual(starts, [0]);
  await clock.advance(5000, settle); // the first run is still going: no second one piles up
  assert.deepEqual(starts, [0]);
  releaseAll();
  await settle();
  await clock.advance(999, settle);
  assert.deepEqual(starts, [0]);
  await clock.advance(1, settle);
  assert.deepEqual(starts, [0, 6000]);
});

Deno.test("periodic: stop waits for the run in progress and nothing runs after it", async () => {
  const { clock, starts, job, releaseAll } = heldJob(100);
  job.start(50);
  await clock.advance(50, settle);
  assert.equal(starts.length, 1);
  let stopped = false;
  const stopping = job.stop().then(() => stopped = true);
  await settle();
  assert.equal(stopped, false);
  assert.equal(job.running, false);
  releaseAll();
  await stopping;
  await clock.advance(1000, settle);
  assert.equal(starts.length, 1);
});

Deno.test("periodic: stopped and started again before a run ended, it keeps one schedule", async () => {
  const { clock, starts, job, releaseAll } = heldJob(100);
  job.start();
  await clock.advance(0, settle);
  void job.stop();
  job.start(); // its first run starts at once, beside the one still ending
  await clock.advance(0, settle);
  assert.equal(starts.length, 2);
  releaseAll();
  await settle();
  await clock.advance(100, settle);
  assert.deepEqual(starts, [0, 0, 100], "one next run, not one per start");
});
