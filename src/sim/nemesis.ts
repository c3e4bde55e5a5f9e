/**
 * Faults, drawn from the seed (swarm testing: each seed also draws which faults it uses and how
 * often): partitions of any shape, lossy and slow links, agent and host crashes, pauses,
 * stalled SQL threads, errant writes, membership changes, hand-overs; plus the operator who
 * rebuilds INVALID replicas, and the final heal after which a leader must appear.
 */
import { parseMariadbPosition } from "../gtid/mod.ts";
import { dataRefusal } from "../raft/mod.ts";
import { applyHostFault, HOST_FAULTS, type HostFault } from "./faults.ts";
import type { Rng } from "./prng.ts";
import type { SimNode, World } from "./world.ts";

type Fault =
  | "partition"
  | "heal"
  | "quality"
  | "crashAgent"
  | "crashHost"
  | "crashMysql"
  | "restart"
  | "pause"
  | "resume"
  | "stallSql"
  | "errant"
  | "membership"
  | "handover"
  | "disable"
  | "amnesia"
  | "pausePromote"
  | "failFence"
  | "relayDiscard"
  | HostFault;

const ALL: Fault[] = [
  "partition",
  "heal",
  "quality",
  "crashAgent",
  "crashHost",
  "crashMysql",
  "restart",
  "pause",
  "resume",
  "stallSql",
  "errant",
  "membership",
  "handover",
  "disable",
  "amnesia",
  "pausePromote",
  "failFence",
  "relayDiscard",
  ...HOST_FAULTS,
];

export class Nemesis {
  private readonly weights: Map<Fault, number>;
  private readonly meanGapMs: number;

  constructor(private readonly w: World, private readonly rng: Rng) {
    this.weights = new Map(ALL.map((f) => [f, rng.chance(0.75) ? rng.between(0.2, 1) : 0]));
    for (const f of ["heal", "restart", "resume"] as const) this.weights.set(f, 1.5);
    this.meanGapMs = rng.between(800, 5000);
  }

  /** Schedules random faults until `endMs`, then heals everything. */
  plan(endMs: number): void {
    let t = this.rng.between(2000, 6000);
    while (t < endMs) {
      const fault = this.draw();
      this.w.queue.push(t, { k: "action", label: fault, run: () => this.apply(fault) });
      t += this.rng.between(0.2, 1.8) * this.meanGapMs;
    }
    this.w.queue.push(endMs, { k: "action", label: "heal everything", run: () => this.healAll() });
    this.operator(endMs + 120_000);
  }

  private draw(): Fault {
    const total = [...this.weights.values()].reduce((a, b) => a + b, 0);
    let x = this.rng.between(0, total);
    for (const [f, weight] of this.weights) {
      x -= weight;
      if (x <= 0) return f;
    }
    return "heal";
  }

  private some(filter: (n: SimNode) => boolean): SimNode | undefined {
    const candidates = this.w.nodes.filter(filter);
    return candidates.length === 0 ? undefined : this.rng.pick(candidates);
  }

  /** Prefer hurting the leader: that is where the danger is. */
  private victim(filter: (n: SimNode) => boolean = () => true): SimNode | undefined {
    const leader = this.w.nodes.find((n) => n.state.role === "LEADER" && filter(n));
    return leader !== undefined && this.rng.chance(0.6) ? leader : this.some(filter);
  }

