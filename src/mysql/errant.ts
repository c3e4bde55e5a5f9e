/**
 * Errant transactions: what this server executed that the leader never had (a write on a
 * replica, a briefly promoted node, an old primary's unreplicated tail). Such a node must not
 * simply follow the leader, nor be elected (reliability.md §2.5).
 */
import { extraOf, formatGtid, formatGtidSet } from "../gtid/mod.ts";
import type { Flavor } from "./flavor.ts";
import type { MysqlHandle } from "./handle.ts";
import { readStatus } from "./status.ts";

/** The verdict, with a one-line explanation. */
export interface ErrantCheck {
  errant: boolean;
  /** "" when clean; else what is extra, e.g. "domain 0: 0-2-6 vs leader 0-1-5 (diverged)". */
  detail: string;
}

/**
 * Compares executed positions (MySQL `gtid_executed`, MariaDB `gtid_current_pos`). Throws
 * PositionError on malformed text.
 */
export function findErrant(flavor: Flavor, local: string, leader: string): ErrantCheck {
  const extra = extraOf(flavor.gtid, local, leader);
  if (extra.flavor === "mysql") {
    const gtids = formatGtidSet(extra.gtids);
    return { errant: gtids !== "", detail: gtids === "" ? "" : `extra GTIDs ${gtids}` };
  }
  const detail = extra.domains.map((d) =>
    `domain ${d.domain}: ${formatGtid(d.replica)} vs leader ${
      d.leader ? formatGtid(d.leader) : "(none)"
    } (${d.relation})`
  ).join("; ");
  return { errant: extra.domains.length > 0, detail };
}

/** Reads this server's executed position and checks it against the leader's (live) position. */
export async function checkErrant(db: MysqlHandle, leaderExecuted: string): Promise<ErrantCheck> {
  const own = await readStatus(db);
  return findErrant(db.flavor, own.positions.executed, leaderExecuted);
}
