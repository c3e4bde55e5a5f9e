/**
 * In-memory ports for running the daemon's own event loop and effect executor (src/node) without
 * a server, a network or a disk: a MySQL server reduced to what the shell reads and sets, a
 * network that delivers election messages between nodes of the same test (and can cut one
 * off), a state store, and leader commands that only record. Time comes from FakeClock.
 */
import type { RaftEnvelope } from "../../src/model/mod.ts";
import type {
  CatchUpReport,
  Clock,
  FenceAttempt,
  LeaderCommandContext,
  LeaderCommandOutcome,
  LeaderCommandRunner,
  LeaderSemiSyncSample,
  MysqlSample,
  MysqlSession,
  PeerOutcome,
  PeerTransport,
  ReplicationSource,
  StateStore,
} from "../../src/ports/mod.ts";
import { majority, type Message, type PersistedMeta } from "../../src/raft/mod.ts";
import type { XenonNode } from "../../src/node/node.ts";

/** What the shell asks of MySQL, by the session method (a failing sample: `down` instead). */
export type Statement = Exclude<
  keyof MysqlSession,
  "get" | "threadId" | "reset" | "close" | "sibling" | "fence" | "sample"
>;

/** A MySQL server as far as the shell can tell: read_only, its source, its GTID position. */
export class FakeServer {
  readOnly = true;
  /** `host:port` it replicates from, or null. */
  source: string | null = null;
  ioRunning = false;
  /** Acknowledgements a leader's commits wait for (0: not a semi-sync primary). */
  waitCount = 0;
  /** While true every statement fails (mysqld gone). */
  down = false;
  /** No mysqld process runs (killed): what the daemon's supervisor tells the fence. */
  processGone = false;
  /** The relay log is never applied: every catch-up reports failure. */
  catchUpFails = false;
  /** How fences end: made read-only, failing (and no hard stop either), or not at all yet. */
  fenceMode: "ok" | "failed" | "hang" = "ok";
  /** How many of the next calls of each statement fail (a lock wait timeout, a lost session). */
  readonly failing = new Map<Statement, number>();
  /** Statements that, once called, wait until `answerHung` (a STOP SLAVE stuck on a lost host). */
  readonly hanging = new Set<Statement>();
  readonly #hungStatements: (() => void)[] = [];
  /** Fences waiting while `fenceMode` is "hang", answered by `answerFences`. */
  readonly #hungFences: ((ok: boolean) => void)[] = [];
  #nextThread = 1;

  constructor(
    readonly address: { host: string; port: number },
    /** The host's clock: the uptime counts on it (a start time that moves is a restart). */
    readonly clock: Pick<Clock, "now">,
    public position = "0-1-10",
  ) {}

  /** Seconds since the server started, as `Uptime` counts them (it has run for 100 s). */
  get uptime(): number {
    return 100 + this.clock.now() / 1000;
  }

  newThreadId(): number {
    return this.#nextThread++;
  }

