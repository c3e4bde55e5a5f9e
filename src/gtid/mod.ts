/**
 * Replication positions for both flavors. The election takes a comparator from `comparatorFor`;
 * the MySQL layer uses the set operations and errant checks.
 *
 * What to feed them: on MySQL `@@gtid_executed` (`Executed_Gtid_Set`); on MariaDB
 * `@@gtid_current_pos`, the last GTID per domain whether written locally or replicated.
 */
import { mariadbComparator } from "./mariadb.ts";
import { mysqlComparator } from "./mysql.ts";
import type { PositionComparator, PositionFlavor } from "./types.ts";

export type { Comparison, PositionComparator, PositionFlavor } from "./types.ts";
export { PositionError } from "./errors.ts";
export { type Extra, extraOf } from "./extra.ts";
export {
  compareGtidSets,
  count,
  EMPTY_GTID_SET,
  equal,
  errantGtids,
  formatGtidSet,
  type GtidSet,
  intersect,
  type Interval,
  isSubset,
  mysqlComparator,
  parseGtidSet,
  subtract,
  union,
} from "./mysql.ts";
export {
  compareMariadbPositions,
  type DomainRelation,
  domainRelations,
  type ErrantDomain,
  errantDomains,
  formatGtid,
  formatMariadbPosition,
  mariadbComparator,
  type MariadbGtid,
  type MariadbPosition,
  parseMariadbPosition,
} from "./mariadb.ts";

export function comparatorFor(flavor: PositionFlavor): PositionComparator {
  return flavor === "mysql" ? mysqlComparator : mariadbComparator;
}
