/**
 * The monitoring samples in conf/: the Prometheus alerting rules pass `promtool check rules` and
 * their unit tests (`promtool test rules`), and the rules and the Grafana dashboard name only
 * metrics that /metrics serves.
 */
import assert from "node:assert/strict";
import { METRIC_NAMES } from "../../src/http/metrics.ts";

const CONF = new URL("../../conf/", import.meta.url).pathname;

async function promtool(...args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("promtool", { args, cwd: CONF, stdin: "null" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "promtool is not installed: run `bash scripts/setup.sh --system` (Debian package prometheus)",
      );
    }
    throw error;
  }
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `promtool ${args.join(" ")}:\n${text}`);
  return text;
}

/** `xenon_*` names in a text; counters' `_total` is part of their name already. */
function metricsNamedIn(text: string): Set<string> {
  return new Set(text.match(/\bxenon_[a-z_]+\b/g) ?? []);
}

Deno.test("conf/alerts.yml passes promtool check rules and its unit tests", async () => {
  assert.match(await promtool("check", "rules", "alerts.yml"), /SUCCESS: \d+ rules found/);
  assert.match(await promtool("test", "rules", "alerts_test.yml"), /SUCCESS/);
});

Deno.test("conf/alerts.yml and conf/grafana-dashboard.json name only metrics /metrics serves", async () => {
  const known = new Set(METRIC_NAMES);
  for (const file of ["alerts.yml", "grafana-dashboard.json"]) {
    const text = await Deno.readTextFile(`${CONF}${file}`);
    const named = metricsNamedIn(text);
    assert.ok(named.size > 5, `${file} names xenon metrics`);
    const unknown = [...named].filter((name) => !known.has(name));
    assert.deepEqual(unknown, [], `${file} names metrics /metrics does not serve`);
  }
  const dashboard = JSON.parse(await Deno.readTextFile(`${CONF}grafana-dashboard.json`));
  const exprs = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets);
  assert.ok(exprs.every((t: { expr: string }) => t.expr.length > 0), "every panel has queries");
});
