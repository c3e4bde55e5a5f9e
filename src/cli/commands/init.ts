import type { LeafSpec } from "../spec.ts";

/** `xenon init`: writes this host's address, replication user and VIP commands into the config. */
export const initCommand: LeafSpec = {
  usage: "init",
  description: "set this node's endpoint, replication user and VIP commands in the config file",
  options: [
    { flags: "--address <ip>", description: "this host's IP address (the endpoint's host)" },
    { flags: "--port <port>", description: "the endpoint's port" },
    { flags: "--vip <ip>", description: "the virtual IP the leader holds" },
    { flags: "--repluser <user>", description: "replication user" },
    { flags: "--replpwd <password>", description: "replication password" },
  ],
};
