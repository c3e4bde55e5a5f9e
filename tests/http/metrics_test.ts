import assert from "node:assert/strict";
import { renderMetrics } from "../../src/http/mod.ts";
import type { FailoverRecord } from "../../src/recorder/mod.ts";
import {
  BLOCKED_LEADER,
  call,
  DEAD_MYSQL,
  FOLLOWER,
  LEADER,
  nodeStatus,
  withApi,
} from "./_helpers.ts";
import { type Family, parsePrometheusText } from "./_prom_parser.ts";

const LAST_FAILOVER = {
  id: "t8@10.0.0.11:8801",
  startedAtMs: 1_780_000_000_000,
  totalMs: 3550,
  phases: [
    { name: "detect", startMs: 1_780_000_000_000, durationMs: 3000 },
    { name: "elect", startMs: 1_780_000_003_000, durationMs: 400 },
    { name: "promote", startMs: 1_780_000_003_400, durationMs: 150 },
  ],
  verdict: { lost: 0, missing: "", text: "0 transactions lost" },
} as unknown as FailoverRecord;

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}) {
  const family = families.get(name);
  const sample = family?.samples.find((s) =>
    JSON.stringify(Object.entries(s.labels).sort()) ===
      JSON.stringify(Object.entries(labels).sort())
  );
  return sample?.value;
}

Deno.test("/metrics is valid Prometheus text with the leader's values", async () => {
  await withApi({
    status: () => BLOCKED_LEADER,
    metrics: { lastFailover: () => LAST_FAILOVER },
  }, async (base) => {
    const r = await call(`${base}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const m = parsePrometheusText(r.text);
    assert.equal(value(m, "xenon_role", { role: "LEADER" }), 1);
    assert.equal(value(m, "xenon_role", { role: "FOLLOWER" }), 0);
    assert.equal(m.get("xenon_role")!.samples.length, 7);
    assert.equal(m.get("xenon_role")!.type, "gauge");
    assert.equal(value(m, "xenon_term"), 8);
    assert.equal(value(m, "xenon_leader_changes_total"), 2);
    assert.equal(m.get("xenon_leader_changes_total")!.type, "counter");
    assert.equal(value(m, "xenon_elections_started_total"), 1);
    assert.equal(value(m, "xenon_votes_granted_total", { reason: "candidate is up to date" }), 2);
    assert.equal(value(m, "xenon_votes_denied_total", { reason: "my GTID set is ahead" }), 1);
    assert.equal(value(m, "xenon_heartbeat_acks_total"), 120);
    assert.equal(value(m, "xenon_heartbeat_misses_total"), 3);
    assert.equal(value(m, "xenon_lease_valid"), 1);
    assert.equal(value(m, "xenon_lease_remaining_seconds"), 4.2);
    assert.equal(value(m, "xenon_writable"), 1);
    assert.equal(value(m, "xenon_mysql_up"), 1);
    assert.equal(value(m, "xenon_semisync_acking"), 1);
    assert.equal(value(m, "xenon_semisync_blocked_seconds"), 12.3);
    assert.equal(value(m, "xenon_mysqld_restarts_total"), 0);
    assert.equal(value(m, "xenon_last_failover_duration_seconds"), 3.55);
    assert.equal(value(m, "xenon_last_failover_phase_seconds", { phase: "detect" }), 3);
    assert.equal(value(m, "xenon_last_failover_phase_seconds", { phase: "elect" }), 0.4);
    assert.equal(value(m, "xenon_last_failover_lost_transactions"), 0);
    assert.equal(value(m, "xenon_replication_lag_seconds"), undefined, "unknown on the leader");
    for (const family of m.values()) assert.ok(family.help.length > 0, `${family.name} has help`);
    // HEAD: same code, no body.
    const head = await call(`${base}/metrics`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.text, "");
  });
});

Deno.test("metrics leave unknown values out instead of reporting 0", async () => {
  const dead = parsePrometheusText(await renderMetrics(DEAD_MYSQL, null));
  assert.equal(value(dead, "xenon_mysql_up"), 0);
  for (
    const absent of [
      "xenon_replication_lag_seconds",
      "xenon_relay_backlog_bytes",
      "xenon_replication_io_running",
      "xenon_mysql_read_only",
      "xenon_lease_remaining_seconds",
      "xenon_semisync_blocked_seconds",
      "xenon_last_failover_duration_seconds",
    ]
  ) {
    assert.equal(dead.has(absent), false, absent);
  }
  const follower = parsePrometheusText(await renderMetrics(FOLLOWER, null));
  assert.equal(value(follower, "xenon_replication_lag_seconds"), 0);
  assert.equal(value(follower, "xenon_replication_sql_running"), 1);
  assert.equal(value(follower, "xenon_role", { role: "FOLLOWER" }), 1);
  const leader = parsePrometheusText(await renderMetrics(LEADER, null));
  assert.equal(value(leader, "xenon_semisync_blocked_seconds"), 0);
});

Deno.test("label values with quotes, backslashes and newlines stay valid", async () => {
  const status = nodeStatus({
    counters: { votesDenied: { 'he said "no"\\ twice\nreally': 4 }, votesGranted: {} },
  });
  const m = parsePrometheusText(await renderMetrics(status, null));
  assert.equal(value(m, "xenon_votes_denied_total", { reason: 'he said "no"\\ twice\nreally' }), 4);
  assert.equal(m.has("xenon_votes_granted_total"), false);
});

Deno.test("the strict parser rejects what the format forbids", () => {
  for (
    const bad of [
      "foo bar\n",
      "foo 1",
      "1foo 1\n",
      'x{a="1" 2\n',
      "x{a=b} 1\n",
      "# TYPE x gauge\nx 1\n# TYPE x gauge\n",
      "x 1\ny 1\nx 2\n",
      "x 1\nx 1\n",
      'x{a="\\t"} 1\n',
      "x 1 1.5\n",
    ]
  ) {
    assert.throws(() => parsePrometheusText(bad), Error, JSON.stringify(bad));
  }
  assert.equal(
    parsePrometheusText("# HELP x a\\nb\n# TYPE x gauge\nx NaN\n").get("x")!.help,
    "a\nb",
  );
});
