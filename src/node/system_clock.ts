/** The daemon's clock: performance.now() (monotonic), Date.now() and the runtime's timers. */
import type { Clock, Timer } from "../ports/mod.ts";

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  after(ms: number, run: () => void): Timer {
    const id = setTimeout(run, ms);
    return { cancel: () => clearTimeout(id) };
  },
  every(ms: number, run: () => void): Timer {
    const id = setInterval(run, ms);
    return { cancel: () => clearInterval(id) };
  },
};
