/**
 * The local server made safe before the election starts: read-only by a fence, restored GTIDs
 * applied, the replication user there.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import {
  applyGtidPurged,
  ensureReplicationUser,
  fence,
  MysqlError,
  type MysqlHandle,
} from "../mysql/mod.ts";
import type { LocalMysql } from "./local_mysql.ts";
import { waitForMysql } from "./wait_mysql.ts";

/**
 * A fence, not a plain read_only: after a SIGKILLed agent, commits may still wait for semi-sync
 * acks and SET GLOBAL read_only would wait for them; those need `hardStop`, then MySQL again.
 * So does whatever else keeps it from fencing (clients holding every connection, so the ones
 * blocking read_only cannot be ended): MySQL may still take writes, and a failed fence at run
 * time stops it hard too (local_fence.ts), rather than leave it writable without an agent.
 */
export async function fenceAtStartup(
  link: LocalMysql,
  hardStop: (reason: string) => Promise<boolean>,
  mysqlWaitMs: number,
): Promise<MysqlHandle> {
  let db = await link.get();
  const fenced = await fence(db, { budgetMs: 2000 }).catch(async (error) => {
    if (!(error instanceof MysqlError) || !await hardStop(oneLine(error))) throw error;
    await waitForMysql(link, mysqlWaitMs);
    db = await link.get();
    return await fence(db, { budgetMs: 2000 });
  });
  log("node").info`read-only at startup (${fenced.killed.length} client connections ended)`;
  return db;
}

/** `replication.gtid-purged` on a restored server, and the replication user if missing. */
export async function prepareReplication(db: MysqlHandle, config: XenonConfig): Promise<void> {
  const logger = log("node");
  // Before anything else can write a GTID: a restored server is recognised by having none.
  if (config.replication.gtidPurged.trim() !== "") {
    const outcome = await applyGtidPurged(db, config.replication.gtidPurged);
    logger.info`replication.gtid-purged ${config.replication.gtidPurged.trim()}: ${
      outcome === "applied"
        ? "applied to this freshly restored server; replication resumes after it"
        : "already in this server's GTIDs"
    }`;
  }
  if (
    await ensureReplicationUser(db, {
      user: config.replication.user,
      password: config.replication.passwd,
    })
  ) logger.info`created replication user '${config.replication.user}'@'%'`;
}
