import assert from "node:assert/strict";
import { forecastFailover } from "../../src/model/forecast.ts";

const TIMERS = { electionTimeoutMs: 3000, requestTimeoutMs: 1000 };

Deno.test("forecast: detect is the election timeout plus one request timeout", () => {
  const f = forecastFailover({ ...TIMERS, backlogTransactions: 0, applyRate: null });
  assert.deepEqual([f.seconds, f.detectSeconds, f.applySeconds], [4, 4, 0]);
  assert.equal(
    f.text,
    "a failover now would take about 4.0 s (detect 4.0 s + apply backlog 0.0 s: 0 transactions)",
  );
});

Deno.test("forecast: the backlog is applied at the measured rate", () => {
  const f = forecastFailover({ ...TIMERS, backlogTransactions: 4800, applyRate: 1600 });
  assert.deepEqual([f.seconds, f.applySeconds], [7, 3]);
  assert.match(f.text, /about 7\.0 s \(detect 4\.0 s \+ apply backlog 3\.0 s: 4800 transactions\)/);
});

Deno.test("forecast: an unknown backlog or a stalled SQL thread leaves the total unknown", () => {
  const unknown = forecastFailover({ ...TIMERS, backlogTransactions: null, applyRate: 1600 });
  assert.equal(unknown.seconds, null);
  assert.match(
    unknown.text,
    /detect 4\.0 s plus an apply time not known yet: .*backlog is unknown/,
  );
  const stalled = forecastFailover({ ...TIMERS, backlogTransactions: 50, applyRate: 0 });
  assert.equal(stalled.seconds, null);
  assert.match(stalled.text, /50 transactions to apply and no apply rate measured/);
});
