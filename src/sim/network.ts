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

  constructor(private readonly rng: Rng) {}

  canSend(from: string, to: string): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  /** Both directions open: what a TCP connection (replication, semi-sync acks) needs. */
  connected(a: string, b: string): boolean {
    return this.canSend(a, b) && this.canSend(b, a);
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
