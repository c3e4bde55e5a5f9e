/**
 * The simulated cluster: N nodes, each the real election core behind a model shell (persist,
 * then effects in order, with latencies), a MariaDB model, a network, a client, and a virtual
 * clock. Everything happens on one queue; one seed decides everything.
 */
import { mariadbComparator } from "../gtid/mod.ts";
import {
  type AdminCommand,
  type Effect,
  emptyMeta,
  initialState,
  leaseOf,
  type Message,
  type PersistedMeta,
  type RaftEvent,
  type RaftOptions,
  raftOptions,
  type RaftState,
  step,
} from "../raft/mod.ts";
import { MysqlModel, type Txn } from "./mysql_model.ts";
import { Network } from "./network.ts";
import type { Rng } from "./prng.ts";
import { EventQueue } from "./queue.ts";
import { Invariants } from "./invariants.ts";

/** A core event before the node's clock stamps it. */
type Untimed<E = RaftEvent> = E extends RaftEvent ? Omit<E, "now"> : never;

export type AgentStatus = "running" | "paused" | "crashed";

type ResultEvent =
  | { type: "replicationFrozen"; position: string | null; error?: string }
  | { type: "catchUpDone"; ok: boolean; error?: string }
  | { type: "fenced"; term: number; ok: boolean };

type SimEvent =
  | { k: "tick"; node: SimNode; life: number }
  | { k: "observe"; node: SimNode; life: number }
  | { k: "deliver"; message: Message }
  | { k: "effect"; node: SimNode; life: number; effect: Effect }
  | { k: "result"; node: SimNode; life: number; event: ResultEvent }
  /** The second half of a promote: the lease re-check right before read_only=OFF. */
  | { k: "writable"; node: SimNode; life: number; term: number }
  | { k: "pump" }
  | { k: "client" }
  | { k: "action"; label: string; run: () => void };

export interface SimNode {
  readonly id: string;
  readonly index: number;
  options: RaftOptions;
  state: RaftState;
  disk: PersistedMeta | null;
  agent: AgentStatus;
  /** Incremented at every agent crash: stale timers and effects of a dead process are dropped. */
  life: number;
  /** Clock rate relative to real time, and offset: local = offset + rate * t. */
  rate: number;
  offset: number;
  mysql: MysqlModel;
  /** When the serial effect executor is free again (real time). */
  busyUntil: number;
  /** Events that reached a paused agent; handled on resume. */
  deferred: SimEvent[];
  /** Paused or crashed since it was last fenced: its writable MySQL has no live agent. */
  unattended: boolean;
  catchUpDeadline: number | null;
  /** mysqld starts so far, and the count the agent last observed: a restart it did not see
   * (crash and restart between two samples) reads as one dead sample, as the daemon's poller
   * notices by MySQL's uptime going back. */
  mysqlBoots: number;
  observedBoots: number;
  /** The dead sample of a restart was reported: the next live one says `restarted`. */
  restartUnreported: boolean;
  /** A mysqld start dropped unapplied relay log events the core has not been told of yet. */
  relayLogDiscarded: boolean;
  /** Faults armed on this node's next promote (pause before read_only=OFF) and fence (fails). */
  promotePauseMs: number;
  fenceFails: boolean;
}

/** The faults the nemesis injects that a run counts (printed by `deno task sim`). */
export type CountedFault =
  | "restart amnesia"
  | "paused promote"
  | "failed fence"
  | "relay-log discard";

export interface WorldConfig {
  readonly nodes: number;
  readonly seed: number;
  readonly options: Partial<RaftOptions>;
  /** Clock rates are drawn within ±(bound × this), e.g. 0.9 = inside the bound. */
  readonly driftUse: number;
  readonly traceLimit: number;
}

const PUMP_MS = 20;
const CLIENT_MS = 50;
const OBSERVE_MS = 250;

export class World {
  readonly nodes: SimNode[] = [];
  readonly net: Network;
  readonly queue = new EventQueue<SimEvent>();
  readonly inv: Invariants;
  readonly trace: string[] = [];
  now = 0;
  steps = 0;
  elections = 0;
  private nextTxnId = 1;
  clientEnabled = true;
  /** When the last fault was healed (null while faults may still happen). */
  healedAt: number | null = null;
  readonly faults = new Map<CountedFault, number>();
  /** Called for every message a node sends (scenarios hook faults to protocol moments). */
  onSend: ((from: SimNode, message: Message) => void) | null = null;

