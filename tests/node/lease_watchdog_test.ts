/**
 * The lease watchdog's decisions, checked one at a time on a clock the test moves: it fences once
 * the lease has been over for half a tick while the loop is held (a whole tick while it is idle)
 * and the loop has not started a fence, once, and only while MySQL may be writable; a loop fence
 * that failed is tried again, and one that ends after a newer promote leaves that one guarded.
 */
import assert from "node:assert/strict";
import type { FenceOutcome } from "../../src/node/local_fence.ts";
import { LeaseWatchdog } from "../../src/node/lease_watchdog.ts";

function watchdog(outcomes: FenceOutcome[] = []) {
  const w = {
    now: 0,
    leaseEnd: 1000,
    busySince: 900 as number | null,
    fences: 0,
    dog: undefined as unknown as LeaseWatchdog,
  };
  // Its timers never fire: each check runs when the test calls it, at the time the test set.
  const idle = { cancel() {} };
  w.dog = new LeaseWatchdog({
    clock: { now: () => w.now, wallNow: () => w.now, after: () => idle, every: () => idle },
    tickMs: 100,
    leaseEnd: () => w.leaseEnd,
    loopBusySince: () => w.busySince,
    fence: () => {
      w.fences++;
      return Promise.resolve(outcomes.shift() ?? { ok: true });
    },
  });
  return w;
}

Deno.test("watchdog: nothing to guard before MySQL is made writable", async () => {
  const w = watchdog();
  w.now = 5000;
  await w.dog.check();
  assert.equal(w.fences, 0);
});

Deno.test("watchdog: fences half a tick after the lease ended while the loop is held, once", async () => {
  const w = watchdog();
  w.dog.guard();
  try {
    w.now = 1049;
    await w.dog.check();
    assert.equal(w.fences, 0, "the lease end is the loop's to act on first");
    w.now = 1050;
    await w.dog.check();
    assert.equal(w.fences, 1);
    w.now = 2000;
    await w.dog.check();
    assert.equal(w.fences, 1, "a confirmed fence ends the guard");
    assert.equal(w.dog.fired, 1);
  } finally {
    await w.dog.stop();
  }
});

Deno.test("watchdog: an idle loop gets a whole tick to fence by itself", async () => {
  const w = watchdog();
  w.busySince = null;
  w.dog.guard();
  try {
    w.now = 1099;
    await w.dog.check();
    assert.equal(w.fences, 0);
    w.now = 1100;
    await w.dog.check();
    assert.equal(w.fences, 1);
  } finally {
    await w.dog.stop();
  }
});

Deno.test("watchdog: a fence the loop started after the lease end is left to the loop", async () => {
  const w = watchdog();
  w.dog.guard();
  try {
    w.now = 1010;
    w.dog.fenceStarted();
    w.now = 1200;
    await w.dog.check();
    assert.equal(w.fences, 0);
    // Stepped down (no lease at all) with no fence since: the watchdog acts.
    w.dog.guard();
    w.leaseEnd = Number.NEGATIVE_INFINITY;
    await w.dog.check();
    assert.equal(w.fences, 1);
  } finally {
    await w.dog.stop();
  }
});

Deno.test("watchdog: a failed fence is tried again after a second, not at every check", async () => {
  const w = watchdog([{ ok: false, error: "unreachable" }]);
  w.dog.guard();
  try {
    w.now = 1100;
    await w.dog.check();
    w.now = 1500;
    await w.dog.check();
    assert.equal(w.fences, 1);
    w.now = 2100;
    await w.dog.check();
    assert.equal(w.fences, 2);
  } finally {
    await w.dog.stop();
  }
});

Deno.test("watchdog: a loop fence that failed is retried (with the hard stop) after a second", async () => {
  const w = watchdog();
  w.dog.guard();
  try {
    w.now = 1010;
    const token = w.dog.fenceStarted();
    w.now = 1020;
    w.dog.fenceDone(token, false);
    // The core stepped down: no lease any more, and no fence that held.
    w.leaseEnd = Number.NEGATIVE_INFINITY;
    w.now = 1500;
    await w.dog.check();
    assert.equal(w.fences, 0, "a second between attempts");
    w.now = 2100;
    await w.dog.check();
    assert.equal(w.fences, 1, "the failed loop fence is tried again");
  } finally {
    await w.dog.stop();
  }
});

Deno.test("watchdog: a slow fence that ends after a new promote leaves that promote guarded", async () => {
  const w = watchdog();
  w.dog.guard();
  try {
    w.now = 1010;
    const token = w.dog.fenceStarted();
    w.leaseEnd = 3000;
    w.dog.guard(); // re-elected and promoted again while the old fence still ran
    w.dog.fenceDone(token, true);
    w.now = 3100;
    await w.dog.check();
    assert.equal(w.fences, 1, "the new writable term is guarded");
  } finally {
    await w.dog.stop();
  }
});
