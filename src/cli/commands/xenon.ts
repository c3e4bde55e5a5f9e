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

/** `xenon sandbox ...`: a local cluster to try xenon on one machine. */
export const sandboxCommands: GroupSpec = {
  name: "sandbox",
  description: "a local MariaDB cluster run by xenon, to try it on one machine",
  commands: [
    {
      usage: "up",
      description: "create and start N MariaDB instances with N agents, and show the cluster",
      options: [
        { flags: "--nodes <n>", description: "number of nodes", defaultValue: "3" },
        { flags: "--dir <dir>", description: "where the sandbox lives", defaultValue: ".sandbox" },
      ],
    },
    { usage: "status", description: "the sandbox cluster's status" },
    {
      usage: "kill-primary",
      description: "kill the leader's mysqld and show the failover as it happens",
    },
    {
      usage: "write",
      description: "write through the current leader and report acknowledged and lost writes",
    },
    { usage: "down", description: "stop and remove everything the sandbox made" },
  ],
};