  constructor(readonly rng: Rng, readonly cfg: WorldConfig) {
    this.net = new Network(rng.fork("net"));
    this.inv = new Invariants(this);
    const names = Array.from({ length: cfg.nodes }, (_, i) => `10.0.0.${i + 1}:8801`);
    for (const [i, id] of names.entries()) {
      const options = raftOptions(id, mariadbComparator, {
        seed: rng.int(1, 2 ** 31),
        ...cfg.options,
      });
      const bound = options.clockDriftBound * cfg.driftUse;
      const node: SimNode = {
        id,
        index: i,
        options,
        state: initialState(options),
        disk: { ...emptyMeta(id, false), epochId: 1, peers: names },
        agent: "crashed",
        life: 0,
        rate: 1 + rng.between(-bound, bound),
        offset: rng.between(0, 1e6),
        mysql: new MysqlModel(i + 1, rng.int(1, 6)),
        busyUntil: 0,
        deferred: [],
        unattended: false,
        catchUpDeadline: null,
        mysqlBoots: 0,
        observedBoots: 0,
        restartUnreported: false,
        relayLogDiscarded: false,
        promotePauseMs: 0,
        fenceFails: false,
      };
      this.nodes.push(node);
    }
    for (const n of this.nodes) this.startAgent(n);
    this.queue.push(PUMP_MS, { k: "pump" });
    this.queue.push(CLIENT_MS, { k: "client" });
  }

  node(id: string): SimNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  local(n: SimNode, t = this.now): number {
    return n.offset + n.rate * t;
  }

  /** Real delay for `ms` of a node's local clock. */
  private realDelay(n: SimNode, ms: number): number {
    return ms / n.rate;
  }

  log(text: string): void {
    this.trace.push(`${(this.now / 1000).toFixed(3)}s ${text}`);
    if (this.trace.length > this.cfg.traceLimit * 2) this.trace.splice(0, this.cfg.traceLimit);
  }

  at(delayMs: number, label: string, run: () => void): void {
    this.queue.push(this.now + delayMs, { k: "action", label, run });
  }

  /** Runs until `until` (real virtual ms) or the first violation; returns false on violation. */
  runUntil(until: number, maxSteps = 5_000_000): boolean {
    for (let i = 0; i < maxSteps; i++) {
      const next = this.queue.pop();
      if (next === undefined || next.at > until) {
        if (next !== undefined) this.queue.push(next.at, next.item);
        this.now = until;
        return true;
      }
      this.now = next.at;
      this.steps++;
      this.handle(next.item);
      this.inv.afterStep();
      if (this.inv.violations.length > 0) return false;
    }
    return true;
  }

  private handle(e: SimEvent): void {
    switch (e.k) {
      case "tick":
        if (e.life !== e.node.life) return;
        this.feed(e.node, { type: "tick" });
        this.queue.push(this.now + this.realDelay(e.node, e.node.options.tickMs), e);
        return;
      case "observe":
        if (e.life !== e.node.life) return;
        // A paused agent takes no sample (nor misses the restart one of them would show).
        if (e.node.agent === "running") {
          this.feed(e.node, { type: "mysql", observation: this.observation(e.node) });
        }
        this.queue.push(this.now + this.realDelay(e.node, OBSERVE_MS), e);
        return;
      case "deliver": {
        const to = this.node(e.message.to);
        if (to === undefined || to.agent === "crashed") return;
        this.feed(to, { type: "message", message: e.message });
        return;
      }
      case "effect":
        if (e.life !== e.node.life) return;
        if (e.node.agent === "paused") return void e.node.deferred.push(e);
        return this.execute(e.node, e.effect);
      case "result":
        if (e.life !== e.node.life) return;
        return this.feed(e.node, e.event);
      case "writable":
        if (e.life !== e.node.life) return;
        if (e.node.agent === "paused") return void e.node.deferred.push(e);
        return this.makeWritable(e.node, e.term);
      case "pump":
        this.pump();
        this.queue.push(this.now + PUMP_MS, e);
        return;
      case "client":
        if (this.clientEnabled) this.clientWrites();
        this.queue.push(this.now + CLIENT_MS, e);
        return;
      case "action":
        if (!e.label.startsWith("operator")) this.log(`nemesis: ${e.label}`);
        e.run();
        return;
    }
  }

