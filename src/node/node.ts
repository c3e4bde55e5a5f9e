/**
 * The I/O shell around the election core: one serialized queue of jobs (events from the tick
 * timer, the MySQL poller, peers and the CLI), so the core is never re-entered. For each
 * transition the new peers.json is made durable first, then the effects run in order.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import {
  type AdminCommand,
  type Effect,
  initialState,
  type MysqlObservation,
  type PersistedMeta,
  type RaftEvent,
  type RaftOptions,
  type RaftState,
  step,
} from "../raft/mod.ts";
import { setReadOnly } from "../mysql/mod.ts";
import type { RpcClient } from "../rpc/mod.ts";
import type { LeaderCommands } from "../vip/mod.ts";
import { type EventInput, runEffect } from "./effects.ts";
import type { LocalMysql } from "./local_mysql.ts";
import { PeerAddresses } from "./peer_addresses.ts";
import { writePeersFile } from "./peers_file.ts";
import { RaftStats } from "./stats.ts";
import type { TransitionObserver } from "./status.ts";

export interface NodeDeps {
  config: XenonConfig;
  options: RaftOptions;
  metaDir: string;
  /** Connection for effects. */
  mysql: LocalMysql;
  /** Thread ids of other agent connections (the poller's), spared by fences. */
  otherThreads(): number[];
  rpc: RpcClient;
  leaderCommands: LeaderCommands;
  /** SIGKILLs mysqld and restarts it read-only; false when xenon may not (monitor disabled). */
  hardStopMysqld(reason: string): Promise<boolean>;
  /** A transition could not be made durable: the daemon must stop (it fenced already). */
  onFatal(reason: string): void;
  /** Told of every transition and effect (status counters, the flight recorder). */
  observers?: TransitionObserver[];
}

type AdminAnswer = { ok: boolean; reason: string };

export class XenonNode {
  readonly peers = new PeerAddresses();
  readonly stats = new RaftStats();
  #state: RaftState;
  #queue: (() => Promise<void>)[] = [];
  #draining = false;
  #tickQueued = false;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #promotedAt: number | null = null;
  #fenceFailed: string | null = null;
  #idle: PromiseWithResolvers<void> | null = null;
  #lastTickAt = performance.now();

  constructor(readonly deps: NodeDeps) {
    this.#state = initialState(deps.options);
  }

  get state(): RaftState {
    return this.#state;
  }

  /** performance.now() of the last successful promote, for switchover timing. */
  get promotedAt(): number | null {
    return this.#promotedAt;
  }

  /** Ms since the loop last processed a tick (`/liveness`: a stuck loop stops answering). */
  get loopAgeMs(): number {
    return performance.now() - this.#lastTickAt;
  }

  /** Whether this node is the leader and has made its MySQL writable. */
  get writableLeader(): boolean {
    return this.#state.role === "LEADER" && this.#state.leadership?.phase === "writable";
  }

  /** Starts the election from what peers.json held, and the tick timer. */
  start(meta: PersistedMeta | null): Promise<void> {
    const started = this.#submit({ type: "start", meta });
    this.#ticker = setInterval(() => this.#tick(), this.deps.options.tickMs);
    return started.then(() => {});
  }

  /** Ends the election: a leader fences and runs leader-stop-command (awaited) first. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    clearInterval(this.#ticker);
    await this.#submit({ type: "stop" });
    this.#stopped = true;
    await this.deps.leaderCommands.idle();
    await this.#drained();
  }

  /** An election message from a peer (already authenticated and validated). */
  receive(event: EventInput): void {
    void this.#submit(event);
  }

  /** A MySQL sample; a non-leader found writable is made read-only again at once. */
  observe(observation: MysqlObservation, readOnly: boolean | null): void {
    this.#enqueue(async () => {
      await this.#apply({ type: "mysql", observation });
      if (readOnly === false && !this.writableLeader && !this.#stopped) {
        await this.#enforceReadOnly();
      }
    });
  }

  /** An operator command; resolves with the core's answer. */
  async admin(command: AdminCommand): Promise<AdminAnswer> {
    return (await this.#submit({ type: "admin", command })) ??
      { ok: false, reason: "no answer from the election core" };
  }

  /** Runs `job` inside the loop, after everything queued before it. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#enqueue(() => job().then(resolve, reject));
    return promise;
  }

  #tick(): void {
    if (this.#tickQueued) return; // a busy loop coalesces ticks rather than piling them up
    this.#tickQueued = true;
    this.#enqueue(async () => {
      this.#tickQueued = false;
      this.#lastTickAt = performance.now();
      await this.#apply({ type: "tick" });
    });
  }

  #submit(event: EventInput): Promise<AdminAnswer | undefined> {
    return this.run(() => this.#apply(event));
  }

  #enqueue(job: () => Promise<void>): void {
    this.#queue.push(job);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const job = this.#queue.shift()!;
        try {
          await job();
        } catch (error) {
          log("node").error`event loop job failed: ${oneLine(error)}`;
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
    const event = { ...input, now: performance.now() } as RaftEvent;
    const before = this.#state;
    const t = step(this.deps.options, before, event);
    if (t.persist !== null) {
      try {
        await writePeersFile(this.deps.metaDir, t.persist);
      } catch (error) {
        // Without the durable vote/term the effects must not happen; the daemon stops instead.
        this.#stopped = true;
        this.deps.onFatal(oneLine(error));
        return { ok: false, reason: oneLine(error) };
      }
    }
    this.#state = t.state;
    for (const note of t.notes) log("raft").info`${note}`;
    this.stats.record(before, t.state, t.effects);
    for (const o of this.deps.observers ?? []) {
      o.transition({ event, before, after: t.state, effects: t.effects });
    }
    for (const effect of t.effects) await this.#run(effect);
    return t.admin;
  }

  async #run(effect: Effect): Promise<void> {
    const deps = this.deps;
    const startedAt = performance.now();
    await runEffect(
      {
        config: deps.config,
        options: deps.options,
        mysql: deps.mysql,
        ownThreads: deps.otherThreads,
        rpc: deps.rpc,
        peers: this.peers,
        leaderCommands: deps.leaderCommands,
        hardStopMysqld: deps.hardStopMysqld,
        enqueue: (event) => this.receive(event),
        onPromoted: () => {
          this.#promotedAt = performance.now();
          this.#fenceFailed = null;
          for (const o of deps.observers ?? []) o.promoted?.(this.#promotedAt);
        },
        onFenceFailed: (reason) => this.#fenceFailed = reason,
      },
      effect,
      this.#state,
    );
    const endedAt = performance.now();
    for (const o of deps.observers ?? []) o.effectDone?.(effect, startedAt, endedAt);
  }

  async #enforceReadOnly(): Promise<void> {
    const why = this.#fenceFailed
      ? `an earlier fence failed (${this.#fenceFailed})`
      : "MySQL came up writable (restart or manual change)";
    log("node").warn`MySQL is writable but this node is ${this.#state.role}: read-only now; ${why}`;
    try {
      await setReadOnly(await this.deps.mysql.get(), true);
      this.#fenceFailed = null;
    } catch (error) {
      log("node").error`could not set read-only: ${oneLine(error)}`;
      await this.deps.mysql.reset();
    }
  }
}
