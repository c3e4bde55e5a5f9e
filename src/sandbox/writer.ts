/**
 * `sandbox write`: a small application writing through the current leader as the `app` account
 * (no READ ONLY ADMIN, so a fenced old leader refuses it). Every acknowledged row is remembered;
 * on an error the writer finds the leader again (bounded) and goes on. At the end it counts the
 * acknowledged rows missing on the leader: a lossless failover leaves 0.
 */
import type mysql from "mysql2/promise";
import { oneLine, XenonError } from "../lib/errors.ts";
import { nodeLabel, SandboxClient } from "./client.ts";
import type { NodeState, SandboxState } from "./state.ts";
import { sleep, waitFor } from "./wait.ts";

export interface WriterOptions {
  seconds: number;
  say(line: string): void;
  /** Longest search for a leader after an error, and at the end. @default 30000 */
  leaderTimeoutMs?: number;
}

export interface WriterReport {
  acknowledged: number;
  /** Writes that failed (not acknowledged: they may or may not have committed). */
  failed: number;
  /** Acknowledged writes the leader does not have at the end. */
  missing: number;
  leaders: string[];
}

const TABLE = "app.sandbox_writes";

export async function runWriter(
  state: SandboxState,
  options: WriterOptions,
): Promise<WriterReport> {
  const { say } = options;
  const leaderTimeoutMs = options.leaderTimeoutMs ?? 30_000;
  const client = await SandboxClient.open(state);
  const run = crypto.randomUUID().slice(0, 8);
  const acked: number[] = [];
  const leaders: string[] = [];
  let failed = 0;
  let conn: mysql.Connection | undefined;
  const findLeader = () =>
    waitFor("a writable leader", () => client.writableLeader(), {
      timeoutMs: leaderTimeoutMs,
      intervalMs: 100,
    });
  try {
    const started = performance.now();
    const endAt = started + options.seconds * 1000;
    let lastReport = started;
    let seq = 0;
    say(
      `writing rows (run ${run}) as '${state.app.user}' through the leader for ${options.seconds} s`,
    );
    while (performance.now() < endAt) {
      try {
        if (conn === undefined) {
          const leader = await findLeader();
          if (leaders.at(-1) !== leader.name) {
            leaders.push(leader.name);
            say(`writing through ${nodeLabel(leader)}, MySQL port ${leader.mysqlPort}`);
          }
          conn = await client.connect(leader, state.app);
          await conn.query("CREATE DATABASE IF NOT EXISTS app");
          await conn.query(
            `CREATE TABLE IF NOT EXISTS ${TABLE} (run CHAR(8) NOT NULL, seq INT NOT NULL, ` +
              "PRIMARY KEY (run, seq))",
          );
        }
        seq++;
        await conn.query(`INSERT INTO ${TABLE} (run, seq) VALUES (?, ?)`, [run, seq]);
        acked.push(seq);
      } catch (error) {
        failed++;
        say(`write ${seq} failed: ${oneLine(error)}; finding the leader again`);
        conn?.destroy();
        conn = undefined;
        await sleep(100);
      }
      if (performance.now() - lastReport >= 2000) {
        lastReport = performance.now();
        say(`${acked.length} writes acknowledged, ${failed} failed`);
      }
    }
    conn?.destroy();
    conn = undefined;
    const leader = await findLeader();
    const missing = await countMissing(client, leader, run, acked);
    say(
      `${acked.length} writes acknowledged, ${failed} failed (not acknowledged), ` +
        `${missing} acknowledged writes missing on the leader ${leader.name}`,
    );
    return { acknowledged: acked.length, failed, missing, leaders };
  } finally {
    conn?.destroy();
    client.close();
  }
}

async function countMissing(
  client: SandboxClient,
  leader: NodeState,
  run: string,
  acked: number[],
): Promise<number> {
  if (acked.length === 0) return 0;
  const rows = await client.query<{ seq: number }>(
    leader,
    `SELECT seq FROM ${TABLE} WHERE run = ?`,
    [run],
  ).catch((error) => {
    throw new XenonError(`cannot read the writes back from ${leader.name}: ${oneLine(error)}`);
  });
  const present = new Set(rows.map((r) => Number(r.seq)));
  return acked.filter((seq) => !present.has(seq)).length;
}