  observation(n: SimNode) {
    const m = n.mysql;
    if (n.observedBoots !== n.mysqlBoots) {
      n.observedBoots = n.mysqlBoots;
      n.restartUnreported = true;
      return { alive: false, ioRunning: false, sqlRunning: false, position: null };
    }
    const restarted = n.restartUnreported && m.alive;
    const relayLogDiscarded = restarted && n.relayLogDiscarded;
    if (restarted) n.restartUnreported = n.relayLogDiscarded = false;
    const src = m.master === null ? undefined : this.node(m.master);
    const connected = src !== undefined && this.replicates(n, src) && m.isPrefixOf(src.mysql);
    return {
      alive: m.alive,
      ioRunning: m.alive && m.ioRunning && connected,
      sqlRunning: m.alive && m.sqlRunning,
      position: m.alive ? m.position() : null,
      diverged: m.alive && m.ioError !== null,
      // The agent supervises mysqld: a dead server is a stopped process, not a partition.
      stopped: !m.alive,
      restarted,
      relayLogDiscarded,
    };
  }

  /** Hands one event to a node's core (deferring it while the agent is paused). */
  feed(n: SimNode, ev: Untimed): void {
    if (n.agent === "crashed") return;
    if (n.agent === "paused") {
      if (ev.type === "tick" || ev.type === "mysql" || ev.type === "admin") return; // frozen
      if (ev.type === "message") {
        return void n.deferred.push({ k: "deliver", message: ev.message });
      }
      if (ev.type === "replicationFrozen" || ev.type === "catchUpDone" || ev.type === "fenced") {
        n.deferred.push({ k: "result", node: n, life: n.life, event: ev });
      }
      return;
    }
    const before = n.state;
    const t = step(n.options, n.state, { ...ev, now: this.local(n) } as RaftEvent);
    n.state = t.state;
    if (t.persist !== null) {
      n.disk = t.persist;
      this.inv.persisted(n, t.persist);
    }
    for (const note of t.notes) this.log(`${n.id} ${note}`);
    if (t.admin) this.log(`${n.id} admin ${t.admin.ok ? "ok" : "refused"}: ${t.admin.reason}`);
    if (before.role !== "LEADER" && t.state.role === "LEADER") {
      this.elections++;
      this.inv.becameLeader(n, before);
    }
    for (const effect of t.effects) this.schedule(n, effect);
  }

  private schedule(n: SimNode, effect: Effect): void {
    const start = Math.max(this.now, n.busyUntil);
    const latency = this.latency(n, effect);
    n.busyUntil = start + latency;
    this.queue.push(n.busyUntil, { k: "effect", node: n, life: n.life, effect });
  }

  private latency(n: SimNode, e: Effect): number {
    switch (e.kind) {
      case "send":
        return 0;
      case "fence":
        return this.rng.between(1, n.options.fenceBudgetMs * 0.95 / n.rate);
      case "promote":
      case "setReadOnly":
      case "changeMaster":
        return this.rng.between(1, 30);
      case "freezeReplication":
        return this.rng.between(1, 20);
      default:
        return this.rng.between(0, 5);
    }
  }

  private execute(n: SimNode, e: Effect): void {
    const m = n.mysql;
    if (e.kind !== "send") this.log(`${n.id} ${e.kind}: ${e.reason}`);
    switch (e.kind) {
      case "send":
        if (e.validUntil !== undefined && this.local(n) >= e.validUntil) {
          return this.log(`${n.id} ${e.message.kind} to ${e.message.to} dropped: too late`);
        }
        this.inv.sending(e.message);
        this.onSend?.(n, e.message);
        return this.transmit(e.message);
      case "fence":
        for (const p of m.pending) p.clientWaiting = false; // connections killed
        if (n.fenceFails && m.alive) return this.escalateFence(n);
        if (m.alive) m.readOnly = true;
        n.unattended = false;
        // A dead server takes no writes either: the fence holds.
        return this.result(n, { type: "fenced", term: n.state.term, ok: true });
      case "setReadOnly":
        if (m.alive) m.readOnly = true;
        n.unattended = false;
        return;
      case "freezeReplication":
        m.ioRunning = false;
        return this.result(n, {
          type: "replicationFrozen",
          position: m.alive ? m.position() : null,
          error: m.alive ? undefined : "MySQL is down",
        });
      case "changeMaster":
        if (!m.alive) return;
        m.master = e.to;
        m.allowedReplicas = null;
        m.semiSyncAck = e.semiSyncAck;
        m.ioRunning = true;
        m.ioError = null;
        return;
      case "catchUp":
        n.catchUpDeadline = e.deadline;
        return;
      case "promote":
        if (!m.alive) return;
        if (this.local(n) >= e.validUntil) return this.log(`${n.id} promote skipped: lease over`);
        m.ioRunning = false;
        m.master = null;
        m.waitCount = e.semiSyncWaitCount;
        m.allowedReplicas = new Set(e.replicas);
        return this.pauseInPromote(n);
      case "runLeaderStart":
      case "runLeaderStop":
        return;
    }
  }

