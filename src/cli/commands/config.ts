import { checkConfig, checkConfigLive, type Finding, formatFinding } from "../../config/check.ts";
import { loadConfig, readConfigText } from "../../config/mod.ts";
import type { CliContext } from "../context.ts";
import type { GroupSpec } from "../spec.ts";
import { withMysql } from "../mysql_session.ts";

async function runCheck(ctx: CliContext, _args: string[], options: Record<string, unknown>) {
  const path = ctx.configPath();
  const text = await readConfigText(path);
  const findings: Finding[] = checkConfig(text, {
    path,
    fileMode: (await Deno.stat(path)).mode ?? undefined,
  });
  if (options.live && !findings.some((f) => f.severity === "error")) {
    const { config } = await loadConfig(path);
    findings.push(
      ...await withMysql(config.mysql, ctx.timeoutMs, (query) => checkConfigLive(config, query)),
    );
  }
  if (ctx.json) ctx.out(JSON.stringify({ path, findings }));
  else if (findings.length === 0) ctx.out(`${path}: no problems found`);
  else for (const finding of findings) ctx.out(`${finding.severity}: ${formatFinding(finding)}`);
  return findings.length === 0 ? 0 : 1;
}

/** `xenon config check`: every problem of a config file, one line each, before it bites. */
export const configCommands: GroupSpec = {
  name: "config",
  description: "the configuration file",
  commands: [{
    usage: "check",
    description:
      "validate the config: types, timers, sysvar profiles, VIP commands, file permissions",
    options: [{
      flags: "--live",
      description: "also check every sysvar exists on the local MySQL",
    }],
    run: runCheck,
  }],
};
