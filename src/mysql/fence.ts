/**
 * Fencing a primary that must stop taking writes: read-only, then kill every client connection
 * that is neither a replication thread nor the agent's own, all within a time budget.
 *
 * `SET GLOBAL read_only = 1` waits for sessions holding table locks or open write transactions
 * (MariaDB), so if it has not returned after a short grace the clients are killed first: their
 * transactions roll back and the statement completes.
 *
 * Sessions waiting for a semi-sync acknowledgement are never killed: with binlog group commit one
 * of them waits for the whole group, and killing it lets the group's commits return OK to their
 * clients with no replica holding them (seen on MariaDB 10.11 in the agent-SIGSTOP failover
 * test). `fence` then throws AcksPendingError and the caller must stop the server hard.
 */
import { oneLine } from "../lib/errors.ts";
import { AcksPendingError, MysqlError, MysqlUnavailableError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import { readOnlyExempt } from "./read_only.ts";
import { semiSyncWaiters } from "./semisync.ts";
import { MysqlSession, raceTimeout, type Row } from "./session.ts";
import { killConnection, processList, readOnly, shutdownServer } from "./sql.ts";

/** A killed client thread. */
export interface KilledThread {
  id: number;
  user: string;
  host: string;
  command: string;
  /** Seconds in its current state. */
  time: number;
}

/** How a fence went. */
export interface FenceResult {
  killed: KilledThread[];
  elapsedMs: number;
  /** Accounts read_only does not stop (MariaDB READ ONLY ADMIN holders). */
  exempt: string[];
}

/** Threads that belong to replication or the server itself, never killed. */
const SYSTEM_COMMANDS = new Set([
  "Binlog Dump",
  "Binlog Dump GTID",
  "Slave_IO",
  "Slave_SQL",
  "Slave_worker",
  "Daemon",
  "Killed",
]);
const SYSTEM_USERS = new Set(["system user", "event_scheduler", "unauthenticated user"]);

/** Whether a process-list row is a client connection that fencing must end. */
export function isClientThread(row: Row, keep: ReadonlySet<number>): boolean {
  if (keep.has(Number(row.id))) return false;
  if (SYSTEM_USERS.has(String(row.user ?? ""))) return false;
  return !SYSTEM_COMMANDS.has(String(row.command ?? ""));
}

/**
 * Makes the server read-only and ends client connections, within `budgetMs`. `keepThreadIds`
 * are other agent connections to spare. Throws MysqlError when read-only could not be set in
 * time (the server is then NOT fenced and the caller must escalate).
 *
 * `read_only` goes first, on the session the agent already holds: a server out of connections
 * refuses a new one, and the fence must not depend on it. The second session only lets clients
 * that block `read_only` be killed meanwhile; without it they are ended once it is set.
 */
export async function fence(
  db: MysqlHandle,
  options: { budgetMs: number; keepThreadIds?: readonly number[] },
): Promise<FenceResult> {
  const started = performance.now();
  const left = () => Math.max(1, options.budgetMs - (performance.now() - started));
  const setting = db.session.exec(readOnly(db.flavor, true), { timeoutMs: left() })
    .then(() => null, (error: unknown) => error);
  const opened = await MysqlSession.open({
    ...db.options,
    connectTimeoutMs: Math.min(db.options.connectTimeoutMs ?? 2000, options.budgetMs),
  }).then((session) => ({ session, refused: "" }), (error) => ({
    session: null,
    refused: oneLine(error),
  }));
  await using killer = opened.session;
  const keep = new Set([db.session.threadId, ...(options.keepThreadIds ?? [])]);
  if (killer !== null) keep.add(killer.threadId);
  const killed: KilledThread[] = [];

  // Long enough for healthy replicas to acknowledge what is committing (a switchover).
  const grace = Math.min(250, options.budgetMs / 4);
  if (killer !== null && (await raceTimeout(setting, grace)) === "timeout") {
    await refuseIfAcksPending(killer, db, left);
    killed.push(...await killClients(killer, keep, left));
  }
  const failure = await setting;
  if (failure !== null) {
    const noSpare = killer === null
      ? `; no second connection to end the clients holding it (${opened.refused})`
      : "";
    throw new MysqlError(
      `fence of ${db.session.where} failed: read-only not set within ${options.budgetMs} ms ` +
        `(${oneLine(failure)})${noSpare}`,
      { cause: failure },
    );
  }
  // Clients that connected meanwhile, or never blocked read_only, are ended too; none may be
  // waiting for an acknowledgement (an account exempt from read_only could have started one).
  const admin = killer ?? db.session;
  await refuseIfAcksPending(admin, db, left);
  killed.push(...await killClients(admin, keep, left));
  return {
    killed,
    elapsedMs: Math.round(performance.now() - started),
    exempt: await readOnlyExempt(db),
  };
}

async function refuseIfAcksPending(
  killer: MysqlSession,
  db: MysqlHandle,
  left: () => number,
): Promise<void> {
  const waiting = await semiSyncWaiters(killer, db.flavor, { timeoutMs: left() });
  if (waiting > 0) {
    throw new AcksPendingError(
      `fence of ${db.session.where}: ${waiting} sessions wait for semi-sync acknowledgements; ` +
        `killing them would acknowledge their writes on this server alone, so it must be ` +
        `stopped hard`,
      waiting,
    );
  }
}

async function killClients(
  killer: MysqlSession,
  keep: ReadonlySet<number>,
  left: () => number,
): Promise<KilledThread[]> {
  const rows = await killer.query(processList(), { timeoutMs: left() });
  const out: KilledThread[] = [];
  for (const row of rows.filter((r) => isClientThread(r, keep))) {
    const thread = {
      id: Number(row.id),
      user: String(row.user ?? ""),
      host: String(row.host ?? ""),
      command: String(row.command ?? ""),
      time: Number(row.time ?? 0),
    };
    try {
      await killer.query(killConnection(thread.id), { timeoutMs: left() });
      out.push(thread);
    } catch (error) {
      // 1094: the thread ended by itself in the meantime. 1095: a SYSTEM_USER session (MySQL
      // 8.0.16+) needs SYSTEM_USER to be killed (MySQL 8.0 manual 15.7.8.4 "KILL Statement");
      // super_read_only already stops its writes, so the fence goes on without it.
      const errno = (error as MysqlError).errno;
      if (errno !== 1094 && errno !== 1095) throw error;
    }
  }
  return out;
}

const DUMP_COMMANDS = new Set(["Binlog Dump", "Binlog Dump GTID"]);

/**
 * Ends the binlog dump threads for which `cut(host)` holds and returns their `host:port`. A
 * replica reconnects by itself (MASTER_CONNECT_RETRY): a member then negotiates semi-sync anew
 * (MariaDB decides per connection, when it is made), a removed member is cut again next time.
 * Killing a dump thread never releases a commit waiting for an acknowledgement.
 */
export async function killReplicaConnections(
  db: MysqlHandle,
  cut: (host: string) => boolean,
): Promise<string[]> {
  const rows = await db.session.query(processList());
  const ended: string[] = [];
  for (const row of rows) {
    const host = String(row.host ?? "");
    if (!DUMP_COMMANDS.has(String(row.command ?? "")) || !cut(host.replace(/:\d+$/, ""))) continue;
    try {
      await db.session.query(killConnection(Number(row.id)));
      ended.push(host);
    } catch (error) {
      if ((error as MysqlError).errno !== 1094) throw error;
    }
  }
  return ended;
}

/**
 * Ends binlog dump threads serving hosts outside `allowedHosts` (a removed member's MySQL must not
 * keep acknowledging writes). Nothing is ended when `allowedHosts` is empty: a leader that does
 * not know its replicas' addresses yet cannot judge.
 */
export async function killForeignReplicas(
  db: MysqlHandle,
  allowedHosts: readonly string[],
): Promise<string[]> {
  if (allowedHosts.length === 0) return [];
  const allowed = new Set(allowedHosts);
  return await killReplicaConnections(db, (host) => !allowed.has(host));
}

/**
 * Stops the server through SQL, for when xenon does not supervise mysqld (`mysql.monitor-disabled`:
 * Kubernetes or systemd restart it). Sessions waiting for acknowledgements lose their connections
 * without an OK (verified on MariaDB 10.11); their transactions stay in this server's binlog, so
 * it must come back with `--init-rpl-role=SLAVE` (MariaDB) or be rebuilt.
 */
export async function shutdownFromSql(db: MysqlHandle): Promise<void> {
  try {
    await db.session.exec([shutdownServer()], { timeoutMs: 10_000 });
  } catch (error) {
    // The server closes our connection as it goes down; that is the expected answer.
    if (!(error instanceof MysqlUnavailableError)) throw error;
  }
}