  /** A paused-promote fault stops the agent here, between the lease check and read_only=OFF. */
  private pauseInPromote(n: SimNode): void {
    const pause = n.promotePauseMs;
    const term = n.state.term;
    n.promotePauseMs = 0;
    if (pause <= 0) return this.makeWritable(n, term);
    this.count("paused promote");
    this.log(`${n.id} agent paused for ${Math.round(pause)} ms inside promote`);
    this.queue.push(this.now, { k: "writable", node: n, life: n.life, term });
    this.pauseAgent(n);
    this.at(pause, `resume ${n.id} paused in promote`, () => this.resumeAgent(n));
  }

  /**
   * The daemon re-checks the core's lease on its monotonic clock right before read_only=OFF: a
   * leader that lost it meanwhile fences at its next tick instead.
   */
  private makeWritable(n: SimNode, term: number): void {
    const m = n.mysql;
    if (!m.alive) return;
    const lease = leaseOf(n.options, n.state, this.local(n));
    const current = n.state.term === term && n.state.leadership?.phase === "writable";
    if (!current || lease?.valid !== true) {
      return this.log(`${n.id} promote stopped before read_only=OFF: lease over`);
    }
    if (m.readOnly) this.inv.promoting(n);
    m.readOnly = false;
  }

  /**
   * A fence whose read_only failed: the daemon stops mysqld hard (SIGKILL: nothing commits there
   * any more, the waiting commits end unacknowledged), which confirms the fence, and the monitor
   * starts it again read-only, as a replica (--init-rpl-role=SLAVE).
   */
  private escalateFence(n: SimNode): void {
    n.fenceFails = false;
    this.count("failed fence");
    this.log(`${n.id} fence failed: mysqld stopped hard, restarted read-only`);
    n.mysql.alive = false;
    n.unattended = false;
    const life = n.life;
    this.result(n, { type: "fenced", term: n.state.term, ok: true });
    this.at(this.rng.between(200, 2000), `monitor restarts mysqld of ${n.id}`, () => {
      if (n.life === life) this.restartMysql(n, true);
    });
  }

  count(fault: CountedFault): void {
    this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
  }

  private result(n: SimNode, event: ResultEvent): void {
    this.queue.push(this.now, { k: "result", node: n, life: n.life, event });
  }

  private transmit(message: Message): void {
    if (!this.net.canSend(message.from, message.to)) return;
    for (const d of this.net.delays()) this.queue.push(this.now + d, { k: "deliver", message });
  }

  /** Replication, semi-sync acks, SQL thread progress and catch-up results. */
  private pump(): void {
    for (const r of this.nodes) {
      const m = r.mysql;
      if (!m.alive) continue;
      const src = m.master === null ? undefined : this.node(m.master);
      if (m.ioRunning && src !== undefined && this.replicates(r, src)) {
        if (!m.isPrefixOf(src.mysql)) {
          m.ioRunning = false;
          m.ioError = `error 1236: replica ${m.position()} diverged from ${src.mysql.position()}`;
          this.log(`${r.id} IO thread stopped: ${m.ioError}`);
        } else {
          const missing = src.mysql.history.slice(m.history.length, m.history.length + 50);
          for (const txn of missing) {
            m.append(txn);
            if (m.semiSyncAck) this.ack(src, r, txn);
          }
        }
      }
      if (m.sqlRunning) m.applied = Math.min(m.history.length, m.applied + m.applyRate);
      if (r.catchUpDeadline !== null && r.agent !== "crashed") {
        if (m.alive && m.applied >= m.history.length) {
          r.catchUpDeadline = null;
          this.result(r, { type: "catchUpDone", ok: true });
        } else if (this.local(r) >= r.catchUpDeadline) {
          r.catchUpDeadline = null;
          this.result(r, { type: "catchUpDone", ok: false, error: "relay log not applied" });
        }
      }
    }
  }

  /** A replica's IO thread can pull from `src` now (alive, reachable, not refused). */
  replicates(r: SimNode, src: SimNode): boolean {
    const allowed = src.mysql.allowedReplicas;
    return src.mysql.alive && this.net.connected(r.id, src.id) &&
      (allowed === null || allowed.has(r.id));
  }

  private ack(master: SimNode, replica: SimNode, txn: Txn): void {
    const p = master.mysql.pending.find((x) => x.txn.id === txn.id);
    if (p === undefined) return;
    p.acks.add(replica.id);
    this.settle(master);
  }

