/**
 * What one position holds that another lacks, in either flavor: the errant-transaction check
 * (a replica against its leader) and the failover loss verdict (the old leader against the new)
 * ask the same question and format the answer each in its own words.
 */
import { type ErrantDomain, errantDomains, parseMariadbPosition } from "./mariadb.ts";
import { errantGtids, type GtidSet, parseGtidSet } from "./mysql.ts";
import type { PositionFlavor } from "./types.ts";

/** MySQL: the transactions themselves; MariaDB: the domains in which `a` is ahead or diverged. */
export type Extra =
  | { readonly flavor: "mysql"; readonly gtids: GtidSet }
  | { readonly flavor: "mariadb"; readonly domains: readonly ErrantDomain[] };

/** What position `a` has that `b` lacks. Throws PositionError on malformed text. */
export function extraOf(flavor: PositionFlavor, a: string, b: string): Extra {
  return flavor === "mysql"
    ? { flavor, gtids: errantGtids(parseGtidSet(a), parseGtidSet(b)) }
    : { flavor, domains: errantDomains(parseMariadbPosition(a), parseMariadbPosition(b)) };
}
