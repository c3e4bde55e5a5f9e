/**
 * Fencing a primary that must stop taking writes: read-only, then kill every client connection
 * that is neither a replication thread nor the agent's own, all within a time budget.
 *
 * `SET GLOBAL read_only = 1` waits for sessions holding table locks or open write transactions
 * (MariaDB), so if it has not returned after a short grace the clients are killed first: their
 * transactions roll back and the statement completes.
 */
import { oneLine } from "../lib/errors.ts";
import { MysqlError } from "./errors.ts";
import type { MysqlHandle } from "./handle.ts";
import { readOnlyExempt } from "./read_only.ts";
import { MysqlSession, raceTimeout, type Row } from "./session.ts";
import { killConnection, processList, readOnly } from "./sql.ts";

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
 */
export async function fence(
  db: MysqlHandle,
  options: { budgetMs: number; keepThreadIds?: readonly number[] },
): Promise<FenceResult> {
  const started = performance.now();
  const left = () => Math.max(1, options.budgetMs - (performance.now() - started));
  await using killer = await MysqlSession.open({
    ...db.options,
    connectTimeoutMs: Math.min(db.options.connectTimeoutMs ?? 2000, options.budgetMs),
  });
  const keep = new Set([db.session.threadId, killer.threadId, ...(options.keepThreadIds ?? [])]);
  const killed: KilledThread[] = [];

  const setting = db.session.exec(readOnly(db.flavor, true), { timeoutMs: left() })
    .then(() => null, (error: unknown) => error);
  const grace = Math.min(50, options.budgetMs / 4);
  if ((await raceTimeout(setting, grace)) === "timeout") {
    killed.push(...await killClients(killer, keep, left));
  }
  const failure = await setting;
  if (failure !== null) {
    throw new MysqlError(
      `fence of ${db.session.where} failed: read-only not set within ${options.budgetMs} ms ` +
        `(${oneLine(failure)})`,
      { cause: failure },
    );
  }
  // Clients that connected meanwhile, or never blocked read_only, are ended too.
  killed.push(...await killClients(killer, keep, left));
  return {
    killed,
    elapsedMs: Math.round(performance.now() - started),
    exempt: await readOnlyExempt(db),
  };
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
      // 1094: the thread ended by itself in the meantime.
      if ((error as MysqlError).errno !== 1094) throw error;
    }
  }
  return out;
}
