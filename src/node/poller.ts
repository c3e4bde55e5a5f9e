/**
 * Watches the local MySQL every `mysql.ping-timeout` and tells the election what it sees. As the
 * original, MySQL counts as dead only after `mysql.admit-defeat-ping-count` failed pings in a row
 * (one slow answer does not demote a leader). A server that restarted between two samples (its
 * uptime went back, or its start time moved) is reported dead once: a crash-restart of a
 * leader's mysqld is a lost primary, whatever came back is not trusted to be writable.
 */
import { oneLine } from "../lib/errors.ts";
import { Periodic } from "../lib/periodic.ts";
import { log } from "../log/mod.ts";
import type { Clock, MysqlSample, MysqlSession, SampledStatus } from "../ports/mod.ts";
import type { PositionComparator } from "../gtid/mod.ts";
import type { MysqldRun, MysqlObservation } from "../raft/mod.ts";

/** Uptime is whole seconds: the start time it gives moves by up to a second between samples. */
const UPTIME_SLACK_MS = 2500;

/** The source refused this replica's position (ER_MASTER_FATAL_ERROR_READING_BINLOG). */
const DIVERGED = /\berror 1236\b/;

/** How soon a failed ping is followed by the next (at most the interval). */
const CONFIRM_FAILURE_MS = 250;

export const DEAD: MysqlObservation = {
  alive: false,
  ioRunning: false,
  sqlRunning: false,
  position: null,
};

/** The poller's own session; `Status` is what the daemon keeps of each sample. */
export interface PolledMysql<Status extends SampledStatus> extends Pick<MysqlSession, "reset"> {
  sample(comparator: PositionComparator): Promise<MysqlSample<Status>>;
}

export interface PollerOptions<Status extends SampledStatus = SampledStatus> {
  clock: Clock;
  link: PolledMysql<Status>;
  intervalMs: number;
  admitDefeatCount: number;
  comparator: PositionComparator;
  /** The daemon started mysqld just before: its first sample is a restart too. */
  startedMysqld?: boolean;
  /**
   * Which run of mysqld is up (a host boot and a start within it), where the shell can tell: the
   * core keeps it with its relay log record, so a run that started unseen still counts.
   */
  run?: () => MysqldRun | null;
  /**
   * Sessions held for later (the fence's), opened again after each good sample if the server
   * dropped them (a restart), while a connection is still free. No statement is sent on them:
   * one queued behind a running fence and timing out would kill the fence's own statement.
   */
  keepOpen?: readonly Pick<MysqlSession, "get" | "threadId">[];
  /** Receives each observation and the server's read_only (null when dead). */
  report(observation: MysqlObservation, readOnly: boolean | null, status: Status | null): void;
}

export class MysqlPoller<Status extends SampledStatus = SampledStatus> {
  readonly #samples: Periodic;
  #sampling: Promise<void> = Promise.resolve();
  #failures = 0;
  #lastUptime: number | null = null;
  #startedAt = Number.NEGATIVE_INFINITY;
  #firstSample = true;
  #restartExpected = false;
  #deadReported = false;
  /** Consecutive MySQL downs seen (the original's MysqlDowns). */
  downs = 0;

  constructor(readonly o: PollerOptions<Status>) {
    this.#samples = new Periodic(o.clock, o.intervalMs, () => this.pollOnce(), () => {
      // A failed ping is confirmed or cleared by the next soon, not an interval later: a killed
      // mysqld refuses at once, and every ping until DEAD delays the leader's step-down (two
      // pings 1 s apart made a mysqld kill a 2.5 s outage). The count of failures is the same.
      const confirming = this.#failures > 0 && !this.#deadReported;
      return confirming ? Math.min(o.intervalMs, CONFIRM_FAILURE_MS) : o.intervalMs;
    });
  }

  start(): void {
    this.#samples.start();
  }

  async stop(): Promise<void> {
    await this.#samples.stop();
  }

  /**
   * This agent stopped mysqld hard (a fence): the next sample is of a new server, whose start
   * dropped the relay log, even if no sample saw the old one (its uptime is unknown then).
   */
  expectRestart(): void {
    this.#restartExpected = true;
  }

  /**
   * One sample, after any still running: samples never overlap, so their reports (a restart
   * seen from the uptime going back) reach the loop in the order they were taken.
   */
  pollOnce(): Promise<void> {
    const run = this.#sampling.then(() => this.#sampleOnce());
    this.#sampling = run.catch(() => {});
    return run;
  }

  async #sampleOnce(): Promise<void> {
    let result: MysqlSample<Status>;
    const askedAt = this.o.clock.now();
    // Before the sample: a restart in between leaves an older run on a newer sample, not the
    // reverse (which would hide the restart).
    const run = this.o.run?.() ?? null;
    try {
      result = await this.o.link.sample(this.o.comparator);
    } catch (error) {
      await this.o.link.reset();
      this.#failures++;
      if (this.#failures >= Math.max(1, this.o.admitDefeatCount)) {
        if (!this.#deadReported) {
          log("node").error`MySQL is DEAD after ${this.#failures} failed pings: ${oneLine(error)}`;
          this.downs++;
        }
        this.#deadReported = true;
        this.o.report(DEAD, null, null);
      }
      return;
    }
    const { status, position, uptime } = result;
    this.#failures = 0;
    for (const held of this.o.keepOpen ?? []) {
      if (held.threadId === null) await held.get().catch(() => {});
    }
    // When the server started, on our clock (at most a second late, being taken before the
    // uptime was read): later than before means it restarted, also when this agent was paused
    // for longer than the uptime it saw last (uptime alone went up).
    const startedAt = askedAt - uptime * 1000;
    const restarted = this.#lastUptime !== null &&
      (uptime < this.#lastUptime || startedAt > this.#startedAt + UPTIME_SLACK_MS);
    this.#lastUptime = uptime;
    this.#startedAt = restarted ? startedAt : Math.max(this.#startedAt, startedAt);
    // Every start drops the relay log the SQL thread had not applied (relay_log_recovery=ON);
    // the daemon cannot tell whether any was left, so it says it may have been (raft relay.ts).
    const started = restarted || this.#restartExpected ||
      (this.#firstSample && this.o.startedMysqld === true);
    this.#firstSample = false;
    this.#restartExpected = false;
    if (restarted && !this.#deadReported) {
      log("node").error`MySQL restarted (uptime ${uptime} s): treating it as a lost server once`;
      this.downs++;
      this.o.report(DEAD, null, null);
    }
    if (this.#deadReported) log("node").info`MySQL is ALIVE again`;
    this.#deadReported = false;
    this.o.report(
      {
        alive: true,
        ioRunning: status.replica?.ioRunning ?? false,
        // No source configured: nothing waits in a relay log, the data is complete as it is.
        sqlRunning: status.replica === null ? true : status.replica.sqlRunning,
        position,
        backlog: backlogOf(status),
        ...(DIVERGED.test(status.replica?.lastIoError ?? "") ? { diverged: true } : {}),
        ...(started ? { restarted: true, relayLogDiscarded: true } : {}),
        ...(run !== null ? { run } : {}),
      },
      status.readOnly,
      status,
    );
  }
}

/** No source configured: nothing waits to be applied. */
function backlogOf(status: SampledStatus): number | null {
  return status.replica === null ? 0 : status.replica.backlogTransactions ?? null;
}
