/**
 * The agents' log lines are not wanted in the simulator (its trace has what matters, and a
 * record per effect costs more than the effect): the `xenon` loggers get no sink.
 */
import { configureSync } from "@logtape/logtape";

let silenced = false;

export function silenceLogging(): void {
  if (silenced) return;
  silenced = true;
  configureSync({
    reset: true,
    sinks: {},
    loggers: [
      { category: ["xenon"], lowestLevel: null, sinks: [] },
      { category: ["logtape", "meta"], lowestLevel: null, sinks: [] },
    ],
  });
}
