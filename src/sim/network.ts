/**
 * The simulated network: per directed link a cut flag; global drop, duplicate and delay settings.
 * Replication traffic uses the same links as the agents, in both directions.
 */
import type { Rng } from "./prng.ts";

export interface NetworkQuality {
  drop: number;
  duplicate: number;
  /** Probability that a message takes a long path (up to `longDelayMs`). */
  slow: number;
  longDelayMs: number;
}

export const CLEAN: NetworkQuality = { drop: 0, duplicate: 0, slow: 0, longDelayMs: 0 };

export class Network {
  private cut = new Set<string>();
  quality: NetworkQuality = CLEAN;
  /** Replication links alone (replica<source) that are down, and that pull every k-th pump. */
  private replicationCut = new Set<string>();
  private replicationSlow = new Map<string, number>();

  constructor(private readonly rng: Rng) {}

  canSend(from: string, to: string): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  /** Both directions open: what a TCP connection (replication, semi-sync acks) needs. */
  connected(a: string, b: string): boolean {
    return this.canSend(a, b) && this.canSend(b, a);
  }

  /** Whether `replica`'s IO thread has a connection to `source` (the agents' RPC aside). */
  replicationOpen(replica: string, source: string): boolean {
    return !this.replicationCut.has(`${replica}<${source}`);
  }

  /** Whether a slow replication link delivers in pump number `pump`. */
  replicationPulls(replica: string, source: string, pump: number): boolean {
    const every = this.replicationSlow.get(`${replica}<${source}`);
    return every === undefined || pump % every === 0;
  }

  cutReplication(replica: string, source: string): void {
    this.replicationCut.add(`${replica}<${source}`);
  }

  /** The link delivers once every `everyPumps` pumps (a congested or throttled stream). */
  slowReplication(replica: string, source: string, everyPumps: number): void {
    this.replicationSlow.set(`${replica}<${source}`, everyPumps);
  }

  restoreReplication(replica: string, source: string): void {
    this.replicationCut.delete(`${replica}<${source}`);
    this.replicationSlow.delete(`${replica}<${source}`);
  }

  healReplication(): void {
    this.replicationCut.clear();
    this.replicationSlow.clear();
  }

  block(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  isHealed(): boolean {
    return this.cut.size === 0;
  }

  describe(): string {
    return this.cut.size === 0 ? "network healed" : `cut ${[...this.cut].sort().join(" ")}`;
  }

  /** Delivery delays for one message: [] if dropped, two entries if duplicated. */
  delays(): number[] {
    const q = this.quality;
    if (this.rng.chance(q.drop)) return [];
    const one = () =>
      this.rng.chance(q.slow) ? this.rng.between(1, q.longDelayMs) : this.rng.between(0.2, 8);
    return this.rng.chance(q.duplicate) ? [one(), one()] : [one()];
  }
}
