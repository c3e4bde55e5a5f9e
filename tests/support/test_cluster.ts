/**
 * The core tests' cluster (etcd's raft_test.go `network`), running the daemon's own shell: one
 * XenonNode per name (src/node's event loop and effect executor) on the in-memory ports of
 * tests/support, all on one FakeClock. Every port answers at once, so after each timer the
 * nodes' promise chains settle before time moves on; messages wait on the wire until `deliver`
 * or `run`. A fence, a promote or a catch-up here is the daemon's, carried out on a FakeServer.
 */
import { setImmediate } from "node:timers";
import { defaultConfig } from "../../src/config/mod.ts";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import { XenonNode } from "../../src/node/node.ts";
import type { EventInput } from "../../src/node/effects.ts";
import type { Observed } from "../../src/node/observer.ts";
import { MysqlPoller } from "../../src/node/poller.ts";
import {
  type Effect,
  emptyMeta,
  type PersistedMeta,
  type RaftEvent,
  type RaftOptions,
  raftOptions,
  type RaftState,
  step,
  type Transition,
} from "../../src/raft/mod.ts";
import { DriftingClock, FakeClock } from "./fake_clock.ts";
import {
  FakeMysqlSession,
  FakeNetwork,
  FakeServer,
  MemoryStore,
  RecordedCommands,
} from "./fake_ports.ts";

/** What one event did on a node, as its observers saw it. */
export interface Step {
  event: RaftEvent;
  before: RaftState;
  state: RaftState;
  effects: readonly Effect[];
  notes: readonly string[];
  /** peers.json as this step made it durable, or null if it wrote nothing. */
  persist: PersistedMeta | null;
  /** The core's answer to an admin command. */
  admin?: { ok: boolean; reason: string };
}

/** One agent process: it dies with a crash, its server and peers.json do not. */
interface Agent {
  node: XenonNode<FakeServer>;
  clock: DriftingClock;
  poller: MysqlPoller;
  crash(): void;
}

interface Host {
  server: FakeServer;
  store: MemoryStore;
  commands: RecordedCommands;
  agent: Agent | null;
  steps: Step[];
  /** `store.saves` when the last step was recorded: a step saved if it moved. */
  saves: number;
}

/** A set whose membership switches a flag on each named host's server. */
class ServerFlags extends Set<string> {
  constructor(private readonly flip: (name: string, on: boolean) => void) {
    super();
  }
  override add(name: string): this {
    this.flip(name, true);
    return super.add(name);
  }
  override delete(name: string): boolean {
    this.flip(name, false);
    return super.delete(name);
  }
  override clear(): void {
    for (const name of this) this.flip(name, false);
    super.clear();
  }
}

