/**
 * In-memory ports for running the daemon's own event loop and effect executor (src/node) without
 * a server, a network or a disk: a MySQL server reduced to what the shell reads and sets, a
 * network that delivers election messages between nodes of the same test (and can cut one
 * off), a state store, and leader commands that only record. Time comes from FakeClock.
 */
import type { RaftEnvelope } from "../../src/model/mod.ts";
import type {
  CatchUpReport,
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
  #nextThread = 1;

  constructor(readonly address: { host: string; port: number }, public position = "0-1-10") {}

  newThreadId(): number {
    return this.#nextThread++;
  }
}

/** One session to a FakeServer; every operation answers at once. */
export class FakeMysqlSession implements MysqlSession<FakeServer> {
  #threadId: number | null = null;

  constructor(readonly server: FakeServer) {}

  get threadId(): number | null {
    return this.#threadId;
  }

  get(): Promise<FakeServer> {
    if (this.server.down) return Promise.reject(new Error("fake MySQL is down"));
    this.#threadId ??= this.server.newThreadId();
    return Promise.resolve(this.server);
  }

  reset(): Promise<void> {
    this.#threadId = null;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.reset();
  }

  sibling(): FakeMysqlSession {
    return new FakeMysqlSession(this.server);
  }

  async setReadOnly(on: boolean): Promise<{ exempt: readonly string[] }> {
    (await this.get()).readOnly = on;
    return { exempt: [] };
  }

  async applySysvars(_profile: string): Promise<void> {
    await this.get();
  }

  async isReplica(): Promise<boolean> {
    return (await this.get()).source !== null;
  }

  async stopIo(): Promise<void> {
    (await this.get()).ioRunning = false;
  }

  async resetReplica(): Promise<void> {
    const s = await this.get();
    s.source = null;
    s.ioRunning = false;
  }

  async receivedPosition(): Promise<string> {
    return (await this.get()).position;
  }

  async sample(): Promise<MysqlSample> {
    const s = await this.get();
    const replica = s.source === null ? null : { ioRunning: s.ioRunning, sqlRunning: true };
    return { status: { readOnly: s.readOnly, replica }, position: s.position, uptime: 100 };
  }

  async changeMaster(source: ReplicationSource): Promise<void> {
    const s = await this.get();
    s.source = `${source.host}:${source.port}`;
    s.ioRunning = true;
    s.waitCount = 0;
  }

  async catchUp(): Promise<CatchUpReport> {
    return { reached: true, position: (await this.get()).position, waitedMs: 0 };
  }

  async killForeignReplicas(): Promise<string[]> {
    await this.get();
    return [];
  }

  async killReplicaConnections(): Promise<string[]> {
    await this.get();
    return [];
  }

  async setLeaderSemiSync(voters: number): Promise<{ applied: number }> {
    const applied = await this.appliedWaitCount(voters);
    (await this.get()).waitCount = applied;
    return { applied };
  }

  /** As MariaDB: at most one acknowledgement. */
  async appliedWaitCount(voters: number): Promise<number> {
    await this.get();
    return Math.min(1, voters - majority(voters));
  }

  async readLeaderSemiSync(): Promise<LeaderSemiSyncSample> {
    const s = await this.get();
    return { acking: s.waitCount > 0, clients: 0, waiting: 0 };
  }

  async purgeBinlogs(): Promise<string | null> {
    await this.get();
    return null;
  }

  async fence(): Promise<FenceAttempt> {
    try {
      (await this.get()).readOnly = true;
      return { ok: true, elapsedMs: 0, killed: 0 };
    } catch (error) {
      return { ok: false, failure: "sessionLost", error: String(error) };
    }
  }
}

/**
 * Election messages between the nodes of one test, delivered as the daemon's RPC handler does
 * (the sender's MySQL address learned, then the message queued), unless either end is cut off.
 */
export class FakeNetwork {
  readonly nodes = new Map<string, XenonNode>();
  readonly cut = new Set<string>();

  /** The transport `from` sends through. */
  transport(from: string): PeerTransport {
    const call = <Res>(to: string, _method: string, request: unknown): Promise<Res> => {
      const node = this.nodes.get(to);
      if (node === undefined || this.cut.has(from) || this.cut.has(to)) {
        return Promise.reject(new Error(`${to} unreachable from ${from}`));
      }
      const envelope = request as RaftEnvelope<Message>;
      node.peers.learn(from, envelope.mysql);
      node.receive({ type: "message", message: envelope.message });
      return Promise.resolve(null as Res);
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

  run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandOutcome> {
    const why = skip?.() ?? null;
    if (why !== null) return Promise.resolve({ ok: false, summary: `skipped: ${why}` });
    this.runs.push(`${which} ${context.term}`);
    return Promise.resolve({ ok: true, summary: `${which} ran` });
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }
}
