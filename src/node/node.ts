/**
 * The I/O shell around the election core: one serialized queue of jobs (events from the tick
 * timer, the MySQL poller, peers and the CLI), so the core is never re-entered. For each
 * transition the new peers.json is made durable first, then the effects run in order.
 *
 * What must not wait behind anything has its own path: operators' and maintenance statements
 * (users, sysvars, binlog purge) run in a lane of their own on their own session, never in the
 * queue; fences use a session held for them alone; and a lease watchdog outside the queue fences
 * when the lease ends while the queue is held. A job that fails (the core or an observer threw),
 * or a transition that cannot be made durable, fences the node and stops it: it never goes on,
 * or dies, with MySQL writable.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import {
  type AdminCommand,
  type Effect,
  initialState,
  leaseEndOf,
  type MysqlObservation,
  type PersistedMeta,
  type RaftEvent,
  type RaftOptions,
  type RaftState,
  step,
} from "../raft/mod.ts";
import type {
  Clock,
  LeaderCommandOutcome,
  LeaderCommandRunner,
  LocalMysqld,
  MysqlSession,
  PeerTransport,
  StateStore,
  Timer,
} from "../ports/mod.ts";
import {
  type EffectDeps,
  type EffectOutcome,
  type EventInput,
  loopFenceSpares,
  runEffect,
} from "./effects.ts";
import { FreezeLane } from "./freeze_lane.ts";
import { fenceLocal, type FenceOutcome } from "./local_fence.ts";
import { LeaseWatchdog } from "./lease_watchdog.ts";
import { PeerAddresses } from "./peer_addresses.ts";
import { RaftStats } from "./stats.ts";
import type { TransitionObserver } from "./observer.ts";

/** Everything outside the loop, as ports; `Handle` is the MySQL sessions' raw handle. */
export interface NodeDeps<Handle = unknown> {
  config: XenonConfig;
  options: RaftOptions;
  clock: Clock;
  /** peers.json: each transition's term, vote and membership, durable before its effects. */
  store: StateStore;
  /** Session for effects; the node opens its fence and maintenance sessions alike. */
  mysql: MysqlSession<Handle>;
  /** Thread ids of other agent connections (the poller's), spared by fences. */
  otherThreads(): number[];
  rpc: PeerTransport;
  leaderCommands: LeaderCommandRunner;
  mysqld: LocalMysqld;
  /**
   * Samples the local MySQL now and reports it (the poller's `pollOnce`): a vote's frozen
   * position is reported only after it, so a mysqld restart nobody has seen yet (its relay
   * log dropped) is known before the vote is decided.
   */
  sampleMysql?(): Promise<void>;
  /** The node stopped itself (it fenced already): the daemon must stop. */
  onFatal(reason: string): void;
  /** Told of every transition and effect (the flight recorder, ...). */
  observers?: TransitionObserver[];
}

type AdminAnswer = { ok: boolean; reason: string };

export class XenonNode<Handle = unknown> {
  readonly peers = new PeerAddresses();
  readonly stats: RaftStats;
  /** The session only fences use, opened at start so a fence needs no new connection. */
  readonly fenceMysql: MysqlSession<Handle>;
  /** The session operators' and maintenance statements use (see `maintenance`). */
  readonly workMysql: MysqlSession<Handle>;
  /** The session replication freezes use, in their lane outside the loop (freeze_lane.ts). */
  readonly freezeMysql: MysqlSession<Handle>;
  readonly #freezes: FreezeLane;
  readonly watchdog: LeaseWatchdog;
  readonly now: () => number;
  #state: RaftState;
  #queue: (() => Promise<void>)[] = [];
  #draining = false;
  /**
   * Jobs wait until start() queued the start event: the daemon answers RPC while the node still
   * opens its sessions, and a call then must not meet a core that is not running yet.
   */
  #started = false;
  #tickQueued = false;
  #ticker: Timer | undefined;
  #stopped = false;
  #promotedAt: number | null = null;
  /** The term of the last leader-start-command, if it ran and exited 0 (else null). */
  #startedTerm: number | null = null;
  #fenceFailed: string | null = null;
  #idle: PromiseWithResolvers<void> | null = null;
  #lastTickAt: number;
  #work: Promise<unknown> = Promise.resolve();
  #jobStartedAt: number | null = null;
  /** Samples in a row that saw read_only ON under a writable leader (#checkLeaderWritable). */
  #readOnlySamples = 0;

