/** The simulator's seeded randomness: one seed drives every choice, so a seed replays exactly. */
import { hashText, nextRandom } from "../raft/mod.ts";

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A child generator with its own stream, so adding draws in one place does not shift others. */
  fork(label: string): Rng {
    return new Rng((this.int(0, 0xffffffff) ^ hashText(label)) >>> 0);
  }

  float(): number {
    const [value, next] = nextRandom(this.state);
    this.state = next;
    return value;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
