/**
 * `xenon mysql doctor`: the local MySQL's durability settings and the guarantee they give. It
 * runs locally (connecting with the config's mysql section) so it works with the daemon down; the
 * voter count comes from the daemon, or from `--voters` when it is down.
 */
import { timersOf } from "../config/mod.ts";
import { oneLine, UsageError, XenonError } from "../lib/errors.ts";
import { forecastFailover } from "../model/forecast.ts";
import type { DoctorReport } from "../mysql/mod.ts";
import { RpcError } from "../rpc/errors.ts";
import type { CliContext } from "./context.ts";
import { withDaemons } from "./daemons.ts";
import type { Handler } from "./spec.ts";

const APPLY_SAMPLE_MS = 1000;

function parseVoters(text: string): number {
  const voters = Number(text);
  if (!/^\d+$/.test(text.trim()) || voters < 1 || voters > 99) {
    throw new UsageError(`--voters: "${text}" is not a voter count; expected e.g. 3`);
  }
  return voters;
}

async function votersFromDaemon(ctx: CliContext): Promise<number> {
  try {
    return await withDaemons(ctx, async (daemons) => {
      const nodes = await daemons.call(daemons.self, "NodeRPC.GetNodes", {});
      return Math.max(1, nodes.peers.length);
    });
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    throw new XenonError(`${oneLine(error)}; or give the voter count with --voters N`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function printReport(ctx: CliContext, report: DoctorReport, notes: string[]): void {
  if (ctx.json) return ctx.out(JSON.stringify({ ...report, notes }));
  ctx.out(`guarantee: ${report.guarantee}`);
  for (const f of report.findings) {
    ctx.out(
      `${f.severity}: ${f.setting}=${f.actual} (expected ${f.expected}): ${f.problem}; fix: ${f.fix}`,
    );
  }
  for (const note of notes) ctx.out(`info: ${note}`);
}

export const doctor: Handler = async (ctx, _args, options) => {
  const config = await ctx.config();
  const voters = typeof options.voters === "string"
    ? parseVoters(options.voters)
    : await votersFromDaemon(ctx);
  const notes = [`checked as ${voters} voter(s)`];
  const mycnf = config.mysql.defaultsFile;
  const defaultsFile = mycnf && await isFile(mycnf) ? mycnf : undefined;
  if (!defaultsFile) notes.push(`read_only in my.cnf not checked: ${mycnf || "(unset)"} not found`);
  // The MySQL layer (and its driver) loads only for the doctor.
  const { measureApply, openMysql, runDoctor } = await import("../mysql/mod.ts");
  await using db = await openMysql({
    host: config.mysql.host,
    port: config.mysql.port,
    user: config.mysql.admin,
    password: config.mysql.passwd,
    connectTimeoutMs: ctx.timeoutMs,
    queryTimeoutMs: ctx.timeoutMs,
  }, { version: config.mysql.version });
  if (db.mismatch) notes.push(db.mismatch);
  const report = await runDoctor(db, { voters, defaultsFile });
  notes.unshift(`role: ${report.role}`);
  if (report.role === "replica") {
    // A second of the SQL thread's progress gives the rate the backlog would be applied at.
    const apply = await measureApply(db, APPLY_SAMPLE_MS);
    const timers = timersOf(config);
    notes.push(forecastFailover({ ...timers, ...apply }).text);
  } else {
    notes.push("failover forecast: this server is the primary; run the doctor on a replica");
  }
  printReport(ctx, report, notes);
  return report.lossless ? 0 : 1;
};
