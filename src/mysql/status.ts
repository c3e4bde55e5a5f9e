/**
 * What a node reports about its server: alive, read-only, replication threads, lag, errors and
 * positions. Read with three statements on one session; `ping` turns failures into `alive: false`.
 */
import { oneLine } from "../lib/errors.ts";
import type { Flavor } from "./flavor.ts";
import { openMysql } from "./handle.ts";
import type { MysqlHandle } from "./handle.ts";
import type { MysqlConnectionOptions, Row } from "./session.ts";
import { relayBacklogBytes, relayBacklogTransactions } from "./backlog.ts";
import { positions, replicaStatus, serverState } from "./sql.ts";

/** The replication threads, when the server has a source configured. */
export interface ReplicaState {
  ioRunning: boolean;
  sqlRunning: boolean;
  /** `Slave_IO_Running` as printed: Yes, No or Connecting. */
  ioText: string;
  sourceHost: string;
  sourcePort: number;
  /** Null when the SQL thread is not running (the server's NULL). */
  secondsBehind: number | null;
  lastIoError: string;
  lastSqlError: string;
  /** `Relay_Master_Log_File`: the source's binlog the SQL thread is executing (for purging). */
  relaySourceLogFile: string;
  /** What the IO thread received: MariaDB `Gtid_IO_Pos`, MySQL `Retrieved_Gtid_Set`. */
  received: string;
  /** `Master_Log_File` / `Source_Log_File` and `Read_Master_Log_Pos` (what the IO thread read). */
  sourceLogFile: string;
  readSourceLogPos: number | null;
  /** Received but not applied, in source binlog bytes; null when not known (see backlog.ts). */
  backlogBytes: number | null;
  /** Received but not applied, in transactions; null when not known. */
  backlogTransactions: number | null;
}

/** Positions in the flavor's text form (see src/gtid). */
export interface Positions {
  /** Everything applied: MariaDB `gtid_current_pos`, MySQL `gtid_executed`. */
  executed: string;
  /** MariaDB `gtid_binlog_pos` / MySQL "" . */
  binlog: string;
  /** MariaDB `gtid_slave_pos` / MySQL `gtid_purged`. */
  slave: string;
}

/** One status sample. */
export interface MysqlStatus {
  version: string;
  serverId: number;
  readOnly: boolean;
  /** MySQL only; always false on MariaDB. */
  superReadOnly: boolean;
  replica: ReplicaState | null;
  positions: Positions;
}

/** Reads the status of the server behind `db`. Throws MysqlError on any failure. */
export async function readStatus(db: MysqlHandle): Promise<MysqlStatus> {
  const { session, flavor } = db;
  const [state] = await session.query(serverState(flavor));
  const [replicaRow] = await session.query(replicaStatus(flavor));
  const [pos] = await session.query(positions(flavor));
  const executed = gtid(flavor.gtid === "mariadb" ? pos.current_pos : pos.executed);
  return {
    version: text(state.version),
    serverId: Number(state.server_id),
    readOnly: flag(state.read_only),
    superReadOnly: flavor.superReadOnly && flag(state.super_read_only),
    replica: replicaRow ? replicaState(flavor, replicaRow, executed) : null,
    positions: flavor.gtid === "mariadb"
      ? {
        executed: gtid(pos.current_pos),
        binlog: gtid(pos.binlog_pos),
        slave: gtid(pos.slave_pos),
      }
      : { executed: gtid(pos.executed), binlog: "", slave: gtid(pos.purged) },
  };
}

/** `readStatus` that never throws: the result says whether the server answered and why not. */
export async function ping(
  options: MysqlConnectionOptions,
  config: { version?: string } = {},
): Promise<{ alive: true; status: MysqlStatus } | { alive: false; error: string }> {
  try {
    await using db = await openMysql(options, config);
    return { alive: true, status: await readStatus(db) };
  } catch (error) {
    return { alive: false, error: oneLine(error) };
  }
}

function replicaState(f: Flavor, row: Row, executed: string): ReplicaState {
  const c = f.columns;
  const ioText = text(row[c.ioRunning]);
  const lag = row[c.secondsBehind];
  const received = gtid(f.gtid === "mariadb" ? row.Gtid_IO_Pos : row.Retrieved_Gtid_Set);
  const coordinates = {
    sourceLogFile: text(row[c.sourceLogFile]),
    readPos: position(row[c.readSourceLogPos]),
    relaySourceLogFile: text(row[c.relaySourceLogFile]),
    execPos: position(row[c.execSourceLogPos]),
    // Named alike in SHOW SLAVE STATUS and SHOW REPLICA STATUS, on every flavor.
    relayLogPos: position(row.Relay_Log_Pos),
    relayLogSpace: position(row.Relay_Log_Space),
  };
  const backlogBytes = relayBacklogBytes(coordinates);
  return {
    ioRunning: ioText === "Yes",
    sqlRunning: text(row[c.sqlRunning]) === "Yes",
    ioText,
    sourceHost: text(row[c.sourceHost]),
    sourcePort: Number(row[c.sourcePort] ?? 0),
    secondsBehind: lag === null || lag === undefined ? null : Number(lag),
    lastIoError: text(row.Last_IO_Error),
    lastSqlError: text(row.Last_SQL_Error),
    relaySourceLogFile: coordinates.relaySourceLogFile,
    received,
    sourceLogFile: coordinates.sourceLogFile,
    readSourceLogPos: coordinates.readPos,
    backlogBytes,
    // Nothing received yet (a fresh replica, or one idle since it connected) says nothing about
    // a backlog by GTID; the coordinates still show whether the SQL thread executed all it read.
    backlogTransactions: received === ""
      ? (backlogBytes === 0 ? 0 : null)
      : relayBacklogTransactions(f.gtid, received, executed),
  };
}

function position(value: unknown): number | null {
  const n = Number(value);
  return value === null || value === undefined || value === "" || !Number.isFinite(n) ? null : n;
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/** MySQL prints GTID sets with a newline after each comma. */
function gtid(value: unknown): string {
  return text(value).replace(/\s+/g, "");
}

function flag(value: unknown): boolean {
  return value === 1 || value === "1" || value === true || value === "ON";
}
