/**
 * How much a replica has received but not applied yet: what a candidate must apply before it may
 * become writable, so what a failover to it would cost on top of detection and election.
 */
import { parseMariadbPosition } from "../gtid/mariadb.ts";
import { count, parseGtidSet, subtract } from "../gtid/mysql.ts";
import type { MysqlHandle } from "./handle.ts";
import { readStatus } from "./status.ts";

/** The replica-status coordinates the byte count comes from (SHOW SLAVE/REPLICA STATUS). */
export interface RelayCoordinates {
  /** `Master_Log_File` / `Source_Log_File`: the source binlog the IO thread reads. */
  sourceLogFile: string;
  /** `Read_Master_Log_Pos` / `Read_Source_Log_Pos`. */
  readPos: number | null;
  /** `Relay_Master_Log_File` / `Relay_Source_Log_File`: the one the SQL thread executes. */
  relaySourceLogFile: string;
  /** `Exec_Master_Log_Pos` / `Exec_Source_Log_Pos`. */
  execPos: number | null;
  /** `Relay_Log_Pos`: where the SQL thread is in the relay log file it executes. */
  relayLogPos: number | null;
  /** `Relay_Log_Space`: the size of all relay log files together. */
  relayLogSpace: number | null;
}

/**
 * Bytes of the source's binlog received and not yet executed: read minus executed while both
 * threads are in the same source binlog file (the usual case for a replica keeping up). When the
 * SQL thread is a file or more behind, the source's file sizes in between are not known here, but
 * the relay logs hold the same events: their size past the SQL thread's position. Relay logs it
 * finished are purged (relay_log_purge), so the one it executes is the oldest left; with purging
 * off, older ones count too: at most this much. Null when nothing can be read.
 */
export function relayBacklogBytes(c: RelayCoordinates): number | null {
  if (c.readPos === null || c.execPos === null || c.sourceLogFile === "") return null;
  if (c.sourceLogFile === c.relaySourceLogFile) return Math.max(0, c.readPos - c.execPos);
  if (c.relayLogSpace === null || c.relayLogPos === null) return null;
  return Math.max(0, c.relayLogSpace - c.relayLogPos);
}

/**
 * Transactions received and not yet executed. MariaDB: per domain, the received sequence number
 * minus the executed one (sequence numbers grow by one per transaction within a domain under
 * gtid_strict_mode). MySQL: the size of the received set less the executed set. Null when the
 * positions cannot be read.
 */
export function relayBacklogTransactions(
  gtid: "mariadb" | "mysql",
  received: string,
  executed: string,
): number | null {
  try {
    if (gtid === "mysql") {
      return Number(count(subtract(parseGtidSet(received), parseGtidSet(executed))));
    }
    const applied = new Map(parseMariadbPosition(executed).map((g) => [g.domain, g.seq]));
    let backlog = 0;
    for (const g of parseMariadbPosition(received)) {
      backlog += Math.max(0, Number(g.seq - (applied.get(g.domain) ?? 0n)));
    }
    return backlog;
  } catch {
    return null;
  }
}

/**
 * A count that grows by one per transaction applied (the apply rate is its growth over time):
 * MariaDB, the sum of the executed sequence numbers over the domains; MySQL, the size of the
 * executed set. Null when the position cannot be read.
 */
export function appliedTransactions(gtid: "mariadb" | "mysql", executed: string): number | null {
  try {
    if (gtid === "mysql") return Number(count(parseGtidSet(executed)));
    return parseMariadbPosition(executed).reduce((sum, g) => sum + Number(g.seq), 0);
  } catch {
    return null;
  }
}

/**
 * The replica's backlog now and its SQL thread's apply rate (transactions per second) over
 * `overMs`, from two status readings: what a failover forecast needs when no poller samples it.
 */
export async function measureApply(
  db: MysqlHandle,
  overMs: number,
): Promise<{ backlogTransactions: number | null; applyRate: number | null }> {
  const gtid = db.flavor.gtid;
  const first = await readStatus(db);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, overMs));
  const last = await readStatus(db);
  const elapsed = performance.now() - started;
  const [a, b] = [first, last].map((s) => appliedTransactions(gtid, s.positions.executed));
  return {
    backlogTransactions: last.replica === null ? 0 : last.replica.backlogTransactions,
    applyRate: a === null || b === null || b < a ? null : ((b - a) * 1000) / elapsed,
  };
}
