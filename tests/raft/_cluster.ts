/**
 * A tiny synchronous cluster for unit tests (etcd's raft_test.go `network`): messages are
 * delivered in order unless a link is cut, MySQL effects answer at once from `positions`.
 */
import { mariadbComparator } from "../../src/gtid/mod.ts";
import {
  type Effect,
  emptyMeta,
  initialState,
  type Message,
  type PersistedMeta,
  type RaftEvent,
  type RaftOptions,
  raftOptions,
  type RaftState,
  step,
  type Transition,
} from "../../src/raft/mod.ts";

export class TestCluster {
  readonly options = new Map<string, RaftOptions>();
  readonly states = new Map<string, RaftState>();
  readonly disk = new Map<string, PersistedMeta | null>();
  readonly positions = new Map<string, string>();
  readonly writable = new Set<string>();
  readonly cut = new Set<string>();
  /** Nodes whose relay log is never applied: their catch-up reports failure. */
  readonly catchUpFails = new Set<string>();
  readonly log: string[] = [];
  /** What the shell reports after each fence ("none": the test reports it). */
  fenceReport: "ok" | "failed" | "none" = "ok";
  /** Per node: local clock = offset + rate × real time (rate 1, offset 0 unless set). */
  private readonly clocks = new Map<string, { rate: number; offset: number }>();
  /** Observers of every effect, with the real time it was produced. */
  readonly onEffect: ((node: string, effect: Effect, realMs: number) => void)[] = [];
  /** Real time (ms). */
  now = 0;
  private queue: Message[] = [];

  constructor(names: string[], overrides: Partial<RaftOptions> = {}) {
    for (const [i, n] of names.entries()) {
      const o = raftOptions(n, mariadbComparator, { seed: i + 1, ...overrides });
      this.options.set(n, o);
      this.states.set(n, initialState(o));
      this.positions.set(n, "0-1-10");
      this.disk.set(n, { ...emptyMeta(n, false), epochId: 1, peers: names });
    }
    for (const n of names) this.start(n);
  }

  /** `n`'s local monotonic clock now. */
  clock(n: string): number {
    const c = this.clocks.get(n) ?? { rate: 1, offset: 0 };
    return c.offset + c.rate * this.now;
  }

  /** From now on `n`'s clock runs at `rate`, without a jump. */
  setClockRate(n: string, rate: number): void {
    this.clocks.set(n, { rate, offset: this.clock(n) - rate * this.now });
  }

  state(n: string): RaftState {
    return this.states.get(n)!;
  }

  start(n: string): void {
    this.states.set(n, initialState(this.options.get(n)!));
    this.apply(n, { type: "start", now: this.clock(n), meta: this.disk.get(n) ?? null });
    this.observe(n);
  }

  observe(n: string, alive = true): void {
    const position = this.positions.get(n)!;
    this.apply(n, {
      type: "mysql",
      now: this.clock(n),
      observation: { alive, ioRunning: true, sqlRunning: true, position },
    });
  }

  apply(n: string, event: RaftEvent): Transition {
    const t = step(this.options.get(n)!, this.states.get(n)!, event);
    this.states.set(n, t.state);
    if (t.persist) this.disk.set(n, t.persist);
    for (const note of t.notes) this.log.push(`${n}: ${note}`);
    for (const e of t.effects) {
      this.log.push(`${n}: ${e.kind}: ${e.reason}`);
      for (const f of this.onEffect) f(n, e, this.now);
      if (e.kind === "send") this.queue.push(e.message);
      if (e.kind === "promote") this.writable.add(n);
      if (e.kind === "fence" || e.kind === "setReadOnly") this.writable.delete(n);
      if (e.kind === "freezeReplication") {
        this.apply(n, {
          type: "replicationFrozen",
          now: this.clock(n),
          position: this.positions.get(n)!,
        });
      }
      if (e.kind === "catchUp") {
        this.apply(n, { type: "catchUpDone", now: this.clock(n), ok: !this.catchUpFails.has(n) });
      }
      if (e.kind === "fence" && this.fenceReport !== "none") {
        const ok = this.fenceReport === "ok";
        this.apply(n, { type: "fenced", now: this.clock(n), term: t.state.term, ok });
      }
    }
    return t;
  }

  deliver(): void {
    for (let i = 0; i < 10_000 && this.queue.length > 0; i++) {
      const m = this.queue.shift()!;
      if (this.cut.has(m.from) || this.cut.has(m.to) || !this.states.has(m.to)) continue;
      this.apply(m.to, { type: "message", now: this.clock(m.to), message: m });
    }
  }

  /** Advances time in ticks of 100 ms, delivering messages after each. */
  run(ms: number): void {
    for (const end = this.now + ms; this.now < end;) {
      this.now += 100;
      for (const n of this.states.keys()) {
        this.apply(n, { type: "tick", now: this.clock(n) });
      }
      this.deliver();
    }
  }

  leaders(): string[] {
    return [...this.states].filter(([, s]) => s.role === "LEADER").map(([n]) => n);
  }
}
