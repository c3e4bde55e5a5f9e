/**
 * A session to a simulated host's MariaDB 10.11 (the MysqlModel): every statement completes after
 * a seeded latency, on the server whatever the agent does meanwhile, and its answer reaches the
 * agent process only while it runs (held back while paused, lost once it died). A statement fails
 * when mysqld is down, restarted since the session was opened, or out of the agent's reach; it
 * waits while mysqld is paused, and gives up after the daemon's query timeout (the statement,
 * whose KILL a paused server does not see, may still land later).
 */
import type {
  CatchUpOptions,
  CatchUpReport,
  FenceAttempt,
  LeaderSemiSyncSample,
  MysqlSample,
  MysqlSession,
  ReplicationSource,
} from "../../ports/mod.ts";
import { majority } from "../../raft/mod.ts";
import type { AgentProcess } from "../agent.ts";
import type { MysqlModel } from "../mysql_model.ts";
import type { SimNode } from "../sim_node.ts";
import type { CatchUpWait, World } from "../world.ts";

/** Latency shapes (real ms): what a promote or CHANGE MASTER takes, and everything else. */
const SLOW_MS: [number, number] = [1, 30];
const STOP_IO_MS: [number, number] = [1, 20];
/**
 * MariaDB's semi-sync IO thread, stopping, connects to its source to end its dump thread: when
 * nothing answers that waits rpl_semi_sync_slave_kill_conn_timeout, 1 s (measured 1005 ms).
 */
const STOP_IO_SOURCE_GONE_MS: [number, number] = [1000, 1010];
const QUICK_MS: [number, number] = [0, 5];
/** The daemon's sessions give up on a statement after this (local_mysql.ts: queryTimeoutMs). */
const QUERY_TIMEOUT_MS = 5000;
/** fence.ts: how long read_only may wait for healthy replicas to acknowledge what commits. */
const FENCE_GRACE_MS = 250;

/** The server restarted since the session was opened: the session is gone, the server is not. */
class SessionLostError extends Error {}

/**
 * Which of the agent's sessions this is: the election's (an armed blocking statement hangs it),
 * or another (the poller's, the fence's, maintenance).
 */
export type SessionLane = "election" | "other";

export class SimMysqlSession implements MysqlSession<MysqlModel> {
  #thread: number | null = null;
  #boot = -1;

  constructor(
    private readonly w: World,
    private readonly n: SimNode,
    private readonly proc: AgentProcess,
    private readonly lane: SessionLane = "other",
  ) {}

  get threadId(): number | null {
    return this.#thread;
  }

