/**
 * Replication freezes (stop the IO thread, then read the position) on a session of their own, one
 * at a time in the order the core asked for them, outside the event loop: on MariaDB the first
 * STOP SLAVE IO_THREAD after the source's host vanished waits about 2 s for the IO thread, and
 * meanwhile the loop must go on answering pre-votes, votes and heartbeats. Each result goes back
 * as a `replicationFrozen` event carrying the effect's id, so only the flow that asked for that
 * freeze decides on it. In order, because a later freeze must not stop what an earlier flow's
 * follow started: the core follows only on the result of the latest freeze asked before it.
 */
import type { PositionComparator } from "../gtid/types.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type { MysqlSession } from "../ports/mod.ts";
import type { EventInput } from "./effects.ts";

export interface FreezeLaneDeps {
  /** The session only freezes use (opened at start, reopened after a failure). */
  session: MysqlSession;
  comparator: PositionComparator;
  /** Past this a freeze is logged as a warning (it delays every vote). */
  slowMs: number;
  now(): number;
  enqueue(event: EventInput): void;
  /** A fresh MySQL sample (the poller's), reported to the loop before what is enqueued next. */
  sampleMysql(): Promise<void>;
}

export class FreezeLane {
  #last: Promise<void> = Promise.resolve();

  constructor(private readonly d: FreezeLaneDeps) {}

  /** Queues freeze `id` behind those asked before it; its result arrives as an event. */
  ask(id: number): void {
    this.#last = this.#last.then(() => this.#freeze(id));
  }

  /** Resolves once every freeze asked so far has reported. */
  idle(): Promise<void> {
    return this.#last;
  }

  async #freeze(id: number): Promise<void> {
    const d = this.d;
    const started = d.now();
    try {
      if (await d.session.isReplica()) await d.session.stopIo();
      const position = await d.session.receivedPosition(d.comparator);
      const tookMs = Math.round(d.now() - started);
      log("node")[tookMs > d.slowMs ? "warn" : "debug"]`replication frozen at ${
        position || "-"
      } in ${tookMs} ms`;
      // mysqld may have restarted unseen (the agent was paused or slow): the sample reports
      // that, and the relay log it dropped, before the vote is decided on this position.
      await d.sampleMysql().catch(() => {});
      d.enqueue({ type: "replicationFrozen", freeze: id, position });
    } catch (error) {
      log("node").error`replication freeze failed: ${oneLine(error)}`;
      await d.session.reset().catch(() => {});
      d.enqueue({ type: "replicationFrozen", freeze: id, position: null, error: oneLine(error) });
    }
  }
}
