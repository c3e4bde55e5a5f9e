/**
 * The lab's client host: runs inside the client namespace (`ip netns exec`), so it reaches the
 * database only the way an application would, through the VIP or HAProxy. Several writers insert
 * unique (writer, seq) rows and record every acknowledged one; a reader reads, every 50 ms, the
 * highest seq of each writer it can see. Prints READY once every writer had a write acknowledged
 * (so a scenario's fault always hits a running load), then stops when its stdin closes (also when
 * the test process dies) and prints one JSON ClientReport line.
 *
 * Usage: deno run -A client.ts <ClientSpec JSON file> (under the harness root, so the registry
 * finds this process by its command line)
 */
import mysql from "mysql2/promise";

export interface ClientSpec {
  /**
   * Where writers connect, and how many write through each; `pauseMs` between a writer's inserts
   * (a light load that still shows when writes stop), none by default (as fast as acks come).
   */
  targets: { name: string; host: string; port: number; writers: number; pauseMs?: number }[];
  /** Where the reader connects (a target name). */
  readFrom: string;
  user: string;
  password: string;
}

/** One acknowledged insert: writer `w`'s `seq`, on server `server`, acknowledged at `at`. */
export interface ClientAck {
  w: number;
  seq: number;
  server: number;
  at: number;
}

/** One read: started, ended, and the highest seq of each writer it saw. */
export interface ClientRead {
  start: number;
  end: number;
  seen: Record<number, number>;
}

export interface ClientReport {
  acks: ClientAck[];
  reads: ClientRead[];
  /** Writer id -> the target it wrote through. */
  writerTargets: Record<number, string>;
  failures: number;
  /** The last failure's message, for a scenario that finds no write acknowledged. */
  lastFailure?: string;
}

/** Milliseconds on a clock every process on this machine shares (the test compares them). */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

const QUERY_TIMEOUT_MS = 1000;
/**
 * A connect to the VIP while no host holds it gets no answer (its SYN is dropped) and TCP sends
 * the next SYN only after a second: with a 1 s connect timeout every outage read as a whole
 * number of seconds (F02: 4.11 s in every round, the new leader writable with the VIP 3.5-3.9 s
 * after the fault). A connect on this bridge takes under a millisecond, so a client that gives up
 * after 250 ms and connects again measures the cluster, not TCP's retransmission timer.
 */
const CONNECT_TIMEOUT_MS = 250;
const READ_INTERVAL_MS = 50;
const RETRY_PAUSE_MS = 20;
const READY_TIMEOUT_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function connect(spec: ClientSpec, target: ClientSpec["targets"][number]) {
  return mysql.createConnection({
    host: target.host,
    port: target.port,
    user: spec.user,
    password: spec.password,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
}

async function writer(
  spec: ClientSpec,
  target: ClientSpec["targets"][number],
  w: number,
  report: ClientReport,
  stopped: () => boolean,
): Promise<void> {
  let conn: mysql.Connection | null = null;
  let server = 0;
  let seq = 0;
  while (!stopped()) {
    seq++;
    try {
      if (conn === null) {
        conn = await connect(spec, target);
        const [rows] = await conn.query({ sql: "SELECT @@server_id AS id", timeout: 1000 });
        server = Number((rows as { id: number }[])[0].id);
      }
      await conn.query({
        sql: "INSERT INTO app.netns_acked (w, seq, server) VALUES (?, ?, ?)",
        values: [w, seq, server],
        timeout: QUERY_TIMEOUT_MS,
      });
      report.acks.push({ w, seq, server, at: now() });
      if (target.pauseMs) await sleep(target.pauseMs);
    } catch (error) {
      // Down, read-only, blocked or cut off: the outcome is unknown, so it is not an ack.
      report.failures++;
      report.lastFailure = error instanceof Error ? error.message : String(error);
      conn?.destroy();
      conn = null;
      await sleep(RETRY_PAUSE_MS);
    }
  }
  conn?.destroy();
}

async function reader(
  spec: ClientSpec,
  target: ClientSpec["targets"][number],
  report: ClientReport,
  stopped: () => boolean,
): Promise<void> {
  let conn: mysql.Connection | null = null;
  while (!stopped()) {
    const start = now();
    try {
      conn ??= await connect(spec, target);
      const [rows] = await conn.query({
        sql: "SELECT w, MAX(seq) AS seq FROM app.netns_acked GROUP BY w",
        timeout: QUERY_TIMEOUT_MS,
      });
      const seen: Record<number, number> = {};
      for (const r of rows as { w: number; seq: number }[]) seen[Number(r.w)] = Number(r.seq);
      report.reads.push({ start, end: now(), seen });
    } catch {
      conn?.destroy();
      conn = null;
    }
    await sleep(READ_INTERVAL_MS);
  }
  conn?.destroy();
}

async function main(): Promise<void> {
  const spec = JSON.parse(await Deno.readTextFile(Deno.args[0])) as ClientSpec;
  const report: ClientReport = { acks: [], reads: [], writerTargets: {}, failures: 0 };
  let stop = false;
  const stopped = () => stop;
  const loops: Promise<void>[] = [];
  let w = 0;
  for (const target of spec.targets) {
    for (let i = 0; i < target.writers; i++) {
      w++;
      report.writerTargets[w] = target.name;
      loops.push(writer(spec, target, w, report, stopped));
    }
  }
  const readTarget = spec.targets.find((t) => t.name === spec.readFrom) ?? spec.targets[0];
  loops.push(reader(spec, readTarget, report, stopped));
  const writing = () => new Set(report.acks.map((a) => a.w)).size === w;
  for (let waited = 0; !writing() && waited < READY_TIMEOUT_MS; waited += 50) await sleep(50);
  console.log(writing() ? "READY" : "NOT READY: some writers had no write acknowledged");
  // Stdin closing is the stop signal; it also closes when the test process dies.
  for await (const _ of Deno.stdin.readable) {
    // nothing is sent; only the end matters
  }
  stop = true;
  await Promise.all(loops);
  console.log(JSON.stringify(report));
}

if (import.meta.main) await main();
