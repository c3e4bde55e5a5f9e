/**
 * Remembers the nonces of accepted requests for as long as their timestamps are inside the clock
 * window, so a replay is refused; what was accepted before a restart is refused by the start
 * floor (see ReplayMark). Bounded: when full, the oldest entry is dropped and the cache
 * from then on refuses anything not newer than what it dropped (it fails closed, never open).
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  readonly #capacity: number;
  /** Requests stamped at or before this are refused: their nonces may have been dropped. */
  #floor = -Infinity;
  /** Requests stamped before this are refused: they may have been accepted before a restart. */
  readonly #startFloor: number;

  /**
   * @param windowMs how far a request's timestamp may be from the server's clock.
   * @param capacity how many nonces are kept at most.
   * @param startFloor the server's `ReplayMark.floor`, or -Infinity.
   */
  constructor(windowMs: number, capacity: number, startFloor = -Infinity) {
    this.#windowMs = windowMs;
    this.#capacity = Math.max(1, capacity);
    this.#startFloor = startFloor;
  }

  /**
   * Records `nonce` of a request stamped `time`, seen at `now`; returns why it is refused, or
   * `undefined` when it is new. Call it only for requests whose MAC and timestamp were checked.
   */
  admit(nonce: string, time: number, now: number): string | undefined {
    this.#forgetExpired(now);
    if (this.#seen.has(nonce)) return "replayed request (this nonce was already used)";
    if (time < this.#startFloor) {
      return "request stamped before this node started: a replayed request, or the sender's " +
        "clock is behind this node's (check NTP); retry";
    }
    if (time <= this.#floor) {
      return "request too old to check for replay (the replay cache is full); retry";
    }
    if (this.#seen.size >= this.#capacity) {
      const [oldest, stamped] = this.#seen.entries().next().value!;
      this.#seen.delete(oldest);
      this.#floor = Math.max(this.#floor, stamped);
    }
    this.#seen.set(nonce, time);
    return undefined;
  }

  /** How many nonces are remembered (for tests and status). */
  get size(): number {
    return this.#seen.size;
  }

  #forgetExpired(now: number): void {
    // Insertion order is roughly time order; stopping at the first live entry keeps this O(1)
    // amortised, and a few stragglers only cost memory until they reach the front.
    for (const [nonce, time] of this.#seen) {
      if (time + this.#windowMs >= now) break;
      this.#seen.delete(nonce);
    }
  }
}
