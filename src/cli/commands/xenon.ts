import { action } from "../action.ts";
import type { GroupSpec } from "../spec.ts";

/** `xenon xenon ping`: the liveness probe the Kubernetes operator runs. */
export const xenonCommands: GroupSpec = {
  name: "xenon",
  description: "the xenon daemon itself",
  commands: [{
    usage: "ping",
    description: "check that the daemon answers (exit 0) or not (exit 1)",
    run: action({ method: "ServerRPC.Ping", what: "ping" }),
  }],
};

/** `xenon perf quickstack [json]`: the original's stack sampler. */
export const perfCommands: GroupSpec = {
  name: "perf",
  description: "performance diagnostics of the local mysqld",
  commands: [{
    usage: "quickstack [json]",
    description: "sample the local mysqld's thread stacks",
  }],
};

/** `xenon sandbox ...` lives in its own file. */
export { sandboxCommands } from "./sandbox.ts";
