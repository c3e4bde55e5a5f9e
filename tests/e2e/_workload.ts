/**
 * A continuous writer that records every acknowledged insert, and a prober that samples every
 * node's read_only and tries a probe write with a unique id, so a scenario can prove: no
 * acknowledged write (insert or probe) lost, never two nodes accepting writes at once.
 */
import type mysql from "mysql2/promise";
import type { MariaDBInstance } from "../harness/mod.ts";
import { appConnection, sleep } from "./_cluster.ts";

const QUERY_TIMEOUT_MS = 1000;

export async function createWorkloadTables(leader: MariaDBInstance): Promise<void> {
  await leader.query("CREATE DATABASE IF NOT EXISTS app");
  await leader.query("CREATE TABLE IF NOT EXISTS app.acked (id INT PRIMARY KEY, node INT)");
  await leader.query(
    "CREATE TABLE IF NOT EXISTS app.probe (id INT PRIMARY KEY, node INT)",
  );
}

export interface Ack {
  id: number;
  node: number;
  /** performance.now() when the commit returned. */
  at: number;
}

/** Inserts ids 1, 2, 3, ... into whichever node accepts them; remembers each acknowledged one. */
export class Writer {
  readonly acks: Ack[] = [];
  failures = 0;
  #next = 1;
  #stop = false;
  #done: Promise<void> | null = null;

  constructor(readonly nodes: () => MariaDBInstance[]) {}

  start(): void {
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
  }

  async #loop(): Promise<void> {
    let conn: mysql.Connection | null = null;
    let target = 0;
    while (!this.#stop) {
      const nodes = this.nodes();
      const node = nodes[target % nodes.length];
      const id = this.#next++;
      try {
        conn ??= await appConnection(node);
        await conn.query({
          sql: "INSERT INTO app.acked (id, node) VALUES (?, ?)",
          values: [id, node.serverId],
          timeout: QUERY_TIMEOUT_MS,
        });
        this.acks.push({ id, node: node.serverId, at: performance.now() });
      } catch {
        this.failures++;
        conn?.destroy();
        conn = null;
        target++;
        await sleep(20);
      }
    }
    conn?.destroy();
  }

  /** The longest time between two consecutive acknowledgements (ms). */
  longestGapMs(from = 0): number {
    let gap = 0;
    const acks = this.acks.filter((a) => a.at >= from);
    for (let i = 1; i < acks.length; i++) gap = Math.max(gap, acks[i].at - acks[i - 1].at);
    return gap;
  }
}

export interface ProbeWrite {
  /** Unique across nodes and rounds: a lost probe write is found by its id. */
  id: number;
  node: number;
  sentAt: number;
  ackedAt: number;
}

export interface ProbeRound {
  at: number;
  writes: ProbeWrite[];
  /** serverIds whose probe write committed. */
  wrote: number[];
  /** serverIds with read_only OFF. */
  readWrite: number[];
}

/** Every `intervalMs`, probes all nodes in parallel. */
export class Prober {
  readonly rounds: ProbeRound[] = [];
  #nextId = 1;
  #stop = false;
  #done: Promise<void> | null = null;

  constructor(readonly nodes: () => MariaDBInstance[], readonly intervalMs = 100) {}

  start(): void {
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
  }

  async #loop(): Promise<void> {
    while (!this.#stop) {
      const at = performance.now();
      const results = await Promise.all(this.nodes().map((n) => probe(n, this.#nextId++)));
      this.rounds.push({
        at,
        writes: results.flatMap((r) => r.write ? [r.write] : []),
        wrote: results.filter((r) => r.wrote).map((r) => r.node),
        readWrite: results.filter((r) => r.readWrite).map((r) => r.node),
      });
      await sleep(this.intervalMs);
    }
  }

  /** Every acknowledged probe write, in order. */
  writes(): ProbeWrite[] {
    return this.rounds.flatMap((r) => r.writes);
  }

  /**
   * Probe writes the old leader accepted after the new leader had already accepted one: proof
   * of two primaries. (A probe round spans up to a second, so "two writes in one round" is not:
   * the old primary stops committing when the voters freeze, before the new one is promoted.)
   * Throws when the prober never wrote on the new leader: then nothing was compared.
   */
  writesAfterHandover(oldNode: number, newNode: number): ProbeWrite[] {
    const firstNew = this.firstWriteAt(newNode);
    return this.writes().filter((w) => w.node === oldNode && w.sentAt > firstNew);
  }

  /** When `node` first acknowledged a probe write; throws if it never did. */
  firstWriteAt(node: number): number {
    const first = this.writes().find((w) => w.node === node);
    if (first === undefined) {
      throw new Error(
        `the prober never wrote on server ${node} in ${this.rounds.length} rounds: ` +
          `no probe write to compare the other nodes' writes with`,
      );
    }
    return first.ackedAt;
  }

  /** Rounds with more than one node at read_only OFF (an agent killed or stopped leaves one). */
  readWriteOverlapRounds(): number {
    return this.rounds.filter((r) => r.readWrite.length > 1).length;
  }
}

async function probe(node: MariaDBInstance, id: number): Promise<{
  node: number;
  wrote: boolean;
  readWrite: boolean;
  write?: ProbeWrite;
}> {
  let conn: mysql.Connection | null = null;
  const out: { node: number; wrote: boolean; readWrite: boolean; write?: ProbeWrite } = {
    node: node.serverId,
    wrote: false,
    readWrite: false,
  };
  try {
    conn = await appConnection(node);
    const [rows] = await conn.query({ sql: "SELECT @@GLOBAL.read_only AS ro", timeout: 500 });
    out.readWrite = Number((rows as { ro: number }[])[0].ro) === 0;
    if (out.readWrite) {
      const sentAt = performance.now();
      await conn.query({
        sql: "INSERT INTO app.probe (id, node) VALUES (?, ?)",
        values: [id, node.serverId],
        timeout: 500,
      });
      out.wrote = true;
      out.write = { id, node: node.serverId, sentAt, ackedAt: performance.now() };
    }
  } catch {
    // down, read-only or blocked: not accepting writes
  } finally {
    conn?.destroy();
  }
  return out;
}

/** Ids acknowledged to the writer that `node` does not hold. */
export async function missingAcks(node: MariaDBInstance, acks: Ack[]): Promise<number[]> {
  return await missingIds(node, "app.acked", acks);
}

/** Ids of acknowledged probe writes that `node` does not hold. */
export async function missingProbes(
  node: MariaDBInstance,
  writes: ProbeWrite[],
): Promise<number[]> {
  return await missingIds(node, "app.probe", writes);
}

async function missingIds(
  node: MariaDBInstance,
  table: "app.acked" | "app.probe",
  acked: { id: number }[],
): Promise<number[]> {
  const rows = await node.query<{ id: number }>(`SELECT id FROM ${table}`);
  const have = new Set(rows.map((r) => Number(r.id)));
  return acked.map((a) => a.id).filter((id) => !have.has(id));
}
