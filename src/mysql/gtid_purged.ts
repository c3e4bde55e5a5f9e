/**
 * `replication.gtid-purged`: the GTID position of the backup a node was restored from (the
 * Kubernetes operator's sidecar copies it from `xtrabackup_binlog_info`). A restored server has
 * the data but an empty binlog, so without it the node would replicate from the first
 * transaction again. As the original, it is applied at start on a server that has no GTID state
 * yet: MySQL `RESET MASTER` + `SET GLOBAL gtid_purged` (super_read_only lifted for those two
 * statements only: it refuses writes to mysql.gtid_executed); MariaDB `SET GLOBAL gtid_slave_pos`
 * (replication then resumes from it with MASTER_USE_GTID). A server whose GTID state already
 * covers the value was set up before: nothing to do. Any other GTID state is refused, loudly:
 * RESET MASTER there would throw history away.
 */
import { comparatorFor } from "../gtid/mod.ts";
import { ConfigError } from "../lib/errors.ts";
import { literal } from "./escape.ts";
import type { Flavor, ServerVersion } from "./flavor.ts";
import type { MysqlHandle } from "./handle.ts";
import { execWithSuperReadOnlyLifted } from "./read_only.ts";
import { positions, withSuperReadOnlyLifted } from "./sql.ts";

/**
 * The statements that make a server with no GTID state start from `gtid`. `resetBinaryLogs`:
 * the server is MySQL 8.2+, where RESET MASTER is deprecated (removed in 8.4) for RESET BINARY
 * LOGS AND GTIDS (MySQL 8.4 manual, 15.4.1.2 "RESET BINARY LOGS AND GTIDS Statement").
 */
export function gtidPurgedStatements(f: Flavor, gtid: string, resetBinaryLogs = false): string[] {
  if (f.gtid === "mariadb") return [`SET GLOBAL gtid_slave_pos = ${literal(gtid)}`];
  return withSuperReadOnlyLifted(f, mysqlReset(gtid, resetBinaryLogs));
}

function mysqlReset(gtid: string, resetBinaryLogs: boolean): string[] {
  return [
    resetBinaryLogs ? "RESET BINARY LOGS AND GTIDS" : "RESET MASTER",
    `SET GLOBAL gtid_purged = ${literal(gtid)}`,
  ];
}

/** Whether the server is MySQL 8.2 or later, where RESET BINARY LOGS AND GTIDS replaces RESET MASTER. */
export function resetsBinaryLogs(v: ServerVersion | undefined): boolean {
  return v !== undefined && v.family === "mysql80" && v.major * 100 + v.minor >= 802;
}

export type GtidPurgedOutcome = "applied" | "already";

/** The server's GTID state: executed (MySQL) or current, binlog and replica positions (MariaDB). */
async function gtidState(db: MysqlHandle): Promise<{ current: string; empty: boolean }> {
  const [row] = await db.session.query(positions(db.flavor));
  const text = (key: string) => String(row?.[key] ?? "").trim();
  if (db.flavor.gtid === "mariadb") {
    const current = text("current_pos");
    return { current, empty: !current && !text("binlog_pos") && !text("slave_pos") };
  }
  const current = text("executed");
  return { current, empty: current === "" };
}

/**
 * Applies `gtid` (non-empty) as described above.
 *
 * @throws ConfigError naming the key when the server already holds other GTIDs.
 */
export async function applyGtidPurged(db: MysqlHandle, gtid: string): Promise<GtidPurgedOutcome> {
  const wanted = gtid.replace(/\s+/g, "");
  const state = await gtidState(db);
  if (state.empty) {
    if (db.flavor.gtid === "mariadb") {
      await db.session.exec(gtidPurgedStatements(db.flavor, wanted));
    } else await execWithSuperReadOnlyLifted(db, mysqlReset(wanted, resetsBinaryLogs(db.version)));
    return "applied";
  }
  const relation = comparatorFor(db.flavor.gtid).compare(state.current, wanted);
  if (relation === "equal" || relation === "ahead") return "already";
  throw new ConfigError(
    `replication.gtid-purged ${wanted} cannot be applied: this server already has GTIDs ` +
      `(${state.current}) that do not include it, so it is not a freshly restored server; ` +
      `remove replication.gtid-purged from the config, or restore this node again`,
  );
}