/**
 * Lets every promise chain the ports' answers started run to its end: one macrotask turn runs
 * all queued microtasks first (setImmediate: setTimeout(0) is clamped to milliseconds).
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class TestCluster {
  readonly options = new Map<string, RaftOptions>();
  /** Real time, shared; each agent's clock is a DriftingClock over it. */
  readonly #time = new FakeClock(0);
  readonly network = new FakeNetwork();
  /** Every note and effect as `node: sentence`, with the real time it was made. */
  readonly timeline: { at: number; line: string }[] = [];
  /** Observers of every effect, with the real time it was produced. */
  readonly onEffect: ((node: string, effect: Effect, realMs: number) => void)[] = [];
  /** Why a node stopped itself (the daemon would exit). */
  readonly fatal: string[] = [];
  /** Nodes whose relay log is never applied: their catch-up reports failure. */
  readonly catchUpFails = new ServerFlags((n, on) => this.#host(n).server.catchUpFails = on);
  readonly #hosts = new Map<string, Host>();
  #fenceReport: "ok" | "failed" | "none" = "ok";

  private constructor(
    names: string[],
    overrides: Partial<RaftOptions>,
    /** Each agent's MySQL poller runs on its timer, as in the daemon (else only `observe`). */
    readonly polling: boolean,
    peers: string[],
  ) {
    for (const [i, n] of names.entries()) {
      this.options.set(n, raftOptions(n, mariadbComparator, { seed: i + 1, ...overrides }));
      const meta = { ...emptyMeta(n, false), epochId: 1, peers };
      this.#hosts.set(n, {
        server: new FakeServer({ host: n.split(":")[0], port: 3306 }, this.#time),
        store: new MemoryStore(meta),
        commands: new RecordedCommands(),
        agent: null,
        steps: [],
        saves: 0,
      });
    }
  }

  /**
   * A started cluster of `names`, every node at GTID 0-1-10, the voters `peers` (all of them
   * unless told: voters beyond `names` exist only in the messages a test hands in).
   */
  static async create(
    names: string[],
    overrides: Partial<RaftOptions> = {},
    { polling = false, peers = names } = {},
  ): Promise<TestCluster> {
    const c = new TestCluster(names, overrides, polling, peers);
    for (const n of names) await c.start(n);
    return c;
  }

  /** The timeline's sentences. */
  get log(): string[] {
    return this.timeline.map((e) => e.line);
  }

  /** Real (shared) time in ms. */
  get now(): number {
    return this.#time.now();
  }

  get cut(): Set<string> {
    return this.network.cut;
  }

  /** Nodes whose MySQL takes writes (up, read_only OFF). */
  get writable(): Set<string> {
    const up = (s: FakeServer) => !s.down && !s.readOnly;
    return new Set([...this.#hosts].filter(([, h]) => up(h.server)).map(([n]) => n));
  }

  /** Each node's GTID position (what its MySQL reports). */
  readonly positions = {
    get: (n: string): string => this.#host(n).server.position,
    set: (n: string, position: string): void => {
      this.#host(n).server.position = position;
    },
  };

  /** Each node's peers.json. */
  readonly disk = { get: (n: string) => this.#host(n).store.meta };

  /** How fences end: read-only, failed (no hard stop either), or not until `answerFence`. */
  get fenceReport(): "ok" | "failed" | "none" {
    return this.#fenceReport;
  }
  set fenceReport(mode: "ok" | "failed" | "none") {
    this.#fenceReport = mode;
    for (const h of this.#hosts.values()) h.server.fenceMode = mode === "none" ? "hang" : mode;
  }

  /** Every step `n`'s nodes made, in order, across restarts. */
  steps(n: string): readonly Step[] {
    return this.#host(n).steps;
  }

  state(n: string): RaftState {
    return this.#agent(n).node.state;
  }

  server(n: string): FakeServer {
    return this.#host(n).server;
  }

  /** Leader commands `n`'s agents ran (`start 3`, `stop 4`). */
  commands(n: string): readonly string[] {
    return this.#host(n).commands.runs;
  }

  /** `n`'s leader commands themselves (what starts were told, a failing stop). */
  leaderCommands(n: string): RecordedCommands {
    return this.#host(n).commands;
  }

  /** `n`'s local monotonic clock now. */
  clock(n: string): number {
    return this.#agent(n).clock.now();
  }

  /** From now on `n`'s clock runs at `rate`, without a jump. */
  setClockRate(n: string, rate: number): void {
    this.#agent(n).clock.setRate(rate);
  }

  /** `n`'s clock jumps `ms` ahead, no timer running for it (only `n`'s time moves). */
  jump(n: string, ms: number): void {
    this.#agent(n).clock.jump(ms);
  }

  /** Starts `n`'s agent from its peers.json (a crash of the running one first), then one sample. */
  async start(n: string): Promise<void> {
    const h = this.#host(n);
    const previous = h.agent;
    previous?.crash();
    const clock = new DriftingClock(this.#time);
    if (previous !== null) clock.follow(previous.clock);
    let alive = true;
    const node = this.#node(n, h, clock, () => alive);
    const poller = new MysqlPoller({
      clock,
      link: new FakeMysqlSession(h.server, () => alive),
      keepOpen: [node.fenceMysql, node.freezeMysql],
      intervalMs: Math.max(100, node.deps.config.mysql.pingTimeout),
      // One failed sample is a dead server: `observe(n, false)` is one sample.
      admitDefeatCount: 1,
      comparator: mariadbComparator,
      // As the daemon: a dead sample says whether the mysqld process is gone too.
      report: (observation, readOnly) => {
        const stopped = !observation.alive && h.server.processGone;
        node.observe(stopped ? { ...observation, stopped } : observation, readOnly);
      },
    });
    h.agent = {
      node,
      clock,
      poller,
      crash: () => {
        alive = false;
        clock.kill();
      },
    };
    this.network.nodes.set(n, node);
    await node.start(await h.store.load());
    await this.observe(n);
    if (this.polling) poller.start();
  }

  /**
   * One MySQL sample of `n` reaches its node and is processed. `alive` false: mysqld is down from
   * now on; true: it is up (again); unset: as it is.
   */
  async observe(n: string, alive?: boolean): Promise<void> {
    const server = this.#host(n).server;
    if (alive !== undefined) server.down = !alive;
    if (alive === true) server.processGone = false;
    await this.#agent(n).poller.pollOnce();
    await settle();
  }

  /** `n`'s mysqld process is killed: every statement fails and no process runs. */
  async killMysqld(n: string): Promise<void> {
    this.#host(n).server.processGone = true;
    await this.observe(n, false);
  }

  /**
   * Hands `event` to `n`'s node as the daemon would (an admin command, a MySQL sample, a peer's
   * message, a result) and returns the step it made; its messages stay on the wire.
   */
  async apply(n: string, event: RaftEvent | EventInput): Promise<Step> {
    const { node } = this.#agent(n);
    const steps = this.#host(n).steps;
    const mark = steps.length;
    const { now: _, ...input } = event as RaftEvent;
    let admin: Step["admin"];
    const key = keyOf(input as EventInput);
    if (input.type === "admin") {
      void node.admin(input.command).then((a) => admin = a);
    } else if (input.type === "mysql") {
      node.observe(input.observation, this.#host(n).server.readOnly);
    } else {
      node.receive(input as EventInput);
    }
    await settle();
    const made = steps.slice(mark).find((s) =>
      s.event.type === input.type && keyOf(s.event) === key
    );
    if (made === undefined) throw new Error(`${n} did not process the ${input.type} event`);
    return admin === undefined ? made : { ...made, admin };
  }

  /** What the pure core would make of `event` on `n`'s current state (nothing is applied). */
  coreStep(n: string, event: EventInput): Transition {
    const at = { ...event, now: this.clock(n) } as RaftEvent;
    return step(this.options.get(n)!, this.state(n), at);
  }

  /** Ends `n`'s hung fences (fenceReport "none"); returns the step of the `fenced` they reported. */
  async answerFence(n: string, ok = true): Promise<Step | undefined> {
    const steps = this.#host(n).steps;
    const mark = steps.length;
    this.#host(n).server.answerFences(ok);
    await settle();
    return steps.slice(mark).find((s) => s.event.type === "fenced");
  }

  /** Delivers every message on the wire, and the answers they cause (bounded). */
  async deliver(): Promise<void> {
    await settle();
    for (let i = 0; i < 1000 && this.network.deliver() > 0; i++) await settle();
  }

  /** Moves real time forward by `ms`: timers fire, and after each the cluster settles. */
  async run(ms: number): Promise<void> {
    await this.deliver();
    await this.#time.advance(ms, () => this.deliver());
  }

  leaders(): string[] {
    return [...this.#hosts]
      .filter(([, h]) => h.agent?.node.state.role === "LEADER")
      .map(([n]) => n);
  }

  #node(n: string, h: Host, clock: DriftingClock, alive: () => boolean): XenonNode<FakeServer> {
    const config = defaultConfig();
    return new XenonNode({
      config: {
        ...config,
        server: { ...config.server, endpoint: n },
        mysql: {
          ...config.mysql,
          replHost: h.server.address.host,
          port: h.server.address.port,
          masterSysvars: "",
          slaveSysvars: "",
        },
      },
      options: this.options.get(n)!,
      clock,
      store: h.store,
      mysql: new FakeMysqlSession(h.server, alive),
      otherThreads: () => [],
      rpc: this.network.transport(n, alive),
      leaderCommands: h.commands,
      mysqld: {
        // Killed, and back read-only at once (as mysqld restarts); "failed": the monitor is off.
        hardStop: () => {
          if (h.server.fenceMode === "failed") return Promise.resolve(false);
          h.server.readOnly = true;
          return Promise.resolve(true);
        },
        stopped: () => h.server.processGone,
      },
      onFatal: (reason) => {
        this.fatal.push(`${n}: ${reason}`);
        this.#say(`${n}: stopped: ${reason}`);
      },
      // A crashed agent's last jobs (a hung fence answered late) are not the new agent's steps.
      observers: [{
        transition: (o) => {
          if (alive()) this.#record(n, h, o);
        },
      }],
    });
  }

  #record(n: string, h: Host, o: Observed): void {
    const persist = h.store.saves !== h.saves ? h.store.meta : null;
    h.saves = h.store.saves;
    const notes = o.notes ?? [];
    h.steps.push({
      event: o.event,
      before: o.before,
      state: o.after,
      effects: o.effects,
      notes,
      persist,
    });
    for (const note of notes) this.#say(`${n}: ${note}`);
    for (const e of o.effects) {
      this.#say(`${n}: ${e.kind}: ${e.reason}`);
      for (const f of this.onEffect) f(n, e, this.now);
    }
  }

  #say(line: string): void {
    this.timeline.push({ at: this.now, line });
  }

  #host(n: string): Host {
    const h = this.#hosts.get(n);
    if (h === undefined) throw new Error(`${n} is not in this cluster`);
    return h;
  }

  #agent(n: string): Agent {
    const a = this.#host(n).agent;
    if (a === null) throw new Error(`${n} was never started`);
    return a;
  }
}

/** What tells one event from another of its type: the message, command or sample object. */
function keyOf(e: EventInput | RaftEvent): unknown {
  if (e.type === "message") return e.message;
  if (e.type === "admin") return e.command;
  if (e.type === "mysql") return e.observation;
  return null;
}