  constructor(readonly deps: NodeDeps<Handle>) {
    this.now = () => deps.clock.now();
    this.stats = new RaftStats(this.now);
    this.#lastTickAt = this.now();
    this.#state = initialState(deps.options);
    this.fenceMysql = deps.mysql.sibling();
    this.workMysql = deps.mysql.sibling();
    this.freezeMysql = deps.mysql.sibling();
    this.#freezes = new FreezeLane({
      session: this.freezeMysql,
      comparator: deps.options.comparator,
      slowMs: deps.options.requestTimeoutMs / 2,
      now: this.now,
      enqueue: (event) => this.receive(event),
      sampleMysql: () => deps.sampleMysql?.() ?? Promise.resolve(),
    });
    this.watchdog = new LeaseWatchdog({
      clock: deps.clock,
      tickMs: deps.options.tickMs,
      leaseEnd: () => leaseEndOf(deps.options, this.#state),
      loopBusySince: () => this.#jobStartedAt,
      // Nothing is spared: whatever holds the loop's session is working for a lease now gone.
      fence: () => this.#watchdogFence(),
    });
  }

  get state(): RaftState {
    return this.#state;
  }

  /** Clock reading of the last successful promote, for switchover timing. */
  get promotedAt(): number | null {
    return this.#promotedAt;
  }

  /** Ms since the loop last processed a tick (`/liveness`: a stuck loop stops answering). */
  get loopAgeMs(): number {
    return this.now() - this.#lastTickAt;
  }

  /** Whether this node is the leader and has made its MySQL writable. */
  get writableLeader(): boolean {
    return this.#state.role === "LEADER" && this.#state.leadership?.phase === "writable";
  }

  /** Starts the election from what peers.json held, and the tick timer. */
  async start(meta: PersistedMeta | null): Promise<void> {
    for (const [what, session] of [["fence", this.fenceMysql], ["freeze", this.freezeMysql]]) {
      await (session as MysqlSession<Handle>).get().catch((error) =>
        log("node").warn`${what} session not open yet: ${oneLine(error)}`
      );
    }

    const started = this.#submit({ type: "start", meta }, true);
    this.#started = true;
    if (!this.#draining) void this.#drain();
    this.#ticker = this.deps.clock.every(this.deps.options.tickMs, () => this.#tick());
    await started;
  }

  /**
   * Ends the election: a leader fences and runs leader-stop-command (awaited) first. After a
   * fatal stop it only waits for that stop's fence and command.
   */
  async stop(): Promise<void> {
    this.#ticker?.cancel();
    this.#started = true; // a node stopped before it started still answers what waits
    if (!this.#stopped) {
      await this.#submit({ type: "stop" });
      this.#stopped = true;
    }
    await this.#drained();
    await this.deps.leaderCommands.idle();
    await this.watchdog.stop();
    await this.#work.catch(() => {});
    await this.#freezes.idle();
    await this.fenceMysql.close();
    await this.workMysql.close();
    await this.freezeMysql.close();
  }

  /** An election message from a peer (already authenticated and validated). */
  receive(event: EventInput): void {
    void this.#submit(event);
  }

  /**
   * A MySQL sample; a non-leader found writable is made read-only again at once, and a writable
   * leader found read-only (by someone else, or a fence the core did not hear of) steps down.
   */
  observe(observation: MysqlObservation, readOnly: boolean | null): void {
    const reportedAt = this.now();
    this.#enqueue(async () => {
      await this.#apply({ type: "mysql", observation });
      if (readOnly === false && !this.writableLeader && !this.#stopped) {
        await this.#enforceReadOnly();
      }
      await this.#checkLeaderWritable(readOnly, reportedAt);
    });
  }

  /** An operator command; resolves with the core's answer. */
  async admin(command: AdminCommand): Promise<AdminAnswer> {
    return (await this.#submit({ type: "admin", command })) ??
      { ok: false, reason: "no answer from the election core" };
  }

  /**
   * Runs an operator's or a maintenance job (users, sysvars, binlog purge) on the maintenance
   * session, one at a time, outside the event loop: a statement that blocks there never delays a
   * heartbeat or a fence. A fence ends that session like any client's.
   */
  maintenance<T>(job: (db: MysqlSession<Handle>) => Promise<T>): Promise<T> {
    const run = this.#work.then(async () => {
      try {
        await this.workMysql.get();
        return await job(this.workMysql);
      } catch (error) {
        await this.workMysql.reset();
        throw error;
      }
    });
    this.#work = run.catch(() => {});
    return run;
  }

  #tick(): void {
    if (this.#tickQueued) return; // a busy loop coalesces ticks rather than piling them up
    this.#tickQueued = true;
    this.#enqueue(async () => {
      this.#tickQueued = false;
      this.#lastTickAt = this.now();
      await this.#apply({ type: "tick" });
    });
  }

  #submit(event: EventInput, first = false): Promise<AdminAnswer | undefined> {
    const { promise, resolve } = Promise.withResolvers<AdminAnswer | undefined>();
    this.#enqueue(async () => {
      try {
        resolve(await this.#apply(event));
      } catch (error) {
        resolve({ ok: false, reason: oneLine(error) });
        await this.#failed(`processing ${describe(event)} failed: ${oneLine(error)}`);
      }
    }, first);
    return promise;
  }

  /** Queues `job` (`first`: ahead of the jobs that wait for the start). */
  #enqueue(job: () => Promise<void>, first = false): void {
    if (first) this.#queue.unshift(job);
    else this.#queue.push(job);
    if (this.#started && !this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const job = this.#queue.shift()!;
        this.#jobStartedAt = this.now();
        try {
          await job();
        } catch (error) {
          await this.#failed(`event loop job failed: ${oneLine(error)}`);
        } finally {
          this.#jobStartedAt = null;
        }
      }
    } finally {
      this.#draining = false;
      this.#idle?.resolve();
      this.#idle = null;
    }
  }

  #drained(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    this.#idle ??= Promise.withResolvers<void>();
    return this.#idle.promise;
  }

  async #apply(input: EventInput): Promise<AdminAnswer | undefined> {
    if (this.#stopped) return { ok: false, reason: "xenon is stopping" };
    const event = { ...input, now: this.now() } as RaftEvent;
    const before = this.#state;
    const t = step(this.deps.options, before, event);
    if (t.persist !== null) {
      try {
        await this.deps.store.save(t.persist);
      } catch (error) {
        // Without the durable vote/term the effects must not happen; the node stops instead.
        const reason = `cannot write peers.json: ${oneLine(error)}`;
        await this.#failed(reason);
        return { ok: false, reason };
      }
    }
    this.#state = t.state;
    for (const note of t.notes) log("raft").info`${note}`;
    this.stats.transition({ event, before, after: t.state, effects: t.effects });
    for (const o of this.deps.observers ?? []) {
      o.transition({ event, before, after: t.state, effects: t.effects, notes: t.notes });
    }
    let fenced: FenceOutcome | null = null;
    let leaderStop: Promise<LeaderCommandOutcome | undefined> = Promise.resolve(undefined);
    for (const effect of t.effects) {
      const outcome = await this.#run(effect);
      if (outcome !== undefined && "fence" in outcome) fenced = outcome.fence;
      if (outcome !== undefined && "leaderStop" in outcome) leaderStop = outcome.leaderStop;
      if (outcome !== undefined && "leaderStart" in outcome) {
        const { term } = outcome;
        // Runs are serialized: a start's outcome is known before a later stop's.
        void outcome.leaderStart.then((r) => this.#startedTerm = r.ran && r.ok ? term : null);
      }
    }
    if (fenced !== null) this.#reportFence(fenced, t.state.term, leaderStop);
    return t.admin;
  }

  /**
   * `fenced` goes to the core once leader-stop-command finished too (a release waits for both).
   * leaderCommandsOk: this term's start took what it takes (the VIP) and the stop gave it back,
   * both run and exited 0; a stop with nothing to give back (a start refused, skipped or `nop`)
   * does not count, or a later leader would trust a release that never happened.
   */
  #reportFence(
    outcome: FenceOutcome,
    term: number,
    leaderStop: Promise<LeaderCommandOutcome | undefined>,
  ): void {
    void leaderStop.catch(() => undefined).then((stop) =>
      this.receive({
        type: "fenced",
        term,
        ...(outcome.ok ? { ok: true } : { ok: false, error: outcome.error }),
        leaderCommandsOk: stop?.ran === true && stop.ok && this.#startedTerm === term,
      })
    );
  }

  async #run(effect: Effect): Promise<EffectOutcome> {
    const startedAt = this.now();
    // The watchdog leaves a lease end to a fence the loop started, and learns how it ended.
    const token = effect.kind === "fence" ? this.watchdog.fenceStarted() : null;
    const outcome = await runEffect(this.#effectDeps(), effect);
    if (token !== null && outcome !== undefined && "fence" in outcome) {
      this.watchdog.fenceDone(token, outcome.fence.ok);
    }
    const endedAt = this.now();
    for (const o of this.deps.observers ?? []) o.effectDone?.(effect, startedAt, endedAt);
    return outcome;
  }

  #effectDeps(): EffectDeps {
    const deps = this.deps;
    return {
      config: deps.config,
      options: deps.options,
      mysql: deps.mysql,
      fenceMysql: this.fenceMysql,
      fenceBudgetMs: deps.options.fenceBudgetMs,
      ownThreads: () => this.#ownThreads(),
      freezes: this.#freezes,
      rpc: deps.rpc,
      peers: this.peers,
      leaderCommands: deps.leaderCommands,
      mysqld: deps.mysqld,
      now: this.now,
      enqueue: (event) => this.receive(event),
      catchingUp: (term) => {
        const s = this.#state;
        return s.role === "LEADER" && s.term === term && s.leadership?.phase === "catchingUp";
      },
      onWritable: () => this.watchdog.guard(),
      onPromoted: () => {
        this.#promotedAt = this.now();
        this.#fenceFailed = null;
        for (const o of deps.observers ?? []) o.promoted?.(this.#promotedAt);
      },
      onFenceFailed: (reason) => this.#onFenceFailed(reason),
    };
  }

  /**
   * Agent sessions besides the loop's that a fence from the loop spares: the poller's, and the
   * freeze session (a vote after a step-down must not fail on a connection the fence killed).
   */
  #ownThreads(): number[] {
    const freeze = this.freezeMysql.threadId;
    return freeze === null ? this.deps.otherThreads() : [...this.deps.otherThreads(), freeze];
  }

  /** Fences on the fence session (escalating to a hard stop). */
  #fence(spare: readonly number[]): Promise<FenceOutcome> {
    return fenceLocal({
      fenceMysql: this.fenceMysql,
      fenceBudgetMs: this.deps.options.fenceBudgetMs,
      mysqld: this.deps.mysqld,
      onFenceFailed: (reason) => this.#onFenceFailed(reason),
    }, spare);
  }

  /** The watchdog's fence; the core, which may still think itself writable, steps down. */
  async #watchdogFence(): Promise<FenceOutcome> {
    const term = this.#state.term;
    const outcome = await this.#fence(this.deps.otherThreads());
    const result = outcome.ok ? "fenced" : `fence failed: ${outcome.error}`;
    this.receive({ type: "stepDown", term, reason: `the lease watchdog ${result}` });
    return outcome;
  }

  /**
   * Two samples in a row reported after this leadership's promote completed read read_only ON:
   * the second began after that promote, so MySQL really is read-only under a writable leader.
   */
  async #checkLeaderWritable(readOnly: boolean | null, reportedAt: number): Promise<void> {
    const since = this.#state.leadership?.since ?? Number.POSITIVE_INFINITY;
    const promoted = this.#promotedAt !== null && this.#promotedAt >= since &&
      reportedAt > this.#promotedAt;
    if (readOnly !== true || !this.writableLeader || !promoted) {
      this.#readOnlySamples = 0;
      return;
    }
    if (++this.#readOnlySamples < 2) return;
    this.#readOnlySamples = 0;
    await this.#apply({
      type: "stepDown",
      term: this.#state.term,
      reason: "MySQL is read-only although this node leads as writable: stepping down",
    });
  }

  #onFenceFailed(reason: string): void {
    this.#fenceFailed = reason;
    this.stats.fenceFailed();
    for (const o of this.deps.observers ?? []) o.fenceFailed?.(reason);
  }

  /**
   * The loop cannot go on (a job threw, peers.json cannot be written): fence and run
   * leader-stop-command, then stop and tell the daemon. Always: the job may have failed after the
   * state moved on (an observer of a step-down), so the state cannot tell whether MySQL was
   * writable, and fencing a follower that stops anyway costs nothing.
   */
  async #failed(reason: string): Promise<void> {
    if (this.#stopped) {
      log("node").error`${reason} (while stopping)`;
      return;
    }
    this.#stopped = true;
    this.#ticker?.cancel();
    log("node").fatal`${reason}: fencing, then stopping`;
    try {
      const token = this.watchdog.fenceStarted();
      const fenced = await this.#fence(
        loopFenceSpares({ ownThreads: () => this.#ownThreads(), mysql: this.deps.mysql }),
      );
      this.watchdog.fenceDone(token, fenced.ok);
      const stop = await this.deps.leaderCommands.run("stop", {
        reason: `xenon stops: ${reason}`,
        endpoint: this.#state.self,
        term: this.#state.term,
      });
      if (!stop.ok) log("node").error`${stop.summary}`;
    } finally {
      this.deps.onFatal(reason);
    }
  }

  async #enforceReadOnly(): Promise<void> {
    const why = this.#fenceFailed
      ? `an earlier fence failed (${this.#fenceFailed})`
      : "MySQL came up writable (restart or manual change)";
    log("node").warn`MySQL is writable but this node is ${this.#state.role}: read-only now; ${why}`;
    try {
      await this.deps.mysql.setReadOnly(true);
      this.#fenceFailed = null;
    } catch (error) {
      log("node").error`could not set read-only: ${oneLine(error)}`;
      await this.deps.mysql.reset();
    }
  }
}

/** An event in a few words for the log: its type, and a message's kind and sender. */
function describe(event: EventInput): string {
  if (event.type === "message") return `${event.message.kind} from ${event.message.from}`;
  if (event.type === "admin") return `admin ${event.command.kind}`;
  return `${event.type} event`;
}
