import assert from "node:assert/strict";
import { Periodic } from "../../src/lib/periodic.ts";
import { FakeClock } from "../support/fake_clock.ts";

/** Lets the job's promise chain settle (bounded). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

Deno.test("periodic: first run at once, the next an interval after the previous one ended", async () => {
  const clock = new FakeClock();
  const runs: number[] = [];
  let release: () => void = () => {};
  const job = new Periodic(clock, 1000, () => {
    runs.push(clock.now());
    return new Promise((done) => release = done);
  });
  job.start();
  clock.advance(0);
  assert.deepEqual(runs, [0]);
  clock.advance(5000); // the first run is still going: no second one piles up
  assert.deepEqual(runs, [0]);
  release();
  await settle();
  clock.advance(999);
  assert.deepEqual(runs, [0]);
  clock.advance(1);
  assert.deepEqual(runs, [0, 6000]);
});

Deno.test("periodic: stop waits for the run in progress and nothing runs after it", async () => {
  const clock = new FakeClock();
  let runs = 0;
  let release: () => void = () => {};
  const job = new Periodic(clock, 100, () => {
    runs++;
    return new Promise((done) => release = done);
  });
  job.start(50);
  clock.advance(50);
  assert.equal(runs, 1);
  let stopped = false;
  const stopping = job.stop().then(() => stopped = true);
  await settle();
  assert.equal(stopped, false);
  assert.equal(job.running, false);
  release();
  await stopping;
  clock.advance(1000);
  assert.equal(runs, 1);
  assert.equal(clock.pending, 0);
});

Deno.test("periodic: stopped and started again before a run ended, it keeps one schedule", async () => {
  const clock = new FakeClock();
  let runs = 0;
  let release: () => void = () => {};
  const job = new Periodic(clock, 100, () => {
    runs++;
    return new Promise((done) => release = done);
  });
  job.start();
  clock.advance(0);
  const first = release;
  void job.stop();
  job.start(); // its first run starts at once, beside the one still ending
  clock.advance(0);
  assert.equal(runs, 2);
  first();
  release();
  await settle();
  assert.equal(clock.pending, 1, "one next run scheduled, not two");
});
