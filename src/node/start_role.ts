/** `-r ROLE` (the original's start role): parsed at startup, applied once the election runs. */
import { ConfigError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type { XenonNode } from "./node.ts";
import type { MysqlPoller } from "./poller.ts";

export type StartRole = "LEADER" | "FOLLOWER" | "IDLE";

/** Parses `-r`; one line naming the choices otherwise. */
export function parseRole(role: string | undefined): StartRole | undefined {
  if (role === undefined || role === "") return undefined;
  const r = role.trim().toUpperCase();
  if (r === "LEADER" || r === "FOLLOWER" || r === "IDLE") return r;
  throw new ConfigError(`-r ${role}: expected LEADER, FOLLOWER or IDLE`);
}

/** `-r`: IDLE disables the election here; LEADER campaigns at once, through every check. */
export async function applyStartRole(
  node: XenonNode,
  poller: MysqlPoller,
  role: StartRole | undefined,
): Promise<void> {
  const logger = log("node");
  if (role === "IDLE") {
    const r = await node.admin({ kind: "disable" });
    logger.info`-r IDLE: ${r.reason}`;
  } else if (role === "LEADER") {
    logger.info`-r LEADER: campaigning now (raft trytoleader); votes still check the data`;
    // The campaign needs a MySQL sample first; give the poller one round.
    await poller.pollOnce();
    const r = await node.admin({ kind: "tryToLead" });
    logger.info`-r LEADER: ${r.reason}`;
  }
}