  private apply(fault: Fault): void {
    const w = this.w;
    const ids = w.nodes.map((n) => n.id);
    switch (fault) {
      case "partition":
        return this.partition(ids);
      case "heal":
        w.net.heal();
        return w.log(`  ${w.net.describe()}`);
      case "quality": {
        const e = w.nodes[0].options.electionTimeoutMs;
        w.net.quality = this.rng.chance(0.3)
          ? { drop: 0, duplicate: 0, slow: 0, longDelayMs: 0 }
          : {
            drop: this.rng.between(0, 0.3),
            duplicate: this.rng.between(0, 0.1),
            slow: this.rng.between(0, 0.2),
            longDelayMs: this.rng.between(10, 3 * e),
          };
        return w.log(`  network quality ${JSON.stringify(w.net.quality)}`);
      }
      case "crashAgent": {
        const n = this.victim((x) => x.agent !== "crashed");
        if (n) w.crashAgent(n), w.log(`  agent of ${n.id} killed`);
        return;
      }
      case "crashHost": {
        const n = this.victim((x) => x.mysql.alive);
        if (n) w.crashHost(n), w.log(`  host ${n.id} crashed`);
        return;
      }
      case "crashMysql": {
        // mysqld dies, its agent lives (F01): the leader hands over without waiting out its lease.
        const n = this.victim((x) => x.mysql.alive && x.agent === "running");
        if (n) n.mysql.alive = false, w.log(`  mysqld of ${n.id} killed`);
        return;
      }
      case "restart": {
        const n = this.some((x) => x.agent === "crashed" || !x.mysql.alive);
        if (n === undefined) return;
        if (!n.mysql.alive) w.restartMysql(n, this.rng.chance(0.7));
        if (n.agent === "crashed") w.startAgent(n);
        return w.log(`  ${n.id} restarted at ${n.mysql.position()}`);
      }
      case "pause": {
        const n = this.victim((x) => x.agent === "running");
        if (n) w.pauseAgent(n), w.log(`  agent of ${n.id} paused`);
        return;
      }
      case "resume": {
        const n = this.some((x) => x.agent === "paused");
        if (n) w.log(`  agent of ${n.id} resumed`), w.resumeAgent(n);
        return;
      }
      case "stallSql": {
        const n = this.some((x) => x.mysql.alive);
        if (n) {
          n.mysql.sqlRunning = !n.mysql.sqlRunning,
            w.log(`  ${n.id} SQL thread ${n.mysql.sqlRunning ? "started" : "stopped"}`);
        }
        return;
      }
      case "errant": {
        // Only beside a working leader: two diverged histories and no leader need a human.
        const leader = w.writableLeader();
        if (leader === undefined) return;
        const n = this.some((x) =>
          x !== leader && x.mysql.alive && !x.mysql.ioRunning && x.mysql.readOnly
        );
        if (n) w.errantWrite(n);
        return;
      }
      case "membership":
        return this.membership();
      case "handover": {
        const n = this.some((x) => x.agent === "running" && x.state.role === "FOLLOWER");
        if (n) w.admin(n, { kind: "tryToLead" });
        return;
      }
      case "disable": {
        const n = this.some((x) => x.agent === "running");
        if (n) w.admin(n, { kind: n.state.role === "IDLE" ? "enable" : "disable" });
        return;
      }
      case "amnesia":
        return this.restartAmnesia();
      case "pausePromote": {
        // Whoever promotes next stops between the lease check and read_only=OFF.
        const e = w.nodes[0].options.electionTimeoutMs;
        for (const n of w.nodes) n.promotePauseMs = this.rng.between(100, 2 * e);
        return w.log(`  the next promote pauses inside`);
      }
      case "failFence": {
        const n = this.victim((x) => x.agent === "running");
        if (n) n.fenceFails = true, w.log(`  the next fence on ${n.id} fails`);
        return;
      }
      case "relayDiscard":
        return this.relayDiscard();
      default:
        return applyHostFault(w, this.rng, fault, (filter) => this.victim(filter));
    }
  }

  /** An agent killed and restarted within the election timeout (its memory of leaders gone). */
  private restartAmnesia(): void {
    const w = this.w;
    const n = this.some((x) => x.agent === "running" && x.state.role !== "LEADER");
    if (n === undefined) return;
    const downMs = this.rng.between(50, n.options.electionTimeoutMs);
    w.count("restart amnesia");
    w.crashAgent(n);
    w.log(`  agent of ${n.id} killed, back in ${Math.round(downMs)} ms`);
    w.at(downMs, `agent of ${n.id} back`, () => {
      if (n.agent === "crashed") w.startAgent(n);
    });
  }