  /** A fence that hangs until `answerFences`. */
  hangFence(): Promise<boolean> {
    return new Promise((resolve) => this.#hungFences.push(resolve));
  }

  /** A statement in `hanging`: resolves once `answerHung` lets it go on. */
  hold(): Promise<void> {
    return new Promise((resolve) => this.#hungStatements.push(resolve));
  }

  /** Lets the statements waiting in `hold` go on; how many there were. */
  answerHung(): number {
    const hung = this.#hungStatements.splice(0);
    for (const goOn of hung) goOn();
    return hung.length;
  }

  /** Ends the hung fences: made read-only (`ok`) or failed; how many there were. */
  answerFences(ok: boolean): number {
    const hung = this.#hungFences.splice(0);
    for (const answer of hung) answer(ok);
    return hung.length;
  }
}

/** One session to a FakeServer; every operation answers at once. */
export class FakeMysqlSession implements MysqlSession<FakeServer> {
  #threadId: number | null = null;

  /** `alive` false: the agent holding this session crashed; nothing it sends arrives. */
  constructor(readonly server: FakeServer, readonly alive: () => boolean = () => true) {}

  get threadId(): number | null {
    return this.#threadId;
  }

  get(): Promise<FakeServer> {
    if (!this.alive()) return Promise.reject(new Error("the agent holding this session is gone"));
    if (this.server.down) return Promise.reject(new Error("fake MySQL is down"));
    this.#threadId ??= this.server.newThreadId();
    return Promise.resolve(this.server);
  }

  /** The server, for `statement`; fails if the test made it fail (`FakeServer.failNext`). */
  async #on(statement: Statement): Promise<FakeServer> {
    const s = await this.get();
    if (s.hanging.has(statement)) await s.hold();
    const left = s.failing.get(statement) ?? 0;
    if (left > 0) {
      s.failing.set(statement, left - 1);
      throw new Error(`fake MySQL: ${statement} failed`);
    }
    return s;
  }

  reset(): Promise<void> {
    this.#threadId = null;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.reset();
  }

  sibling(): FakeMysqlSession {
    return new FakeMysqlSession(this.server, this.alive);
  }

  async setReadOnly(on: boolean): Promise<{ exempt: readonly string[] }> {
    (await this.#on("setReadOnly")).readOnly = on;
    return { exempt: [] };
  }

  async applySysvars(_profile: string): Promise<void> {
    await this.#on("applySysvars");
  }

  async keepReturnedCommits(): Promise<string | null> {
    await this.#on("keepReturnedCommits");
    return null;
  }

  async isReplica(): Promise<boolean> {
    return (await this.#on("isReplica")).source !== null;
  }

  async stopIo(): Promise<void> {
    (await this.#on("stopIo")).ioRunning = false;
  }

  async resetReplica(): Promise<void> {
    const s = await this.#on("resetReplica");
    s.source = null;
    s.ioRunning = false;
  }

  async receivedPosition(): Promise<string> {
    return (await this.#on("receivedPosition")).position;
  }

  async sample(): Promise<MysqlSample> {
    const s = await this.get();
    const replica = s.source === null
      ? null
      : { ioRunning: s.ioRunning, sqlRunning: true, lastIoError: "" };
    return { status: { readOnly: s.readOnly, replica }, position: s.position, uptime: s.uptime };
  }

  async changeMaster(source: ReplicationSource): Promise<void> {
    const s = await this.#on("changeMaster");
    s.source = `${source.host}:${source.port}`;
    s.ioRunning = true;
    s.waitCount = 0;
  }

  async catchUp(): Promise<CatchUpReport> {
    const s = await this.#on("catchUp");
    if (!s.catchUpFails) return { reached: true, position: s.position, waitedMs: 0 };
    const reason = "the SQL thread applied nothing before the deadline";
    return { reached: false, position: s.position, waitedMs: 0, reason };
  }

  async killForeignReplicas(): Promise<string[]> {
    await this.#on("killForeignReplicas");
    return [];
  }

  async killReplicaConnections(): Promise<string[]> {
    await this.#on("killReplicaConnections");
    return [];
  }

  async setLeaderSemiSync(voters: number): Promise<{ applied: number }> {
    const applied = await this.appliedWaitCount(voters);
    (await this.#on("setLeaderSemiSync")).waitCount = applied;
    return { applied };
  }

  /** As MariaDB: at most one acknowledgement. */
  async appliedWaitCount(voters: number): Promise<number> {
    await this.#on("appliedWaitCount");
    return Math.min(1, voters - majority(voters));
  }

  async readLeaderSemiSync(): Promise<LeaderSemiSyncSample> {
    const s = await this.#on("readLeaderSemiSync");
    return { acking: s.waitCount > 0, clients: 0, waiting: 0 };
  }

  async purgeBinlogs(): Promise<string | null> {
    await this.#on("purgeBinlogs");
    return null;
  }

  async fence(): Promise<FenceAttempt> {
    let s: FakeServer;
    try {
      s = await this.get();
    } catch (error) {
      return { ok: false, failure: "sessionLost", error: String(error) };
    }
    const ok = s.fenceMode === "hang" ? await s.hangFence() : s.fenceMode === "ok";
    if (!ok) return { ok: false, failure: "failed", error: "fake MySQL refused read_only" };
    s.readOnly = true;
    return { ok: true, elapsedMs: 0, killed: 0 };
  }
}

/** A call on its way; `done` settles the sender's promise. */
interface OnWire {
  from: string;
  to: string;
  request: unknown;
  done: (ok: boolean) => void;
}

/**
 * Election messages between the nodes of one test, delivered as the daemon's RPC handler does
 * (the sender's MySQL address learned, then the message queued), unless either end is cut off
 * or `blocked` drops the link. Messages wait on the wire, in order, until the test calls
 * `deliver()`: the sender goes on meanwhile, as over a real network.
 */
export class FakeNetwork {
  readonly nodes = new Map<string, XenonNode>();
  readonly cut = new Set<string>();
  /** A partition beyond `cut`: true drops what `from` sends to `to`. */
  blocked: ((from: string, to: string) => boolean) | null = null;
  readonly #wire: OnWire[] = [];

  /** The transport `from` sends through; nothing leaves once `alive` turns false (a crash). */
  transport(from: string, alive: () => boolean = () => true): PeerTransport {
    const call = <Res>(to: string, _method: string, request: unknown): Promise<Res> => {
      if (!alive()) return Promise.reject(new Error(`${from} is gone`));
      const { promise, resolve, reject } = Promise.withResolvers<Res>();
      const done = (ok: boolean) =>
        ok ? resolve(null as Res) : reject(new Error(`${to} unreachable from ${from}`));
      this.#wire.push({ from, to, request, done });
      return promise;
    };
    return {
      call,
      callAll: <Res>(endpoints: readonly string[], method: string, request: unknown) =>
        Promise.all(endpoints.map((endpoint) =>
          call<Res>(endpoint, method, request).then(
            (result): PeerOutcome<Res> => ({ endpoint, ok: true, result }),
            (error): PeerOutcome<Res> => ({ endpoint, ok: false, error }),
          )
        )),
    };
  }

  /** Delivers what is on the wire, in order (bounded); how many messages left it. */
  deliver(): number {
    let n = 0;
    for (; n < 10_000 && this.#wire.length > 0; n++) this.#arrive(this.#wire.shift()!);
    return n;
  }

  #arrive(m: OnWire): void {
    const node = this.nodes.get(m.to);
    const dropped = this.cut.has(m.from) || this.cut.has(m.to) ||
      (this.blocked?.(m.from, m.to) ?? false);
    if (node === undefined || dropped) return m.done(false);
    const envelope = m.request as RaftEnvelope<Message>;
    node.peers.learn(m.from, envelope.mysql);
    node.receive({ type: "message", message: envelope.message });
    m.done(true);
  }
}

/** Never reaches anyone (a single voter sends nothing that matters). */
export const NO_PEERS: PeerTransport = {
  call: () => Promise.reject(new Error("no peers in this test")),
  callAll: () => Promise.resolve([]),
};

/**
 * Two peers that grant every vote and acknowledge every heartbeat at once, until `silent`: a
 * transport that answers the node's messages by handing replies back to it. `lastAckedSentAt`
 * is the send time (node clock) of the last heartbeat they acknowledged.
 */
export class AgreeablePeers {
  readonly endpoints = ["127.0.0.1:18802", "127.0.0.1:18803"];
  silent = false;
  lastAckedSentAt = Number.NEGATIVE_INFINITY;
  node: XenonNode | null = null;

  get rpc(): PeerTransport {
    return {
      call: <Res>(_to: string, _method: string, request: unknown) => {
        if (!this.silent) this.#answer((request as RaftEnvelope<Message>).message);
        return Promise.resolve({} as Res);
      },
      callAll: () => Promise.resolve([]),
    };
  }

  #answer(m: Message): void {
    const base = { from: m.to, to: m.from, term: m.term, role: "FOLLOWER" as const, reason: "" };
    let reply: Message | null = null;
    if (m.kind === "preVote") reply = { ...base, kind: "preVoteReply", granted: true };
    if (m.kind === "vote") {
      reply = { ...base, kind: "voteReply", granted: true, position: m.position, dataTerm: 0 };
    }
    if (m.kind === "heartbeat") {
      this.lastAckedSentAt = m.sentAt;
      reply = { ...base, kind: "heartbeatReply", ok: true, sentAt: m.sentAt, position: m.position };
    }
    const node = this.node;
    if (reply !== null && node !== null) {
      queueMicrotask(() => node.receive({ type: "message", message: reply }));
    }
  }
}

/** peers.json kept in memory. */
export class MemoryStore implements StateStore {
  saves = 0;

  constructor(public meta: PersistedMeta | null = null) {}

  load(): Promise<PersistedMeta | null> {
    return Promise.resolve(this.meta);
  }

  save(meta: PersistedMeta): Promise<void> {
    this.meta = meta;
    this.saves++;
    return Promise.resolve();
  }
}

/** Leader commands that succeed at once and are remembered as `start 3` / `stop 4` (term). */
export class RecordedCommands implements LeaderCommandRunner {
  readonly runs: string[] = [];
  /** What each start was told of a hand-over (its XENON_HANDED_OVER_BY; "-": nothing). */
  readonly handedOverBy: string[] = [];
  /** leader-start-command / leader-stop-command exit non-zero. */
  startFails = false;
  stopFails = false;

  run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandOutcome> {
    const why = skip?.() ?? null;
    if (why !== null) return Promise.resolve({ ran: false, ok: false, summary: `skipped: ${why}` });
    this.runs.push(`${which} ${context.term}`);
    if (which === "start") this.handedOverBy.push(context.handedOverBy ?? "-");
    const fails = which === "stop" ? this.stopFails : this.startFails;
    return Promise.resolve({ ran: true, ok: !fails, summary: fails ? "exit 1" : `${which} ran` });
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }
}
