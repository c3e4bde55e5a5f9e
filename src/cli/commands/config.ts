import { checkConfig, checkConfigLive, type Finding, formatFinding } from "../../config/check.ts";
import {
  checkClusterSize,
  loadConfig,
  readConfigText,
  timersOf,
  type XenonConfig,
} from "../../config/mod.ts";
import { readPeersFile } from "../../node/peers_file.ts";
import { oneLine } from "../../lib/errors.ts";
import {
  DEFAULT_TIMERS,
  type LeaseArithmetic,
  leaseArithmetic,
  validateTimers,
} from "../../raft/mod.ts";
import type { CliContext } from "../context.ts";
import { withMysql } from "../mysql_session.ts";
import type { GroupSpec } from "../spec.ts";

/** The lease the timers give, or the error that makes them unusable for the election core. */
function leaseOf(config: XenonConfig): { lease?: LeaseArithmetic; finding?: Finding } {
  const timers = { ...DEFAULT_TIMERS, ...timersOf(config) };
  try {
    validateTimers(timers);
  } catch (error) {
    return {
      finding: { key: "raft.election-timeout", severity: "error", message: oneLine(error) },
    };
  }
  return { lease: leaseArithmetic(timers) };
}

/** The original's step-down rule, and what replaces it here. */
function admitDefeatNote({ config }: { config: XenonConfig }): string {
  const count = config.raft.admitDefeatHearbeatCount;
  const { heartbeatMs } = timersOf(config);
  return `raft.admit-defeat-hearbeat-count ${count}: the original's leader stepped down after ` +
    `${count} heartbeats without a majority (${count * config.raft.heartbeatTimeout} ms); here ` +
    `the lease above decides when a leader cut off from its majority fences itself, whatever the ` +
    `count (the heartbeat is ${heartbeatMs} ms)`;
}

async function runCheck(ctx: CliContext, _args: string[], options: Record<string, unknown>) {
  const path = ctx.configPath();
  const text = await readConfigText(path);
  const findings: Finding[] = checkConfig(text, {
    path,
    fileMode: (await Deno.stat(path)).mode ?? undefined,
  });
  let lease: LeaseArithmetic | undefined;
  // The lease and the live check need a config the daemon would start with.
  if (!findings.some((f) => f.severity === "error" && !f.startsAnyway)) {
    const { config } = await loadConfig(path);
    // The members this node knows: a 2-voter cluster behaves differently (two_nodes.ts).
    const meta = await readPeersFile(config.raft.metaDatadir).catch(() => null);
    if (meta) findings.push(...checkClusterSize(meta.peers));
    const timers = leaseOf(config);
    lease = timers.lease;
    if (timers.finding) findings.unshift(timers.finding);
    if (options.live && !timers.finding) {
      findings.push(
        ...await withMysql(config.mysql, ctx.timeoutMs, (query) => checkConfigLive(config, query)),
      );
    }
  }
  const notes = lease ? [lease.summary, admitDefeatNote(await loadConfig(path))] : [];
  if (ctx.json) ctx.out(JSON.stringify({ path, findings, lease, notes }));
  else {
    if (findings.length === 0) ctx.out(`${path}: no problems found`);
    for (const finding of findings) ctx.out(`${finding.severity}: ${formatFinding(finding)}`);
    for (const note of notes) ctx.out(`info: ${note}`);
  }
  // Errors stop xenon; warnings are printed and pass, unless --strict makes them fail too.
  const failing = options.strict ? findings : findings.filter((f) => f.severity === "error");
  return failing.length === 0 ? 0 : 1;
}

/** `xenon config check`: every problem of a config file, one line each, before it bites. */
export const configCommands: GroupSpec = {
  name: "config",
  description: "the configuration file",
  commands: [{
    usage: "check",
    description:
      "validate the config: types, timers (and the leader lease they give), sysvar profiles, " +
      "VIP commands, file permissions",
    options: [{
      flags: "--live",
      description: "also check every sysvar exists on the local MySQL",
    }, {
      flags: "--strict",
      description: "exit 1 on warnings too (errors always exit 1)",
    }],
    run: runCheck,
  }],
};