  /** Commits whose acks reached the wait count complete; the client hears of the live ones. */
  settle(master: SimNode): void {
    const m = master.mysql;
    const done = m.pending.filter((p) => p.acks.size >= m.waitCount);
    if (done.length === 0) return;
    m.pending = m.pending.filter((p) => p.acks.size < m.waitCount);
    for (const p of done) if (p.clientWaiting) this.inv.acknowledged(master, p.txn);
  }

  /** The client writes to every node that accepts writes, as a VIP or a proxy would send it. */
  private clientWrites(): void {
    for (const n of this.nodes) {
      const m = n.mysql;
      if (!m.alive || m.readOnly || m.pending.length > 20) continue;
      const txn = m.write(this.nextTxnId++);
      m.pending.push({ txn, acks: new Set(), clientWaiting: true });
      this.settle(n);
    }
  }

  // ---- nemesis and operator actions ----

  startAgent(n: SimNode): void {
    n.agent = "running";
    n.life++;
    n.busyUntil = this.now;
    n.deferred = [];
    n.catchUpDeadline = null;
    n.state = initialState(n.options);
    this.feed(n, { type: "start", meta: n.disk });
    this.feed(n, { type: "mysql", observation: this.observation(n) });
    this.queue.push(this.now + this.rng.between(0, n.options.tickMs), {
      k: "tick",
      node: n,
      life: n.life,
    });
    this.queue.push(this.now + this.rng.between(0, OBSERVE_MS), {
      k: "observe",
      node: n,
      life: n.life,
    });
  }

  crashAgent(n: SimNode): void {
    if (n.agent === "crashed") return;
    n.agent = "crashed";
    n.life++;
    n.deferred = [];
    if (!n.mysql.readOnly) n.unattended = true;
  }

  /** Host crash: agent and mysqld die; mysqld restarts read-only, replication stopped. */
  crashHost(n: SimNode): void {
    this.crashAgent(n);
    n.mysql.alive = false;
  }

  restartMysql(n: SimNode, truncates: boolean): void {
    const m = n.mysql;
    if (m.alive) return;
    m.alive = true;
    n.mysqlBoots++;
    m.readOnly = true;
    m.ioError = null;
    m.ioRunning = false;
    m.master = null;
    // relay_log_recovery=ON: what the SQL thread had not applied is gone, acknowledged or not.
    if (m.applied < m.history.length) {
      n.relayLogDiscarded = true;
      this.count("relay-log discard");
      this.log(`${n.id} relay log discarded: ${m.history.length - m.applied} unapplied`);
      m.discardRelayLog();
    }
    if (truncates) m.truncateUnacknowledged();
    else m.pending = [];
  }

  pauseAgent(n: SimNode): void {
    if (n.agent !== "running") return;
    n.agent = "paused";
    if (!n.mysql.readOnly) n.unattended = true;
  }

  resumeAgent(n: SimNode): void {
    if (n.agent !== "paused") return;
    n.agent = "running";
    this.feed(n, { type: "tick" }); // the first thing a resumed process sees is the time
    const deferred = n.deferred;
    n.deferred = [];
    for (const e of deferred) this.queue.push(this.now, e);
    n.busyUntil = Math.max(n.busyUntil, this.now);
  }

  /** Changes a node's clock rate from now on without a jump in its clock (SIM-05). */
  setClockRate(n: SimNode, rate: number): void {
    const local = this.local(n);
    n.rate = rate;
    n.offset = local - rate * this.now;
  }

  /** An errant write on a node that is not replicating (SIM-07). */
  errantWrite(n: SimNode): void {
    if (!n.mysql.alive) return;
    const txn = n.mysql.write(this.nextTxnId++);
    this.log(`${n.id} errant transaction ${txn.gtid}`);
  }

  /** The operator's rebuild of an INVALID node from the current leader. */
  rebuild(n: SimNode, from: SimNode): void {
    n.mysql.replaceHistory(from.mysql.history);
    n.mysql.ioError = null;
    n.mysql.ioRunning = false;
    n.mysql.master = null;
    this.log(`${n.id} rebuilt from ${from.id} at ${n.mysql.position()}`);
  }

  admin(n: SimNode, command: AdminCommand): void {
    this.feed(n, { type: "admin", command });
  }

  writableLeader(): SimNode | undefined {
    return this.nodes.find((n) =>
      n.agent === "running" && n.state.role === "LEADER" &&
      n.state.leadership?.phase === "writable" &&
      n.mysql.alive && !n.mysql.readOnly
    );
  }
}
