/**
 * The simulated cluster: N hosts, each running the daemon's own agent (src/node's event loop,
 * effect executor and poller) on simulated ports, a MariaDB model, a network, a client, and a
 * virtual clock. Everything happens on one queue; one seed decides everything. After each queue
 * event the agents' promise chains run to completion (see `quiesce`) before the invariants are
 * checked, so a seed replays exactly.
 */
import { mariadbComparator } from "../gtid/mod.ts";
import { type AdminCommand, emptyMeta, type Message, raftOptions } from "../raft/mod.ts";
import type { RaftOptions } from "../raft/mod.ts";
import { AgentProcess } from "./agent.ts";
import { Invariants } from "./invariants.ts";
import { NEW_FAULTS, type NewFault, seededDurability } from "./faults.ts";
import { MysqlModel, type PendingCommit } from "./mysql_model.ts";
import { Network } from "./network.ts";
import type { Rng } from "./prng.ts";
import { EventQueue } from "./queue.ts";
import { silenceLogging } from "./silent_log.ts";
import { SimNode } from "./sim_node.ts";

export { type AgentStatus, SimNode } from "./sim_node.ts";

type SimEvent =
  | { k: "call"; run: () => void }
  | { k: "pump" }
  | { k: "client" }
  | { k: "action"; label: string; run: () => void };

/** The faults the nemesis injects that a run counts (printed by `deno task sim`). */
export type CountedFault =
  | "restart amnesia"
  | "paused promote"
  | "failed fence"
  | "relay-log discard"
  | NewFault;

export const COUNTED_FAULTS: readonly CountedFault[] = [
  "restart amnesia",
  "paused promote",
  "failed fence",
  "relay-log discard",
  ...NEW_FAULTS,
];

export interface WorldConfig {
  readonly nodes: number;
  readonly seed: number;
  readonly options: Partial<RaftOptions>;
  /** Clock rates are drawn within ±(bound × this), e.g. 0.9 = inside the bound. */
  readonly driftUse: number;
  readonly traceLimit: number;
}

/** A catch-up waiting for the relay log to be applied (SimMysqlSession.catchUp), real ms. */
export interface CatchUpWait {
  node: SimNode;
  deadlineAt: number;
  /** False once the agent said it no longer waits (its progress callback answered false). */
  wanted: boolean;
  progress: { everyMs: number; nextAt: number; report(): void } | null;
  done(reached: boolean): void;
}

const MARIADB_WAIT_LIMIT = { count: 1, why: "MariaDB semi-sync waits for one replica at most" };
const PUMP_MS = 20;
const CLIENT_MS = 50;
/** The OS writes back the binlog and InnoDB flushes its redo log about once a second. */
const SYNC_EVERY_PUMPS = 50;
/**
 * Microtask turns with nothing new happening after which a queue event counts as done: the
 * longest chain of awaits between two observable steps of an agent is shorter (measured on
 * seeds 1-100: 2 or 4 turns change their figures, 6 to 200 give the same ones).
 */
