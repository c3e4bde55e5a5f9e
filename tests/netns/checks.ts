/**
 * The checkers of a fault scenario, pure functions over what the client and the probes recorded
 * (reliability.md §6.3): acknowledged writes lost, stale reads, time with two nodes committing,
 * time with the VIP on two hosts, time without a writable primary, failovers, outage.
 */
import type { ClientAck, ClientRead } from "./client.ts";

/** What one probe of one node saw (each node is probed on its own, every 50 ms). */
export interface NodeSample {
  at: number;
  readWrite: boolean;
  /** The probe write committed: sent and acknowledged at these times. */
  wrote?: { sent: number; acked: number };
  /** The node's interface held the VIP at its latest VIP reading (VipSample). */
  vip: boolean;
}

/** Whether the node's interface holds the VIP, read every 50 ms apart from the MySQL probe. */
export interface VipSample {
  at: number;
  vip: boolean;
}

export interface Figures {
  acked: number;
  lost: number;
  staleReads: number;
  /** Time during which two nodes committed probe writes (reliability.md T_dual). */
  dualCommitMs: number;
  /** Time during which two nodes had read_only OFF (T_dual_ro). */
  dualReadWriteMs: number;
  vipDupMs: number;
  /** Time in the scenario's window without any node committing. */
  noPrimaryMs: number;
  /** The longest time between two consecutive acknowledged client writes in the window. */
  outageMs: number;
  failovers: number;
}

interface Span {
  start: number;
  end: number;
}

/** `w:seq`, the identity of a client write. */
export function writeKey(w: number, seq: number): string {
  return `${w}:${seq}`;
}

/**
 * The spans in which a node kept committing: consecutive probes whose write committed, from the
 * first one's send to the last one's acknowledgement.
 */
export function commitSpans(samples: NodeSample[]): Span[] {
  const spans: Span[] = [];
  let open: Span | null = null;
  for (const sample of samples) {
    const wrote = sample.wrote;
    if (wrote === undefined) {
      open = null;
      continue;
    }
    if (open === null) {
      open = { start: wrote.sent, end: wrote.acked };
      spans.push(open);
    } else {
      open.end = wrote.acked;
    }
  }
  return spans;
}

/** Time covered by at least `atLeast` of the spans (a sweep over their ends), within `window`. */
export function coveredMs(spans: Span[], atLeast: number, window?: Span): number {
  const events: [number, number][] = [];
  for (const s of spans) {
    const start = window ? Math.max(s.start, window.start) : s.start;
    const end = window ? Math.min(s.end, window.end) : s.end;
    if (end > start) events.push([start, 1], [end, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let depth = 0;
  let since = 0;
  let total = 0;
  for (const [at, delta] of events) {
    if (depth >= atLeast) total += at - since;
    depth += delta;
    since = at;
  }
  return total;
}

/** Time in `window` covered by none of the spans. */
export function uncoveredMs(spans: Span[], window: Span): number {
  return window.end - window.start - coveredMs(spans, 1, window);
}

/** Spans of samples where `pick` held, each lasting until the node's next sample. */
function sampleSpans<S extends { at: number }>(samples: S[], pick: (n: S) => boolean): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i + 1 < samples.length; i++) {
    if (pick(samples[i])) spans.push({ start: samples[i].at, end: samples[i + 1].at });
  }
  return spans;
}

/** Leader changes seen by the probes: the committing node differs from the previous commit's. */
export function failovers(samples: NodeSample[][]): number {
  const commits = samples.flatMap((list, node) =>
    list.flatMap((n) => n.wrote ? [{ node, at: n.wrote.acked }] : [])
  ).sort((a, b) => a.at - b.at);
  let changes = 0;
  for (let i = 1; i < commits.length; i++) if (commits[i].node !== commits[i - 1].node) changes++;
  return changes;
}

/** Reads that missed a write acknowledged, by the same writer, before the read started. */
export function staleReads(acks: ClientAck[], reads: ClientRead[]): number {
  const byWriter = new Map<number, ClientAck[]>();
  for (const a of acks) byWriter.set(a.w, [...byWriter.get(a.w) ?? [], a]);
  let stale = 0;
  for (const read of reads) {
    for (const [w, list] of byWriter) {
      // Each writer's acks come in seq order; the last one before the read must be visible.
      let known = 0;
      for (const a of list) if (a.at < read.start) known = a.seq;
      if ((read.seen[w] ?? 0) < known) {
        stale++;
        break;
      }
    }
  }
  return stale;
}

/** The longest time in `window` between consecutive acknowledged writes (or the window's ends). */
export function longestGapMs(acks: ClientAck[], window: Span): number {
  const times = acks.map((a) => a.at).filter((t) => t >= window.start && t <= window.end)
    .sort((a, b) => a - b);
  const points = [window.start, ...times, window.end];
  let gap = 0;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i] - points[i - 1]);
  return gap;
}

export function figures(input: {
  acks: ClientAck[];
  reads: ClientRead[];
  /** Per node, its probes in order. */
  samples: NodeSample[][];
  /** Per node, its VIP readings in order. */
  vipSamples: VipSample[][];
  /** `writeKey`s present in the converged final state. */
  present: Set<string>;
  /** From the fault to the end of the scenario. */
  window: Span;
}): Figures {
  const { acks, reads, samples, vipSamples, present, window } = input;
  const commits = samples.flatMap(commitSpans);
  const readWrite = samples.flatMap((list) => sampleSpans(list, (n) => n.readWrite));
  const vip = vipSamples.flatMap((list) => sampleSpans(list, (n) => n.vip));
  return {
    acked: acks.length,
    lost: acks.filter((a) => !present.has(writeKey(a.w, a.seq))).length,
    staleReads: staleReads(acks, reads),
    dualCommitMs: coveredMs(commits, 2),
    dualReadWriteMs: coveredMs(readWrite, 2),
    vipDupMs: coveredMs(vip, 2),
    noPrimaryMs: uncoveredMs(commits, window),
    outageMs: longestGapMs(acks, window),
    failovers: failovers(samples),
  };
}

/** One line per scenario, the figures a DBA would ask for first. */
export function describe(name: string, f: Figures): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `${name}: outage ${s(f.outageMs)} (longest gap between acks), ${f.acked} writes acked, ` +
    `${f.lost} lost, ${f.staleReads} stale reads, ${Math.round(f.dualCommitMs)} ms two nodes ` +
    `committing, ${Math.round(f.dualReadWriteMs)} ms two nodes read_only=OFF, ` +
    `${Math.round(f.vipDupMs)} ms VIP on two hosts, ${s(f.noPrimaryMs)} without a writable ` +
    `primary, ${f.failovers} failovers`;
}
