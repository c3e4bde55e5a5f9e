/**
 * Runs a range of seeds, in this process or spread over Deno Workers (`--jobs`), and sums them up
 * in seed order up to the first violation: the figures are the same whatever the job count.
 */
import type { RaftOptions } from "../raft/mod.ts";
import { runSeed, type SeedResult } from "./run.ts";

export interface SeedRange {
  readonly from: number;
  readonly count: number;
  readonly timeMs: number;
  readonly core: Partial<RaftOptions>;
}

export interface Summary {
  ran: number;
  virtualMs: number;
  steps: number;
  elections: number;
  acknowledged: number;
  faults: Map<string, number>;
  failed: SeedResult | null;
}

/** What a worker is asked for: these seeds, in order, stopping at the first violation. */
export interface SeedChunk {
  readonly seeds: number[];
  readonly timeMs: number;
  readonly core: Partial<RaftOptions>;
}

const CHUNK = 10;

/** Runs the seeds of one chunk in order; stops after a violation. */
export async function runChunk(chunk: SeedChunk): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  for (const seed of chunk.seeds) {
    const r = await runSeed(seed, { timeMs: chunk.timeMs, core: chunk.core });
    results.push(r);
    if (r.violation !== null) break;
  }
  return results;
}

export async function runSeeds(range: SeedRange, jobs: number): Promise<Summary> {
  const chunks: SeedChunk[] = [];
  for (let s = range.from; s < range.from + range.count; s += CHUNK) {
    const seeds = Array.from(
      { length: Math.min(CHUNK, range.from + range.count - s) },
      (_, i) => s + i,
    );
    chunks.push({ seeds, timeMs: range.timeMs, core: range.core });
  }
  const results = jobs <= 1 ? await inProcess(chunks) : await inWorkers(chunks, jobs);
  return summarize(results.sort((a, b) => a.seed - b.seed));
}

async function inProcess(chunks: SeedChunk[]): Promise<SeedResult[]> {
  const all: SeedResult[] = [];
  for (const chunk of chunks) {
    const results = await runChunk(chunk);
    all.push(...results);
    if (results.some((r) => r.violation !== null)) break;
  }
  return all;
}

/** Each worker takes the next chunk when done; none starts past a violation already found. */
async function inWorkers(chunks: SeedChunk[], jobs: number): Promise<SeedResult[]> {
  const all: SeedResult[] = [];
  let next = 0;
  let firstFailure = Number.POSITIVE_INFINITY;
  const work = async () => {
    const worker = new Worker(new URL("./seed_worker.ts", import.meta.url).href, {
      type: "module",
    });
    try {
      while (next < chunks.length && chunks[next].seeds[0] < firstFailure) {
        const chunk = chunks[next++];
        const results = await new Promise<SeedResult[]>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<SeedResult[]>) => resolve(e.data);
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`seed worker failed: ${e.message}`));
          };
          worker.postMessage(chunk);
        });
        all.push(...results);
        for (const r of results) {
          if (r.violation !== null) firstFailure = Math.min(firstFailure, r.seed);
        }
      }
    } finally {
      worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, chunks.length) }, work));
  return all;
}

function summarize(sorted: SeedResult[]): Summary {
  const s: Summary = {
    ran: 0,
    virtualMs: 0,
    steps: 0,
    elections: 0,
    acknowledged: 0,
    faults: new Map(),
    failed: null,
  };
  for (const r of sorted) {
    s.ran++;
    s.virtualMs += r.virtualMs;
    s.steps += r.steps;
    s.elections += r.elections;
    s.acknowledged += r.acknowledged;
    for (const [fault, n] of r.faults) s.faults.set(fault, (s.faults.get(fault) ?? 0) + n);
    if (r.violation !== null) {
      s.failed = r;
      break;
    }
  }
  return s;
}
