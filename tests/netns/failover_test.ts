/**
 * The CI set of the fault scenarios (scenarios.ts) on hosts in network namespaces, each on a
 * fresh cluster under write load through the VIP (4 writers) with 50 ms probes per node; each
 * prints its figures in one line. The rest, and random mixes, run in `deno task soak`.
 * XENON_SCENARIOS=F04,F05 runs those instead of the CI set (to try one scenario on its own).
 */
import { runNetnsScenario } from "./scenario.ts";
import { CI_SCENARIOS, SCENARIOS } from "./scenarios.ts";

const chosen = Deno.env.get("XENON_SCENARIOS")?.split(",").map((id) => id.trim());
for (const id of chosen ?? CI_SCENARIOS) {
  const scenario = SCENARIOS[id];
  if (scenario === undefined) {
    throw new Error(`XENON_SCENARIOS: no scenario ${id}; choose from ${Object.keys(SCENARIOS)}`);
  }
  Deno.test(scenario.name, async () => {
    await runNetnsScenario(scenario);
  });
}
