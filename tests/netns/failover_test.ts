/**
 * The CI set of the fault scenarios (scenarios.ts) on hosts in network namespaces, each on a
 * fresh cluster under write load through the VIP (4 writers) with 50 ms probes per node; each
 * prints its figures in one line. The rest, and random mixes, run in `deno task soak`.
 */
import { runNetnsScenario } from "./scenario.ts";
import { CI_SCENARIOS, SCENARIOS } from "./scenarios.ts";

for (const id of CI_SCENARIOS) {
  const scenario = SCENARIOS[id];
  Deno.test(scenario.name, async () => {
    await runNetnsScenario(scenario);
  });
}
