/**
 * Semi-sync settings. A leader waits for K = voters − majority acknowledgements (reliability.md
 * §2.3): then every acknowledged write is on a node of every electing majority, and an isolated
 * old primary cannot commit once the majority stops acking.
 */
import { MysqlInputError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import { semiSyncLeader, semiSyncReplica } from "./sql.ts";

/** Majority of `voters`: ⌊N/2⌋ + 1. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** Acknowledgements a leader must wait for with `voters` voters: N − (⌊N/2⌋ + 1). */
export function semiSyncWaitCount(voters: number): number {
  if (!Number.isSafeInteger(voters) || voters < 1) {
    throw new MysqlInputError(`voter count must be a positive integer, got ${voters}`);
  }
  return voters - majority(voters);
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
  const required = semiSyncWaitCount(options.voters);
  const applied = db.flavor.waitCountVariable ? required : Math.min(required, 1);
  await db.session.exec(semiSyncLeader(db.flavor, applied));
  if (applied === required) return { required, applied };
  return {
    required,
    applied,
    shortfall: `${db.flavor.label} waits for 1 acknowledgement but ${options.voters} voters ` +
      `need ${required}: acknowledged writes can be lost; run at most 4 voters`,
  };
}

/** Sets the replica role: acknowledge the leader, never wait as a primary. */
export async function setReplicaSemiSync(db: MysqlHandle): Promise<void> {
  await db.session.exec(semiSyncReplica(db.flavor));
}
