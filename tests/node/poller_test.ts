/**
 * The MySQL poller: a failed ping is confirmed by the next one sooner than the interval, so a
 * dead mysqld is reported after `admit-defeat-ping-count` failures without waiting a whole
 * interval between them; a live one is sampled at the interval.
 */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import { MysqlPoller } from "../../src/node/poller.ts";
import type { MysqlObservation } from "../../src/raft/mod.ts";
import { FakeClock } from "../support/fake_clock.ts";

const INTERVAL_MS = 1000;

/** A poller of a server that is up, sampled at 0, 1000 and 2000 ms; `setUp` changes that. */
async function pollerAt2500() {
  const clock = new FakeClock();
  let up = true;
  const samples: number[] = [];
  const reports: { at: number; alive: boolean }[] = [];
  const poller = new MysqlPoller({
    clock,
    link: {
      reset: () => Promise.resolve(),
      sample: () => {
        samples.push(clock.now());
        if (!up) return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:3306"));
        return Promise.resolve({
          status: {
            readOnly: true,
            replica: { ioRunning: true, sqlRunning: true, lastIoError: "" },
          },
          position: "0-1-1",
          uptime: 100 + clock.now() / 1000,
        });
      },
    },
    intervalMs: INTERVAL_MS,
    admitDefeatCount: 2,
    comparator: mariadbComparator,
    report: (o: MysqlObservation) => reports.push({ at: clock.now(), alive: o.alive }),
  });
  poller.start();
  await clock.advance(2500, settle);
  const setUp = (value: boolean) => void (up = value);
  return { clock, poller, samples, reports, setUp };
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("poller: a dead mysqld is reported on the second failed ping, taken soon after the first", async () => {
  const { clock, poller, samples, reports, setUp } = await pollerAt2500();
  assert.deepEqual(samples, [0, 1000, 2000], "a live server is sampled at the interval");
  setUp(false);
  await clock.advance(1000, settle); // the ping at 3000 fails
  await clock.advance(500, settle);
  const dead = reports.find((r) => !r.alive);
  assert.ok(dead !== undefined, `not reported dead by 3500 ms: pings at ${samples}`);
  assert.ok(dead.at <= 3000 + INTERVAL_MS / 4, `reported dead at ${dead.at} ms`);
  await poller.stop();
});

Deno.test("poller: one failed ping is not a dead mysqld, and sampling goes back to the interval", async () => {
  const { clock, poller, samples, reports, setUp } = await pollerAt2500();
  setUp(false);
  await clock.advance(600, settle); // the ping at 3000 fails
  setUp(true); // before the ping that confirms it
  await clock.advance(2400, settle);
  assert.ok(reports.every((r) => r.alive), "a single failure was reported as dead");
  const after = samples.filter((t) => t > 3000);
  assert.ok(after[0] < 3000 + INTERVAL_MS, `the failure was not re-checked early: ${samples}`);
  assert.equal(after[2] - after[1], INTERVAL_MS, `not back to the interval: ${samples}`);
  await poller.stop();
});