  /**
   * mysqld of the replica with the most unapplied relay log dies (restarted by a later fault);
   * with none lagging, one replica's SQL thread is stopped first so that one will.
   */
  private relayDiscard(): void {
    const w = this.w;
    const replicas = w.nodes.filter((x) => x.mysql.alive && x.mysql.master !== null);
    const backlog = (x: SimNode) => x.mysql.history.length - x.mysql.applied;
    const lagging = replicas.filter((x) => backlog(x) > 0).sort((a, b) => backlog(b) - backlog(a));
    if (lagging.length > 0) {
      lagging[0].mysql.alive = false;
      return w.log(`  mysqld of ${lagging[0].id} killed with ${backlog(lagging[0])} unapplied`);
    }
    const n = replicas.length === 0 ? undefined : this.rng.pick(replicas);
    if (n) n.mysql.sqlRunning = false, w.log(`  ${n.id} SQL thread stopped (lagging)`);
  }

  private partition(ids: string[]): void {
    const w = this.w;
    w.net.heal();
    const shape = this.rng.pick(["isolate", "split", "oneWay", "ring", "bridge"] as const);
    const order = this.rng.shuffle(ids);
    if (shape === "isolate" || shape === "oneWay") {
      const x = this.victim()?.id ?? order[0];
      for (const y of ids) {
        if (y === x) continue;
        if (shape === "isolate" || this.rng.chance(0.5)) w.net.block(x, y);
        else w.net.block(y, x);
      }
    } else if (shape === "split") {
      const cut = this.rng.int(1, ids.length - 1);
      const left = new Set(order.slice(0, cut));
      for (const a of ids) for (const b of ids) if (left.has(a) !== left.has(b)) w.net.block(a, b);
    } else if (shape === "ring") {
      // Each node sees only its ring neighbours: majorities that overlap but differ.
      for (const [i, a] of order.entries()) {
        for (const [j, b] of order.entries()) {
          const d = Math.min((i - j + ids.length) % ids.length, (j - i + ids.length) % ids.length);
          if (d > 1) w.net.block(a, b);
        }
      }
    } else {
      // Bridge: two halves that only one node connects.
      const bridge = order[0];
      const half = Math.floor((ids.length - 1) / 2);
      const left = new Set(order.slice(1, 1 + half));
      for (const a of ids) {
        for (const b of ids) {
          if (a === bridge || b === bridge) continue;
          if (left.has(a) !== left.has(b)) w.net.block(a, b);
        }
      }
    }
    w.log(`  partition ${shape}: ${w.net.describe()}`);
  }

  private membership(): void {
    const w = this.w;
    const leader = w.writableLeader();
    if (leader === undefined) return;
    const all = w.nodes.map((n) => n.id);
    const absent = all.filter((id) => !leader.state.peers.includes(id));
    if (absent.length > 0 && this.rng.chance(0.7)) {
      return w.admin(leader, { kind: "addPeer", endpoint: this.rng.pick(absent) });
    }
    if (leader.state.peers.length <= 3) return;
    const others = leader.state.peers.filter((p) => p !== leader.id);
    w.admin(leader, { kind: "removePeer", endpoint: this.rng.pick(others) });
  }

  private healAll(): void {
    const w = this.w;
    w.net.heal();
    w.net.quality = { drop: 0, duplicate: 0, slow: 0, longDelayMs: 0 };
    w.net.healReplication();
    for (const n of w.nodes) {
      n.fenceFails = false;
      n.armed.clear();
      if (n.mysql.paused) w.resumeMysqld(n);
      n.promotePauseMs = 0;
      if (!n.mysql.alive) w.restartMysql(n, true);
      n.mysql.sqlRunning = true;
      if (n.agent === "paused") w.resumeAgent(n);
      if (n.agent === "crashed") w.startAgent(n);
    }
    // Once the agents just started have read peers.json: the disabled ones are enabled again,
    // and each second for a while (an agent that was stopping refused; a paused one takes a
    // disable sent before the heal only after it).
    const enable = (left: number) => {
      for (const n of w.nodes) {
        const disabled = n.state.role === "IDLE" && n.state.mode === "idle";
        if (disabled && n.agent === "running") w.admin(n, { kind: "enable" });
      }
      if (left > 0) w.at(1000, "operator enables again", () => enable(left - 1));
    };
    w.at(1, "operator enables disabled nodes", () => enable(20));
    w.healedAt = w.now;
  }

