/**
 * A session to a simulated host's MariaDB 10.11 (the MysqlModel): every statement completes after
 * a seeded latency, on the server whatever the agent does meanwhile, and its answer reaches the
 * agent process only while it runs (held back while paused, lost once it died). A statement fails
 * when mysqld is down or restarted since the session was opened.
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
const QUICK_MS: [number, number] = [0, 5];

/** The server restarted since the session was opened: the session is gone, the server is not. */
class SessionLostError extends Error {}

export class SimMysqlSession implements MysqlSession<MysqlModel> {
  #thread: number | null = null;
  #boot = -1;

  constructor(
    private readonly w: World,
    private readonly n: SimNode,
    private readonly proc: AgentProcess,
  ) {}

  get threadId(): number | null {
    return this.#thread;
  }

  get(): Promise<MysqlModel> {
    const m = this.n.mysql;
    if (!m.alive) return Promise.reject(new Error(`MySQL on ${this.n.host} is down`));
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

  applySysvars(_profile: string): Promise<void> {
    return this.#statement(QUICK_MS, () => {});
  }

  isReplica(): Promise<boolean> {
    return this.#statement(QUICK_MS, (m) => m.master !== null);
  }

  stopIo(): Promise<void> {
    return this.#statement(STOP_IO_MS, (m) => void (m.ioRunning = false));
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
      this.n.sampledBoot = this.n.mysqlBoots;
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
      m.waitCount = applied;
      this.w.settle(this.n);
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

  /** Client sessions killed, read_only on; an armed failed-fence fault makes read_only fail. */
  async fence(
    options: { budgetMs: number; keepThreadIds: readonly number[] },
  ): Promise<FenceAttempt> {
    const latency: [number, number] = [1, options.budgetMs * 0.95 / this.n.rate];
    try {
      return await this.#statement(latency, (m): FenceAttempt => {
        for (const p of m.pending) p.clientWaiting = false;
        if (this.n.fenceFails) {
          this.n.fenceFails = false;
          this.w.count("failed fence");
          return { ok: false, failure: "failed", error: "read_only timed out (simulated)" };
        }
        m.readOnly = true;
        this.n.unattended = false;
        return { ok: true, elapsedMs: 1, killed: m.pending.length };
      });
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

  /** Runs `apply` on the server after a latency drawn from `[min, max]` (real ms). */
  #statement<T>([min, max]: [number, number], apply: (m: MysqlModel) => T): Promise<T> {
    const n = this.n;
    return this.get().then(() => {
      const boot = this.#boot;
      return new Promise<T>((resolve, reject) => {
        this.w.later(this.w.rng.between(min, max), () => {
          let done: () => void;
          if (!n.mysql.alive) {
            done = () => reject(new Error(`MySQL on ${n.host} is down`));
          } else if (n.mysqlBoots !== boot) {
            done = () => reject(new SessionLostError(`MySQL on ${n.host} restarted: session lost`));
          } else {
            try {
              const value = apply(n.mysql);
              done = () => resolve(value);
            } catch (error) {
              done = () => reject(error);
            }
          }
          this.proc.run(done);
        });
      });
    });
  }
}

function waitCountFor(voters: number): number {
  return Math.max(0, Math.min(1, voters - majority(voters)));
}
