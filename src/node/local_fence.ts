/**
 * Fencing the local MySQL, escalated: read-only with client sessions ended within the fence
 * budget, on a session held open for nothing else (so a fence never queues behind the
 * election's or an operator's statements); if that fails, mysqld is stopped hard. The event
 * loop's `fence` effect and the lease watchdog both fence this way.
 */
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type { FenceAttempt, LocalMysqld, MysqlSession } from "../ports/mod.ts";

export interface LocalFenceDeps {
  /** The session only fences use. */
  fenceMysql: MysqlSession;
  fenceBudgetMs: number;
  mysqld: LocalMysqld;
  /** A fence could not make MySQL read-only by SQL (counted; the hard stop was tried). */
  onFenceFailed(reason: string): void;
}

/** Confirmed: MySQL takes no more writes (read-only, or stopped hard). */
export type FenceOutcome = { ok: true } | { ok: false; error: string };

/** Fences, sparing `spareThreads` (other agent sessions); never throws. */
export async function fenceLocal(
  d: LocalFenceDeps,
  spareThreads: readonly number[],
): Promise<FenceOutcome> {
  let r = await fenceOnce(d, spareThreads);
  if (!r.ok && r.failure === "sessionLost") {
    // The held session died (server restarted, idle timeout) before it was needed: once more
    // on a new one.
    await d.fenceMysql.reset();
    r = await fenceOnce(d, spareThreads);
  }
  if (r.ok) {
    log("node").info`fenced in ${r.elapsedMs} ms, killed ${r.killed} client connections`;
    return { ok: true };
  }
  let reason = r.error;
  let counted = false;
  await d.fenceMysql.reset();
  // A dead mysqld (every kill of a primary) takes no writes: fenced, not a failure to count.
  if (d.mysqld.stopped?.() === true) {
    log("node").info`fenced: no mysqld process runs (${reason}); it restarts read-only`;
    return { ok: true };
  }
  // Commits wait for acknowledgements no replica will send: only a hard stop ends them without
  // acknowledging them (src/mysql/fence.ts). Any other failure leaves MySQL possibly writable.
  if (r.failure !== "acksPending") {
    log("node").error`fence failed: ${reason}; stopping mysqld hard instead`;
    d.onFenceFailed(reason);
    counted = true;
  }
  try {
    if (await d.mysqld.hardStop(reason)) return { ok: true };
    reason = `${reason}; mysqld may not be stopped by xenon (monitor disabled)`;
  } catch (error) {
    reason = `${reason}; hard stop failed too: ${oneLine(error)}`;
  }
  log("node").error`NOT FENCED, MySQL may still take writes: ${reason}`;
  if (!counted) d.onFenceFailed(reason);
  return { ok: false, error: reason };
}

function fenceOnce(d: LocalFenceDeps, spareThreads: readonly number[]): Promise<FenceAttempt> {
  return d.fenceMysql.fence({
    budgetMs: Math.max(d.fenceBudgetMs, 100),
    keepThreadIds: spareThreads,
  });
}
