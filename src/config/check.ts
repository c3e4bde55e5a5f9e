/**
 * `xenon config check`: every problem of a config file, one finding each, before a failover
 * trips on it. `checkConfig` reads only the text (and the file mode); `checkConfigLive` also asks
 * the local MySQL through an injected query function (this folder never opens connections).
 */
import { oneLine } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { checkClusterSecret } from "./cluster_secret.ts";
import { decodeConfig } from "./decode.ts";
import type { XenonConfig } from "./derive.ts";
import { error, type Finding, formatFinding, warning } from "./finding.ts";
import { registerConfigSecrets } from "./parse.ts";
import { camel, SECTIONS, specsOf } from "./schema.ts";
import { checkSysvarProfiles } from "./sysvar_rules.ts";
import { scanSysvarProfile, type Sysvar } from "./sysvars.ts";
import { checkTimers } from "./timers.ts";
import { checkTls } from "./tls_rules.ts";
import { checkTwoNodeSettings } from "./two_nodes.ts";

export { type Finding, formatFinding };

export interface CheckOptions {
  path?: string;
  /** `Deno.FileInfo.mode` of the file: group/world-readable passwords are reported. */
  fileMode?: number;
}

export type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export function checkConfig(text: string, options: CheckOptions = {}): Finding[] {
  const source = options.path ?? "<file>";
  const { config, errors, warnings, present } = decodeConfig(text, source);
  registerConfigSecrets(config);
  const findings = [...errors, ...warnings];
  if (errors.some((f) => f.key === source)) return masked(findings); // not JSON, or not an object
  const invalid = new Set(errors.map((f) => f.key));

  findings.push(...checkTimers(config, invalid));
  findings.push(...checkSysvarProfiles(...profiles(config)));
  findings.push(...checkLeaderCommands(config, invalid));
  findings.push(...checkMisc(config));
  findings.push(...checkClusterSecret(config.server, config.replication.passwd));
  findings.push(...checkTls(config.server));
  findings.push(...checkTwoNodeSettings(config));
  findings.push(...checkSamplePasswords(config));
  if (options.fileMode !== undefined) {
    findings.push(...checkFileMode(config, present, source, options.fileMode));
  }
  // Errors first: they are what stops xenon; warnings follow in file order.
  return masked([
    ...findings.filter((f) => f.severity === "error"),
    ...findings.filter((f) => f.severity === "warning"),
  ]);
}

/** Findings also travel as JSON (`--json`), so their messages are masked here, not only when printed. */
function masked(findings: Finding[]): Finding[] {
  return findings.map((f) => ({ ...f, message: redact(f.message) }));
}

function profiles(config: XenonConfig): [Sysvar[], Sysvar[]] {
  return [
    scanSysvarProfile(config.mysql.masterSysvars).items,
    scanSysvarProfile(config.mysql.slaveSysvars).items,
  ];
}

const START = "raft.leader-start-command";
const STOP = "raft.leader-stop-command";
const DELETES_ADDRESS = /\bip\s+(-\S+\s+)*(a|addr|address)\s+(d|del|delete)\b/;
const ADDS_ADDRESS = /\bip\s+(-\S+\s+)*(a|addr|address)\s+(a|add)\b/;

function checkLeaderCommands(config: XenonConfig, invalid: Set<string>): Finding[] {
  if (invalid.has(START) || invalid.has(STOP)) return [];
  const start = config.raft.leaderStartCommand.trim();
  const stop = config.raft.leaderStopCommand.trim();
  const isNop = (command: string) => command === "" || command === "nop";
  const findings: Finding[] = [];
  if (isNop(start) && isNop(stop)) {
    findings.push(warning(
      START,
      `${
        JSON.stringify(start)
      }: no VIP moves on failover, so clients must find the new primary by other means; set the start/stop commands to add/remove the VIP (see conf/README.md)`,
    ));
  } else if (isNop(stop)) {
    findings.push(
      error(
        STOP,
        `${
          JSON.stringify(stop)
        } while leader-start-command is set: a demoted leader keeps the VIP, so two hosts answer for it; set it to remove what the start command adds`,
      ),
    );
  } else if (isNop(start)) {
    findings.push(
      error(
        START,
        `${
          JSON.stringify(start)
        } while leader-stop-command is set: a new leader never takes the VIP; set it to add what the stop command removes`,
      ),
    );
  }
  if (DELETES_ADDRESS.test(start) && ADDS_ADDRESS.test(stop)) {
    findings.push(
      error(
        START,
        `removes an address while leader-stop-command adds one: the VIP commands are swapped (the original \`xenoncli init\` wrote them that way); exchange them`,
      ),
    );
  }
  return findings;
}

