import type { LeafSpec } from "../spec.ts";

export const ROLE_OPTION = {
  flags: "-r, --role <role>",
  description: "start as LEADER, FOLLOWER or IDLE instead of what the config and peers.json say",
};

/** `xenon serve`: the daemon. Also reached as `xenon -c FILE [-r ROLE]`, the original's bin/xenon. */
export const serveCommand: LeafSpec = {
  usage: "serve",
  description: "run the xenon daemon for the local MySQL (what the original's bin/xenon did)",
  options: [ROLE_OPTION],
};
