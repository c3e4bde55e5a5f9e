/**
 * The loss verdict of a failover: what the old leader had that the new leader lacks, computed
 * from their positions with `src/gtid` (never by parsing GTIDs here).
 */
import {
  count,
  type ErrantDomain,
  extraOf,
  formatGtid,
  formatGtidSet,
  type GtidSet,
  type PositionFlavor,
} from "../gtid/mod.ts";
import { oneLine } from "../lib/errors.ts";
import type { LossVerdict } from "./record.ts";

/** Longest `missing` text kept in a record; longer sets are cut with a note. */
const MISSING_LIMIT = 4096;

export function lossVerdict(
  flavor: PositionFlavor,
  oldLeaderPosition: string | null,
  newLeaderPosition: string,
): LossVerdict {
  if (oldLeaderPosition === null) {
    return {
      lost: null,
      missing: "",
      text: "unknown: the old leader's position was not known at promotion",
    };
  }
  try {
    const missing = extraOf(flavor, oldLeaderPosition, newLeaderPosition);
    return missing.flavor === "mysql"
      ? mysqlVerdict(missing.gtids)
      : mariadbVerdict(missing.domains);
  } catch (error) {
    return { lost: null, missing: "", text: `unknown: ${oneLine(error)}` };
  }
}

function mysqlVerdict(missing: GtidSet): LossVerdict {
  const lost = Number(count(missing));
  if (lost === 0) return { lost, missing: "", text: "0 transactions lost" };
  const set = cut(formatGtidSet(missing));
  return { lost, missing: set, text: `${plural(lost)} lost: ${set}` };
}

/**
 * MariaDB positions name only the last GTID per domain, so the count is the seq_no distance
 * (exact with gtid_strict_mode, where seq_no grows by one per transaction in a domain).
 */
function mariadbVerdict(errant: readonly ErrantDomain[]): LossVerdict {
  if (errant.length === 0) return { lost: 0, missing: "", text: "0 transactions lost" };
  let lost = 0;
  const parts = errant.map((e) => {
    const newer = e.leader ? formatGtid(e.leader) : "nothing";
    if (e.relation === "diverged") {
      lost += 1;
      return `domain ${e.domain} diverged (old leader ${formatGtid(e.replica)}, new ${newer})`;
    }
    const n = Number(e.replica.seq - (e.leader?.seq ?? 0n));
    lost += n;
    return `domain ${e.domain} ${plural(n)} (old leader ${formatGtid(e.replica)}, new ${newer})`;
  });
  const missing = cut(parts.join("; "));
  const atLeast = errant.some((e) => e.relation === "diverged") ? "at least " : "";
  return { lost, missing, text: `${atLeast}${plural(lost)} lost: ${missing}` };
}

function plural(n: number): string {
  return n === 1 ? "1 transaction" : `${n} transactions`;
}

function cut(text: string): string {
  return text.length > MISSING_LIMIT ? `${text.slice(0, MISSING_LIMIT)}… (cut)` : text;
}
