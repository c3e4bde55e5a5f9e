/**
 * Replication control: follow a leader with GTID auto-positioning, start/stop threads, forget
 * the source, and catch up (wait until the received relay log is applied, with a deadline).
 */
import type { MysqlHandle } from "./handle.ts";
import { assertNoAcksPending } from "./semisync.ts";
import { type MysqlStatus, readStatus } from "./status.ts";
import {
  changeSource,
  resetReplicaAll,
  semiSyncReplica,
  type SourceTarget,
  startIoThread,
  startReplica,
  stopIoThread,
  stopReplica,
  waitForPosition,
} from "./sql.ts";

/**
 * Makes this server replicate from `target`: stop, point, enable the semi-sync replica role,
 * start. On MariaDB a former primary (its own writes ahead of `gtid_slave_pos`) resumes from
 * `current_pos`, anything else from `slave_pos`, unless `target.useGtid` says otherwise.
 */
export async function changeMaster(db: MysqlHandle, target: SourceTarget): Promise<void> {
  const { session, flavor } = db;
  // The replica role turns the primary side of semi-sync off (semiSyncReplica below).
  await assertNoAcksPending(db, "replicate from another server");
  await session.exec(stopReplica(flavor));
  let useGtid = target.useGtid;
  if (flavor.gtid === "mariadb" && useGtid === undefined) {
    const own = await readStatus(db);
    useGtid = own.positions.executed !== own.positions.slave ? "current_pos" : "slave_pos";
  }
  await session.exec([
    changeSource(flavor, { ...target, useGtid }),
    ...semiSyncReplica(flavor, target.semiSyncAck ?? true),
    startReplica(flavor),
  ]);
}

/** `START SLAVE` / `START REPLICA`. */
export async function startReplication(db: MysqlHandle): Promise<void> {
  await db.session.exec(startReplica(db.flavor));
}

/** `STOP SLAVE` / `STOP REPLICA`. */
export async function stopReplication(db: MysqlHandle): Promise<void> {
  await db.session.exec(stopReplica(db.flavor));
}

/** Starts only the IO thread (receiving), e.g. after a vote froze it. */
export async function startIo(db: MysqlHandle): Promise<void> {
  await db.session.exec(startIoThread(db.flavor));
}

/** Stops only the IO thread: freezes what was received so positions can be compared. */
export async function stopIo(db: MysqlHandle): Promise<void> {
  await db.session.exec(stopIoThread(db.flavor));
}

/** Stops replication and forgets the source (a new leader has none). */
export async function resetReplica(db: MysqlHandle): Promise<void> {
  await db.session.exec([stopReplica(db.flavor), resetReplicaAll(db.flavor)]);
}

/** How a catch-up ended. */
export interface CatchUpResult {
  /** True when everything received was applied before the deadline. */
  reached: boolean;
  /** The received position that was waited for ("" when the server is not a replica). */
  position: string;
  waitedMs: number;
  /** Why it was not reached, one line. */
  reason?: string;
}

/**
 * Waits until the SQL thread has applied everything the IO thread received, at most
 * `deadlineMs` (`MASTER_GTID_WAIT` / `WAIT_FOR_EXECUTED_GTID_SET` with a timeout; the statement
 * is killed if the server overruns). Never waits forever. With `onProgress` it waits in slices of
 * `reportEveryMs` and shows the server's status between them; a false answer ends the wait.
 */
export async function catchUp(
  db: MysqlHandle,
  options: {
    deadlineMs: number;
    reportEveryMs?: number;
    onProgress?(status: MysqlStatus): boolean;
  },
): Promise<CatchUpResult> {
  const started = performance.now();
  let status = await readStatus(db);
  const position = status.replica?.received ?? "";
  if (position === "") return { reached: true, position, waitedMs: 0 };
  const slice = Math.min(options.reportEveryMs ?? options.deadlineMs, options.deadlineMs);
  const waited = () => Math.round(performance.now() - started);
  // Each pass waits a slice (MySQL 5.7: at least 1 s), so the count bounds it as the deadline does.
  const passes = Math.ceil(options.deadlineMs / slice);
  for (let pass = 0; pass < passes; pass++) {
    const left = options.deadlineMs - (performance.now() - started);
    if (left <= 0) break;
    const waitMs = Math.min(slice, left);
    const rows = await db.session.query(
      waitForPosition(db.flavor, position, waitMs / 1000),
      { timeoutMs: waitMs + 2000 },
    );
    if (Number(rows[0]?.rc) === 0) return { reached: true, position, waitedMs: waited() };
    if (options.onProgress === undefined) continue;
    status = await readStatus(db);
    if (!options.onProgress(status)) {
      return { reached: false, position, waitedMs: waited(), reason: "no longer needed" };
    }
  }
  const sqlStopped = status.replica && !status.replica.sqlRunning;
  return {
    reached: false,
    position,
    waitedMs: waited(),
    reason: `relay log not applied up to ${position} within ${options.deadlineMs} ms` +
      (sqlStopped ? " (the SQL thread is stopped)" : ""),
  };
}
