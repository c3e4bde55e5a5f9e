import assert from "node:assert/strict";
import { ApplyRate } from "../../src/node/apply_rate.ts";

Deno.test("apply rate: the applied count's growth over the window, per second", () => {
  const r = new ApplyRate("mariadb", 10_000);
  r.add(0, "0-1-100");
  assert.equal(r.perSecond(), null, "one sample says nothing");
  r.add(500, "0-1-900");
  assert.equal(r.perSecond(), null, "half a second is too short to measure");
  r.add(2000, "0-1-3300");
  assert.equal(r.perSecond(), 1600);
  // Samples older than the window drop out: only the last 10 s count.
  for (let t = 3000; t <= 20_000; t += 1000) r.add(t, `0-1-${3300 + (t - 2000) / 2}`);
  assert.equal(r.perSecond(), 500);
});

Deno.test("apply rate: starts over when the position is unreadable or goes back", () => {
  const r = new ApplyRate("mariadb");
  r.add(0, "0-1-100");
  r.add(2000, "0-1-300");
  assert.equal(r.perSecond(), 100);
  r.add(3000, null);
  assert.equal(r.perSecond(), null);
  r.add(4000, "0-1-500");
  r.add(5000, "0-1-5");
  r.add(7000, "0-1-205");
  assert.equal(r.perSecond(), 100);
});
