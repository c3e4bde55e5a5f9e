/**
 * Replication positions as the election sees them. The election core compares positions only
 * through a `PositionComparator`, so it never parses GTIDs itself and works for both flavors:
 * MySQL GTID sets (`uuid:1-5:7,uuid2:1-3`) and MariaDB GTID positions (`0-1-42,1-2-7`).
 */

/** How position `a` relates to position `b`. */
export type Comparison =
  /** a holds exactly what b holds. */
  | "equal"
  /** a holds everything b holds, and more. */
  | "ahead"
  /** b holds everything a holds, and more. */
  | "behind"
  /** each holds something the other lacks: different histories. Neither may lead over the other. */
  | "diverged";

export interface PositionComparator {
  /** Compares two positions in this flavor's text form. Throws PositionError on malformed text. */
  compare(a: string, b: string): Comparison;
  /** One short phrase explaining the comparison, for vote reasons (e.g. "0-1-40 is behind 0-1-42"). */
  explain(a: string, b: string): string;
}

/** The two position formats: MySQL GTID sets, MariaDB per-domain GTID positions. */
export type PositionFlavor = "mysql" | "mariadb";