  /** The operator: rebuilds INVALID or broken replicas and restores membership. */
  private operator(untilMs: number): void {
    const w = this.w;
    const round = () => {
      const leader = w.writableLeader();
      if (leader !== undefined) {
        for (const n of w.nodes) {
          if (n === leader || n.agent !== "running") continue;
          const broken = n.state.role === "INVALID" || n.mysql.ioError !== null;
          if (!broken || !w.net.connected(n.id, leader.id)) continue;
          w.admin(n, { kind: "setLearner" });
          w.rebuild(n, leader);
          w.admin(n, { kind: "enable" });
        }
        if (w.healedAt !== null) {
          for (const id of w.nodes.map((n) => n.id)) {
            if (!leader.state.peers.includes(id)) {
              w.admin(leader, { kind: "addPeer", endpoint: id });
            }
          }
        }
      }
      const stuck = leader === undefined && w.healedAt !== null && w.now - w.healedAt > 8000;
      if (stuck) {
        // INVALID ex-primaries: restart mysqld with --init-rpl-role=SLAVE (drops the unacked
        // tail), then LEARNER -> enable.
        for (const n of w.nodes) {
          if (n.agent !== "running" || n.state.role !== "INVALID") continue;
          n.mysql.alive = false;
          w.restartMysql(n, true);
          w.admin(n, { kind: "setLearner" });
          w.admin(n, { kind: "enable" });
        }
        // A node that lost its relay log votes only for its source (which may have come back
        // with less, its unacknowledged tail dropped at a restart) and never campaigns: when
        // the source holds nothing the node lacks, nothing the node acked is lost, and the
        // operator accepts its position (LEARNER, then enable).
        for (const n of w.nodes) {
          const lost = n.agent === "running" ? n.state.relayLogLost : null;
          const source = lost === null ? undefined : w.node(lost.from);
          if (source === undefined || !source.mysql.alive) continue;
          if (!source.mysql.isPrefixOf(n.mysql)) continue;
          w.admin(n, { kind: "setLearner" });
          w.admin(n, { kind: "enable" });
        }
        // Still no leader: voters holding an older term's unacknowledged tail refuse the nodes
        // with the newest data (MariaDB positions cannot tell the histories apart). The
        // operator reads `xenon cluster failover --dry-run` and rebuilds them from the newest.
        // (Adding voters locally is what the core refuses: it could elect a node lacking data.)
        const newest = w.nodes.filter((n) => n.agent === "running" && n.mysql.alive)
          .sort((a, b) => b.state.dataTerm - a.state.dataTerm)[0];
        for (const n of w.nodes) {
          if (newest === undefined || n === newest || n.agent !== "running") continue;
          const candidate = {
            position: newest.state.mysql.position ?? "",
            dataTerm: newest.state.dataTerm,
          };
          const voter = { position: n.state.mysql.position, dataTerm: n.state.dataTerm };
          if (dataRefusal(n.options, candidate, voter) === null) continue;
          // Only an older term's unacknowledged tail: a voter merely ahead on the same history
          // holds writes the newest node lacks, and rebuilding it would lose them.
          if (!olderTermTail(n, newest)) continue;
          w.admin(n, { kind: "setLearner" });
          w.rebuild(n, newest);
          w.admin(n, { kind: "enable" });
        }
      }
      if (w.now + 2000 < untilMs) w.at(2000, "operator round", round);
    };
    w.at(2000, "operator round", round);
  }
}

/**
 * `n` holds, past `newest`, transactions of an older term that no client was told of: written by
 * another server, or by `newest`'s own server, which then dropped them as unacknowledged when its
 * mysqld restarted with --init-rpl-role=SLAVE (what it acknowledged it keeps).
 */
function olderTermTail(n: SimNode, newest: SimNode): boolean {
  if (n.state.dataTerm >= newest.state.dataTerm) return false;
  const mine = parseMariadbPosition(n.state.mysql.position ?? "");
  const theirs = new Map(
    parseMariadbPosition(newest.state.mysql.position ?? "").map((g) => [g.domain, g]),
  );
  return mine.some((g) => {
    const other = theirs.get(g.domain);
    return other !== undefined && g.seq > other.seq &&
      (g.server !== other.server || g.server === newest.mysql.serverId);
  });
}