const QUIET_TURNS = 12;
const MAX_TURNS = 10_000;

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
  private nextThreadId = 1;
  clientEnabled = true;
  /**
   * A client whose account has READ ONLY ADMIN (the harness enables it): it writes through
   * read_only wherever the VIP is, until the server is stopped or the VIP moves.
   */
  adminWriter = false;
  adminWrites = 0;
  /** When the last fault was healed (null while faults may still happen). */
  healedAt: number | null = null;
  readonly faults = new Map<CountedFault, number>();
  /** Called for every message a node sends (scenarios hook faults to protocol moments). */
  onSend: ((from: SimNode, message: Message) => void) | null = null;
  /** Counts what the agents do, so that `quiesce` sees when they stopped doing anything. */
  activity = 0;
  private catchUps: CatchUpWait[] = [];
  private pumps = 0;
  /** The node leader-start-command last moved the VIP to: where the client reads. */
  vip: string | null = null;

  constructor(readonly rng: Rng, readonly cfg: WorldConfig) {
    silenceLogging();
    this.net = new Network(rng.fork("net"));
    this.inv = new Invariants(this);
    const names = Array.from({ length: cfg.nodes }, (_, i) => `10.0.0.${i + 1}:8801`);
    const durability = rng.fork("durability");
    for (const [i, id] of names.entries()) {
      const options = raftOptions(id, mariadbComparator, {
        seed: rng.int(1, 2 ** 31),
        // As the daemon tells the core on MariaDB (daemon.ts): no wait-count variable.
        semiSyncWaitLimit: MARIADB_WAIT_LIMIT,
        ...cfg.options,
      });
      const bound = options.clockDriftBound * cfg.driftUse;
      this.nodes.push(
        new SimNode(
          id,
          i,
          options,
          { ...emptyMeta(id, false), epochId: 1, peers: names },
          1 + rng.between(-bound, bound),
          rng.between(0, 1e6),
          new MysqlModel(i + 1, rng.int(1, 6), seededDurability(durability)),
        ),
      );
    }
    for (const n of this.nodes) this.startAgent(n);
    this.queue.push(PUMP_MS, { k: "pump" });
    this.queue.push(CLIENT_MS, { k: "client" });
  }

  node(id: string): SimNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  nodeByHost(host: string): SimNode | undefined {
    return this.nodes.find((n) => n.host === host);
  }

  log(text: string): void {
    this.activity++;
    this.trace.push(`${(this.now / 1000).toFixed(3)}s ${text}`);
    if (this.trace.length > this.cfg.traceLimit * 2) this.trace.splice(0, this.cfg.traceLimit);
  }

  /** A MySQL connection id, unique in this world. */
  newThreadId(): number {
    return this.nextThreadId++;
  }

  /** Runs `run` after `delayMs` of real (virtual) time. */
  later(delayMs: number, run: () => void): void {
    this.activity++;
    this.queue.push(this.now + delayMs, { k: "call", run });
  }

  /** A nemesis or operator action after `delayMs`, named in the trace. */
  at(delayMs: number, label: string, run: () => void): void {
    this.queue.push(this.now + delayMs, { k: "action", label, run });
  }

  /** Runs until `until` (real virtual ms) or the first violation; resolves false on violation. */
  async runUntil(until: number, maxSteps = 5_000_000): Promise<boolean> {
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
      await this.quiesce();
      this.inv.afterStep();
      if (this.inv.violations.length > 0) return false;
    }
    return true;
  }

  /**
   * Lets every promise chain the last event started run until it waits for a later queue event
   * (a port's answer, a timer) or ends: microtask turns only, never a real timer, so the order
   * is the same on every run.
   */
  private async quiesce(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < MAX_TURNS && quiet < QUIET_TURNS; turn++) {
      const before = this.activity;
      await null;
      quiet = this.activity === before ? quiet + 1 : 0;
    }
  }

  private handle(e: SimEvent): void {
    switch (e.k) {
      case "call":
        return e.run();
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

  count(fault: CountedFault): void {
    this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
  }

  /** Answers `wait` once its node applied all it received (true), or at its deadline (false). */
  waitForApplied(wait: CatchUpWait): void {
    this.catchUps.push(wait);
  }

  /** Replication, semi-sync acks, SQL thread progress and catch-up results. */
  private pump(): void {
    this.pumps++;
    for (const r of this.nodes) {
      const m = r.mysql;
      if (!m.alive || m.paused) continue;
      if (this.pumps % SYNC_EVERY_PUMPS === r.index % SYNC_EVERY_PUMPS) m.sync();
      const src = m.master === null ? undefined : this.node(m.master);
      const pulls = src !== undefined && this.net.replicationPulls(r.id, src.id, this.pumps);
      if (m.ioRunning && src !== undefined && pulls && this.replicates(r, src)) {
        if (!m.isPrefixOf(src.mysql)) {
          m.ioRunning = false;
          m.ioError = `error 1236: replica ${m.position()} diverged from ${src.mysql.position()}`;
          this.log(`${r.id} IO thread stopped: ${m.ioError}`);
        } else {
          const missing = src.mysql.history.slice(m.history.length, m.history.length + 50);
          for (const txn of missing) m.append(txn);
          if (m.semiSyncAck && missing.length > 0) this.ack(src, r);
        }
      }
      if (m.sqlRunning) m.applied = Math.min(m.history.length, m.applied + m.applyRate);
    }
    if (this.catchUps.length > 0) this.answerCatchUps();
  }

  private answerCatchUps(): void {
    this.catchUps = this.catchUps.filter((c) => {
      const m = c.node.mysql;
      const reached = m.alive && m.applied >= m.history.length;
      if (!reached && c.wanted && this.now < c.deadlineAt) {
        if (c.progress !== null && this.now >= c.progress.nextAt) {
          c.progress.nextAt += c.progress.everyMs;
          c.progress.report();
        }
        return true;
      }
      c.done(reached);
      return false;
    });
  }

  /** A replica's IO thread can pull from `src` now (alive, reachable, not refused). */
  replicates(r: SimNode, src: SimNode): boolean {
    const allowed = src.mysql.allowedReplicas;
    return src.mysql.alive && !src.mysql.paused && this.net.connected(r.id, src.id) &&
      this.net.replicationOpen(r.id, src.id) &&
      (allowed === null || allowed.has(r.id));
  }

  /**
   * A semi-sync ack names a binlog position: it releases every commit up to it that the replica
   * holds, also those it got otherwise (a rebuild from this primary's backup).
   */
  private ack(master: SimNode, replica: SimNode): void {
    const held = master.mysql.pending.filter((p) => replica.mysql.ids.has(p.txn.id));
    if (held.length === 0) return;
    for (const p of held) p.acks.add(replica.id);
    this.settle(master);
  }

  /** Commits whose acks reached the wait count complete; the client hears of the live ones. */
  settle(master: SimNode): void {
    this.returned(master, master.mysql.releaseAcknowledged());
  }

  /** Commits that returned OK: the clients still waiting for them hear of it. */
  returned(master: SimNode, commits: readonly PendingCommit[]): void {
    for (const p of commits) if (p.clientWaiting) this.inv.acknowledged(master, p);
  }

  /**
   * Several writers write to every node that accepts writes, as a VIP or a proxy would send them
   * (their commits grouped); a reader reads from the node the VIP is on.
   */
  private clientWrites(): void {
    for (const n of this.nodes) {
      const m = n.mysql;
      if (!m.alive || m.paused || m.readOnly || m.pending.length > 20) continue;
      const writers = 1 + (this.nextTxnId % 3);
      m.commitGroup(Array.from({ length: writers }, () => this.nextTxnId++));
      this.settle(n);
    }
    const vip = this.vip === null ? undefined : this.node(this.vip);
    if (vip === undefined || !vip.mysql.alive || vip.mysql.paused) return;
    this.inv.read(vip);
    if (this.adminWriter && vip.mysql.readOnly && vip.mysql.pending.length <= 20) {
      vip.mysql.readOnlyAdmin = true;
      if (vip.mysql.commitGroup([this.nextTxnId++], { admin: true }) !== null) this.adminWrites++;
      this.settle(vip);
    }
  }

  // ---- nemesis and operator actions ----

  /** A new agent process on `n` (a still running one is killed first). */
  startAgent(n: SimNode): void {
    n.proc?.kill();
    n.proc = new AgentProcess(this, n);
    n.proc.start();
  }

  crashAgent(n: SimNode): void {
    if (n.agent === "crashed") return;
    n.proc!.kill();
    if (!n.mysql.readOnly) n.unattended = true;
  }

  /** Host crash: agent and mysqld die; mysqld restarts read-only, replication stopped. */
  crashHost(n: SimNode): void {
    this.crashAgent(n);
    n.mysql.alive = false;
    this.resumeMysqld(n);
  }

  /** mysqld SIGSTOPped: nothing it does happens until `resumeMysqld`. */
  pauseMysqld(n: SimNode): void {
    n.mysql.paused = true;
  }

  /** SIGCONT (or the process died): the statements it held run on, or fail once it is gone. */
  resumeMysqld(n: SimNode): void {
    n.mysql.paused = false;
    const held = n.held;
    n.held = [];
    for (const statement of held) this.later(0, statement);
  }

  restartMysql(n: SimNode, truncates: boolean): void {
    const m = n.mysql;
    if (m.alive) return;
    m.alive = true;
    this.resumeMysqld(n);
    n.mysqlBoots++;
    n.bootAt = n.local(this.now);
    m.readOnly = true;
    m.ioError = null;
    m.ioRunning = false;
    m.master = null;
    // relay_log_recovery=ON: what the SQL thread had not applied is gone, acknowledged or not.
    if (m.applied < m.history.length) {
      this.count("relay-log discard");
      this.log(`${n.id} relay log discarded: ${m.history.length - m.applied} unapplied`);
      m.discardRelayLog();
    }
    if (truncates) m.truncateUncommitted();
    else m.pending = [];
  }

  pauseAgent(n: SimNode): void {
    if (n.agent !== "running") return;
    n.proc!.pause();
    if (!n.mysql.readOnly) n.unattended = true;
  }

  resumeAgent(n: SimNode): void {
    if (n.agent !== "paused") return;
    n.proc!.resume();
  }

  /** Changes a node's clock rate from now on without a jump in its clock (SIM-05). */
  setClockRate(n: SimNode, rate: number): void {
    const local = n.local(this.now);
    n.rate = rate;
    n.offset = local - rate * this.now;
  }

  /** An errant write on a node that is not replicating (SIM-07). */
  errantWrite(n: SimNode): void {
    if (!n.mysql.alive) return;
    const txn = n.mysql.write(this.nextTxnId++);
    this.log(`${n.id} errant transaction ${txn.gtid}`);
  }

  /**
   * The operator's rebuild of an INVALID node from the current leader: a hot backup holds what
   * the storage engine committed, so not the commits still waiting for acknowledgements
   * (AFTER_SYNC: in the binlog, not yet committed); the rebuilt node replicates those.
   */
  rebuild(n: SimNode, from: SimNode): void {
    const waiting = new Set(from.mysql.pending.map((p) => p.txn.id));
    const history = from.mysql.history;
    const firstWaiting = history.findIndex((t) => waiting.has(t.id));
    n.mysql.replaceHistory(firstWaiting < 0 ? history : history.slice(0, firstWaiting));
    n.mysql.ioError = null;
    n.mysql.ioRunning = false;
    n.mysql.master = null;
    this.log(`${n.id} rebuilt from ${from.id} at ${n.mysql.position()}`);
  }

  /** An operator command to a running agent (`xenon raft ...`); its answer goes to the trace. */
  admin(n: SimNode, command: AdminCommand): void {
    if (n.agent !== "running") return;
    void n.proc!.node.admin(command).then((a) =>
      this.log(`${n.id} admin ${command.kind} ${a.ok ? "ok" : "refused"}: ${a.reason}`)
    );
  }

  writableLeader(): SimNode | undefined {
    return this.nodes.find((n) =>
      n.agent === "running" && n.proc!.node.writableLeader && n.mysql.alive && !n.mysql.readOnly
    );
  }
}