  get(): Promise<MysqlModel> {
    const m = this.n.mysql;
    if (!m.alive) return Promise.reject(new Error(`MySQL on ${this.n.host} is down`));
    if (this.n.armed.mysqlUnreachable) return Promise.reject(this.#unreachable());
    if (this.#thread === null) {
      this.#thread = this.w.newThreadId();
      this.#boot = this.n.mysqlBoots;
    }
    return Promise.resolve(m);
  }

  reset(): Promise<void> {
    this.#thread = null;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.reset();
  }

  sibling(): SimMysqlSession {
    return new SimMysqlSession(this.w, this.n, this.proc);
  }

  setReadOnly(on: boolean): Promise<{ exempt: readonly string[] }> {
    return this.#statement(SLOW_MS, (m) => {
      if (on) {
        m.readOnly = true;
        this.n.unattended = false;
      } else {
        if (m.readOnly) this.w.inv.promoting(this.n);
        m.readOnly = false;
        if (this.n.agent !== "running") this.n.unattended = true;
      }
      return { exempt: [] };
    });
  }

  applySysvars(profile: string): Promise<void> {
    return this.#statement(QUICK_MS, (m) => m.applySysvars(profile));
  }

  /** The simulated server is a MariaDB restarted with --init-rpl-role=SLAVE: 1 becomes 3. */
  keepReturnedCommits(): Promise<string | null> {
    return this.#statement(QUICK_MS, (m) => {
      if (m.durability.flushAtCommit !== 1) return null;
      m.applySysvars("innodb_flush_log_at_trx_commit=3");
      return "innodb_flush_log_at_trx_commit 1 -> 3";
    });
  }

  isReplica(): Promise<boolean> {
    return this.#statement(QUICK_MS, (m) => m.master !== null);
  }

  stopIo(): Promise<void> {
    const m = this.n.mysql;
    const source = m.master === null ? undefined : this.w.node(m.master);
    // Refused at once by a host whose mysqld is down; no answer from a host out of reach, a cut
    // replication port or a paused server.
    const gone = m.ioRunning && source !== undefined &&
      (!this.w.net.connected(this.n.id, source.id) ||
        !this.w.net.replicationOpen(this.n.id, source.id) || source.mysql.paused);
    return this.#statement(
      gone ? STOP_IO_SOURCE_GONE_MS : STOP_IO_MS,
      (m) => void (m.ioRunning = false),
    );
  }

  /** RESET SLAVE ALL: the source is forgotten with the relay log it had not applied yet. */
  resetReplica(): Promise<void> {
    return this.#statement(SLOW_MS, (m) => {
      m.ioRunning = false;
      m.master = null;
      const unapplied = m.history.length - m.applied;
      if (unapplied > 0) {
        this.w.log(`${this.n.id} RESET SLAVE ALL dropped ${unapplied} unapplied relay log events`);
        m.discardRelayLog();
      }
    });
  }

  receivedPosition(): Promise<string> {
    return this.#statement(QUICK_MS, (m) => m.position());
  }

  sample(): Promise<MysqlSample> {
    return this.#statement(QUICK_MS, (m) => {
      const source = m.master === null ? undefined : this.w.node(m.master);
      const connected = source !== undefined && this.w.replicates(this.n, source) &&
        m.isPrefixOf(source.mysql);
      const replica = m.master === null ? null : {
        ioRunning: m.ioRunning && connected,
        sqlRunning: m.sqlRunning,
        backlogTransactions: m.history.length - m.applied,
        lastIoError: m.ioError === null ? "" : `Got fatal ${m.ioError}`,
      };
      return {
        status: { readOnly: m.readOnly, replica },
        position: m.position(),
        // On the host's clock, as mysqld counts it; fractional, so that a restart within a
        // second of the previous one still goes back.
        uptime: (this.n.local(this.w.now) - this.n.bootAt) / 1000,
      };
    });
  }

  changeMaster(source: ReplicationSource): Promise<void> {
    return this.#statement(SLOW_MS, (m) => {
      const leader = this.w.nodeByHost(source.host);
      if (leader === undefined) throw new Error(`unknown host ${source.host}`);
      m.master = leader.id;
      m.allowedReplicas = null;
      m.semiSyncAck = source.semiSyncAck;
      m.ioRunning = true;
      m.ioError = null;
    });
  }

  /**
   * Waits until what was received is applied, or the deadline, telling `onProgress` how far the
   * SQL thread got every `reportEveryMs` (the world's pump decides); a false answer ends it.
   */
  catchUp(options: CatchUpOptions): Promise<CatchUpReport> {
    const m = this.n.mysql;
    if (!m.alive) return Promise.reject(new Error(`MySQL on ${this.n.host} is down`));
    const startedAt = this.w.now;
    const every = options.reportEveryMs;
    const onProgress = options.onProgress;
    return new Promise((resolve) => {
      const wait: CatchUpWait = {
        node: this.n,
        deadlineAt: startedAt + options.deadlineMs / this.n.rate,
        wanted: true,
        progress: every === undefined || onProgress === undefined ? null : {
          everyMs: every / this.n.rate,
          nextAt: startedAt + every / this.n.rate,
          report: () =>
            this.proc.run(() => {
              const applied = m.history[m.applied - 1]?.gtid ?? "";
              const backlog = m.history.length - m.applied;
              const progress = { applied, backlog, sqlRunning: m.sqlRunning, sqlError: "" };
              if (!onProgress(progress)) wait.wanted = false;
            }),
        },
        done: (reached) =>
          this.proc.run(() =>
            resolve({
              reached,
              position: m.position(),
              waitedMs: Math.round(this.w.now - startedAt),
              ...(reached ? {} : { reason: wait.wanted ? "relay log not applied" : "not wanted" }),
            })
          ),
      };
      this.w.waitForApplied(wait);
    });
  }

  /** The primary's binlog dump threads of other hosts are ended, and refused from then on. */
  killForeignReplicas(allowedHosts: readonly string[]): Promise<string[]> {
    return this.#statement(SLOW_MS, (m) => {
      const allowed = this.w.nodes.filter((x) => allowedHosts.includes(x.host));
      m.allowedReplicas = new Set(allowed.map((x) => x.id));
      return this.w.nodes.filter((x) =>
        x !== this.n && x.mysql.master === this.n.id && !m.allowedReplicas!.has(x.id)
      ).map((x) => x.host);
    });
  }

  /** The replicas reconnect at once and negotiate semi-sync anew: nothing else changes. */
  killReplicaConnections(): Promise<string[]> {
    return this.#statement(QUICK_MS, () => []);
  }

  /**
   * MariaDB has no wait-count variable: a semi-sync primary waits for one acknowledgement
   * whatever the voters. The armed paused-promote fault stops the agent right here, in promote.
   */
  setLeaderSemiSync(voters: number): Promise<{ applied: number; shortfall?: string }> {
    this.#pauseIfArmed();
    return this.#statement(SLOW_MS, (m) => {
      const applied = waitCountFor(voters);
      this.w.returned(this.n, m.setWaitCount(applied));
      const wanted = voters - majority(voters);
      return applied < wanted
        ? { applied, shortfall: `MariaDB waits for 1 acknowledgement, ${wanted} wanted` }
        : { applied };
    });
  }

  appliedWaitCount(voters: number): Promise<number> {
    return this.#statement(QUICK_MS, () => waitCountFor(voters));
  }

  readLeaderSemiSync(): Promise<LeaderSemiSyncSample> {
    return this.#statement(QUICK_MS, (m) => ({
      acking: m.waitCount > 0,
      clients: 0,
      waiting: m.pending.length,
    }));
  }

  purgeBinlogs(): Promise<string | null> {
    return this.#statement(QUICK_MS, () => null);
  }

  /**
   * As src/mysql/fence.ts: read_only (which blocks new commits and waits for those in flight),
   * then, after a grace for healthy replicas to acknowledge what commits, the client sessions
   * killed; commits still waiting for an acknowledgement are never killed (their group would
   * return OK unacknowledged): `acksPending`, and read_only stays as it was. Armed faults make
   * read_only fail, or take long, up to beyond the budget.
   */
  async fence(
    options: { budgetMs: number; keepThreadIds: readonly number[] },
  ): Promise<FenceAttempt> {
    const budget = options.budgetMs / this.n.rate;
    const slow = this.n.armed.takeSlowFence();
    if (slow > 0) this.w.count("slow fence");
    const startedAt = this.w.now;
    const left = () => Math.max(1, budget - (this.w.now - startedAt));
    try {
      const first = await this.#statement(
        slow > 0 ? [slow, slow] : [1, budget * 0.6],
        (m): FenceAttempt | { wasReadOnly: boolean; waiting: boolean } => {
          if (this.n.fenceFails) {
            this.n.fenceFails = false;
            this.w.count("failed fence");
            return { ok: false, failure: "failed", error: "read_only timed out (simulated)" };
          }
          const wasReadOnly = m.readOnly;
          m.readOnly = true;
          if (!(m.waitCount > 0 && m.pending.length > 0)) this.n.unattended = false;
          return { wasReadOnly, waiting: m.waitCount > 0 && m.pending.length > 0 };
        },
        { timeoutMs: budget },
      );
      if ("ok" in first) return first;
      const elapsed = () => Math.round((this.w.now - startedAt) * this.n.rate);
      if (!first.waiting) return { ok: true, elapsedMs: elapsed(), killed: 0 };
      const grace = Math.min(FENCE_GRACE_MS, options.budgetMs / 4) / this.n.rate;
      return await this.#statement([grace, grace], (m): FenceAttempt => {
        if (m.waitCount > 0 && m.pending.length > 0) {
          m.readOnly = first.wasReadOnly;
          // Writable again while the agent is paused or gone (it resumes mid-fence): unattended.
          if (!m.readOnly && this.n.agent !== "running") this.n.unattended = true;
          const error = `${m.pending.length} sessions wait for semi-sync acknowledgements`;
          return { ok: false, failure: "acksPending", error };
        }
        this.n.unattended = false;
        return { ok: true, elapsedMs: elapsed(), killed: 0 };
      }, { timeoutMs: left() });
    } catch (error) {
      const failure = error instanceof SessionLostError ? "sessionLost" : "failed";
      return { ok: false, failure, error: (error as Error).message };
    }
  }

  #pauseIfArmed(): void {
    const pause = this.n.promotePauseMs;
    if (pause <= 0) return;
    this.n.promotePauseMs = 0;
    this.w.count("paused promote");
    this.w.log(`${this.n.id} agent paused for ${Math.round(pause)} ms inside promote`);
    this.w.pauseAgent(this.n);
    this.w.at(pause, `resume ${this.n.id} paused in promote`, () => this.w.resumeAgent(this.n));
  }

  /**
   * Runs `apply` on the server after a latency drawn from `[min, max]` (real ms), plus an armed
   * hang on the election's session; rejects after `timeoutMs` (the query timeout) if it has not
   * run by then.
   */
  #statement<T>(
    [min, max]: [number, number],
    apply: (m: MysqlModel) => T,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    const n = this.n;
    const w = this.w;
    return this.get().then(() => {
      const boot = this.#boot;
      const startedAt = w.now;
      const timeoutMs = opts.timeoutMs ?? QUERY_TIMEOUT_MS / n.rate;
      const hang = this.lane === "election" ? n.armed.takeBlock() : 0;
      if (hang > 0) w.count("blocked statement");
      return new Promise<T>((resolve, reject) => {
        let answered = false;
        let killed = false;
        const answer = (done: () => void) => {
          if (answered) return;
          answered = true;
          this.proc.run(done);
        };
        let timing = false;
        const timeOut = () => {
          if (timing) return;
          timing = true;
          w.later(Math.max(0, startedAt + timeoutMs - w.now), () => {
            if (answered) return;
            // The session gives up and KILLs the query: a server not running may run it after all.
            killed = w.rng.chance(0.5);
            const message = `MySQL on ${n.host}: statement did not finish within ` +
              `${Math.round(timeoutMs)} ms; killed it`;
            answer(() => reject(new Error(message)));
          });
        };
        const run = () => {
          if (killed) return;
          let done: () => void;
          if (!n.mysql.alive) {
            done = () => reject(new Error(`MySQL on ${n.host} is down`));
          } else if (n.mysqlBoots !== boot) {
            done = () => reject(new SessionLostError(`MySQL on ${n.host} restarted: session lost`));
          } else if (n.armed.mysqlUnreachable && !answered) {
            done = () => reject(this.#unreachable());
          } else if (n.mysql.paused) {
            timeOut();
            n.held.push(run);
            return;
          } else {
            try {
              const value = apply(n.mysql);
              done = () => resolve(value);
            } catch (error) {
              done = () => reject(error);
            }
          }
          answer(done);
        };
        const latency = w.rng.between(min, max) + hang;
        if (latency > timeoutMs) timeOut();
        w.later(latency, run);
      });
    });
  }

  #unreachable(): Error {
    return new Error(
      `Can't connect to MySQL server on ${this.n.host} (110 "Connection timed out")`,
    );
  }
}

function waitCountFor(voters: number): number {
  return Math.max(0, Math.min(1, voters - majority(voters)));
}
