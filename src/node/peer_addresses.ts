/**
 * The MySQL address of each peer, learned from its election messages (`RaftEnvelope.mysql`):
 * what a follower points CHANGE MASTER at when that peer leads. Unreachable peers are logged once
 * per episode, not on every heartbeat.
 */
import { log } from "../log/mod.ts";

export interface MysqlAddress {
  host: string;
  port: number;
}

export class PeerAddresses {
  readonly #addresses = new Map<string, MysqlAddress>();
  readonly #down = new Set<string>();

  learn(endpoint: string, address: MysqlAddress): void {
    this.#addresses.set(endpoint, address);
    if (this.#down.delete(endpoint)) log("node").info`peer ${endpoint} answers again`;
  }

  get(endpoint: string): MysqlAddress | undefined {
    return this.#addresses.get(endpoint);
  }

  unreachable(endpoint: string, reason: string): void {
    if (this.#down.has(endpoint)) return;
    this.#down.add(endpoint);
    log("node").warn`peer ${endpoint} unreachable: ${reason}`;
  }

  reached(endpoint: string): void {
    if (this.#down.delete(endpoint)) log("node").info`peer ${endpoint} answers again`;
  }
}
