/**
 * Semi-sync settings. A leader waits for K = voters − majority acknowledgements (reliability.md
 * §2.3): then every acknowledged write is on a node of every electing majority, and an isolated
 * old primary cannot commit once the majority stops acking.
 */
import { semiSyncWaitCount } from "../lib/quorum.ts";
import { AcksPendingError, MysqlInputError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import type { MysqlSession } from "./session.ts";
import type { Flavor } from "./flavor.ts";
import {
  semiSyncLeader,
  semiSyncLeaderStatus,
  semiSyncReplica,
  semiSyncWaitSessions,
} from "./sql.ts";

/** Acknowledgements a leader must wait for with `voters` voters (lib/quorum.ts), checked. */
export function requiredAcks(voters: number): number {
  if (!Number.isSafeInteger(voters) || voters < 1) {
    throw new MysqlInputError(`voter count must be a positive integer, got ${voters}`);
  }
  return semiSyncWaitCount(voters);
}

/** Acknowledgements the server will wait for with `voters` voters (MariaDB can wait for one). */
export function appliedWaitCount(flavor: Flavor, voters: number): number {
  const required = requiredAcks(voters);
  return flavor.waitCountVariable ? required : Math.min(required, 1);
}

/** What a leader's semi-sync was set to. */
export interface LeaderSemiSync {
  /** Acknowledgements needed for the guarantee. */
  required: number;
  /** Acknowledgements the server will wait for (MariaDB can wait for one only). */
  applied: number;
  /** One line when the server cannot wait for as many as required. */
  shortfall?: string;
}

/** Sets the leader's semi-sync for `voters` voters (AFTER_SYNC, infinite timeout, K acks). */
export async function setLeaderSemiSync(
  db: MysqlHandle,
  options: { voters: number },
): Promise<LeaderSemiSync> {
  const required = requiredAcks(options.voters);
  const applied = appliedWaitCount(db.flavor, options.voters);
  await db.session.exec(semiSyncLeader(db.flavor, applied));
  if (applied === required) return { required, applied };
  return {
    required,
    applied,
    shortfall: `${db.flavor.label} waits for 1 acknowledgement but ${options.voters} voters ` +
      `need ${required}: acknowledged writes can be lost; run at most 4 voters`,
  };
}

/** A leader's semi-sync as the server reports it. */
export interface LeaderSemiSyncStatus {
  /** Rpl_semi_sync_master_status: commits wait for acknowledgements. */
  acking: boolean;
  /** Replicas connected as semi-sync replicas. */
  clients: number;
  /** Sessions waiting for an acknowledgement now. */
  waiting: number;
}

export async function readLeaderSemiSync(db: MysqlHandle): Promise<LeaderSemiSyncStatus> {
  const rows = await db.session.query(semiSyncLeaderStatus(db.flavor));
  const value = (suffix: string) => {
    const row = rows.find((r) => String(Object.values(r)[0]).toLowerCase().endsWith(suffix));
    return String(row ? Object.values(row)[1] : "");
  };
  return {
    acking: value("_status").toUpperCase() === "ON",
    clients: Number(value("_clients") || 0),
    waiting: Number(value("_wait_sessions") || 0),
  };
}

/** Sessions now waiting for a semi-sync acknowledgement (0 when semi-sync is not loaded). */
export async function semiSyncWaiters(
  session: MysqlSession,
  flavor: Flavor,
  options: { timeoutMs?: number } = {},
): Promise<number> {
  const rows = await session.query(semiSyncWaitSessions(flavor), options);
  return rows.length === 0 ? 0 : Number(Object.values(rows[0])[1] ?? 0);
}

/**
 * Throws AcksPendingError when sessions wait for acknowledgements: turning the primary side of
 * semi-sync off now would acknowledge their writes on this server alone.
 */
export async function assertNoAcksPending(db: MysqlHandle, doing: string): Promise<void> {
  const waiting = await semiSyncWaiters(db.session, db.flavor);
  if (waiting > 0) {
    throw new AcksPendingError(
      `refusing to ${doing} on ${db.session.where}: ${waiting} sessions wait for semi-sync ` +
        `acknowledgements that only this server has; it must be stopped hard first`,
      waiting,
    );
  }
}

/** Sets the replica role: acknowledge the leader, never wait as a primary. */
export async function setReplicaSemiSync(db: MysqlHandle): Promise<void> {
  await assertNoAcksPending(db, "turn semi-sync off");
  await db.session.exec(semiSyncReplica(db.flavor));
}