function checkMisc(config: XenonConfig): Finding[] {
  const findings: Finding[] = [];
  if (config.server.enableApis && config.mysql.passwd === "") {
    findings.push(
      warning(
        "server.enable-apis",
        "true while mysql.passwd is empty: the admin API accepts the MySQL admin account with an " +
          "empty password (as the original, and the Kubernetes operator's only choice), so anyone " +
          "who reaches server.peer-address can call it; limit who can (a Kubernetes " +
          "NetworkPolicy, a firewall) or set mysql.passwd",
      ),
    );
  }
  return findings;
}

/** `section.key` and value of every password in the config. */
function passwords(config: XenonConfig): [string, string][] {
  const out: [string, string][] = [];
  for (const section of SECTIONS) {
    for (const [key, spec] of specsOf(section)) {
      const value = (config[section] as Record<string, unknown>)[camel(key)];
      if (spec.secret) out.push([`${section}.${key}`, String(value)]);
    }
  }
  return out;
}

/** The placeholder conf/xenon.json ships instead of passwords. */
const SAMPLE_PASSWORD = "CHANGE-ME";

function checkSamplePasswords(config: XenonConfig): Finding[] {
  return passwords(config)
    .filter(([, value]) => value === SAMPLE_PASSWORD)
    .map(([key]) => warning(key, "still the sample's placeholder password; set a real one"));
}

function checkFileMode(
  config: XenonConfig,
  present: Set<string>,
  path: string,
  mode: number,
): Finding[] {
  if ((mode & 0o044) === 0) return [];
  const secrets = passwords(config)
    .filter(([key, value]) => present.has(key) && value !== "")
    .map(([key]) => key);
  if (secrets.length === 0) return [];
  const who = (mode & 0o004) ? "everyone" : "its group";
  return [
    error(
      path,
      `readable by ${who} and holds passwords (${secrets.join(", ")}); run chmod 600 ${path}`,
    ),
  ];
}

/** LIKE treats `_` and `%` as wildcards; sysvar names are full of `_`. */
function likeLiteral(name: string): string {
  return name.replace(/[\\_%]/g, "\\$&");
}

/** Variables whose server default decides whether a primary loses acknowledged transactions. */
const DURABILITY = ["sync_binlog", "innodb_flush_log_at_trx_commit"];

/**
 * Checks against the running server that every sysvar in both profiles exists, and what `default`
 * means there for the durability variables (MariaDB's sync_binlog default is 0).
 */
export async function checkConfigLive(config: XenonConfig, query: Query): Promise<Finding[]> {
  const findings: Finding[] = [];
  const [master, slave] = profiles(config);
  const server = `${config.mysql.host}:${config.mysql.port}`;
  try {
    for (
      const [key, items] of [["mysql.master-sysvars", master], [
        "mysql.slave-sysvars",
        slave,
      ]] as const
    ) {
      const seen = new Set<string>();
      for (const { name } of items) {
        if (seen.has(name.toLowerCase())) continue;
        seen.add(name.toLowerCase());
        const rows = await query("SHOW GLOBAL VARIABLES LIKE ?", [likeLiteral(name)]);
        if (rows.length === 0) {
          findings.push(
            error(
              key,
              `${name} does not exist on ${server}; fix the name, or load the plugin that provides it`,
            ),
          );
        }
      }
    }
    for (const { name, value } of master) {
      if (!DURABILITY.includes(name.toLowerCase()) || value.toLowerCase() !== "default") continue;
      const fallback = await serverDefault(query, name);
      if (fallback !== undefined && fallback !== "1") {
        findings.push(
          warning(
            "mysql.master-sysvars",
            `${name}=default is ${fallback} on ${server}: the primary can lose acknowledged transactions if its host crashes; use ${name}=1`,
          ),
        );
      }
    }
  } catch (e) {
    return masked([...findings, error("mysql", `live check on ${server} failed: ${oneLine(e)}`)]);
  }
  return masked(findings);
}

/**
 * The compiled-in default: MariaDB's information_schema.SYSTEM_VARIABLES; MySQL has no such table,
 * but 8.0's performance_schema.variables_info says when the live value (global_variables) is still
 * the compiled one (MySQL 8.0 manual, "Performance Schema variables_info Table"). Otherwise
 * unknown (MySQL 5.7, or a value set at startup): MySQL's documented defaults are 1 for both.
 */
async function serverDefault(query: Query, name: string): Promise<string | undefined> {
  const first = async (sql: string) => {
    try {
      const rows = await query(sql, [name]);
      const d = rows[0]?.d;
      return d === null || d === undefined ? undefined : String(d);
    } catch {
      return undefined;
    }
  };
  return await first(
    "SELECT DEFAULT_VALUE AS d FROM information_schema.SYSTEM_VARIABLES WHERE VARIABLE_NAME = UPPER(?)",
  ) ?? await first(
    "SELECT g.VARIABLE_VALUE AS d FROM performance_schema.global_variables g " +
      "JOIN performance_schema.variables_info i ON i.VARIABLE_NAME = g.VARIABLE_NAME " +
      "WHERE g.VARIABLE_NAME = LOWER(?) AND i.VARIABLE_SOURCE = 'COMPILED'",
  );
}
