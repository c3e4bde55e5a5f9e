/** Bounded waiting (shared with the sandbox): kept here for tests that import it from the harness. */
export { settleWithin, sleep, waitFor } from "../../src/sandbox/wait.ts";
