/**
 * Judging the values in master-sysvars / slave-sysvars before a failover runs them. A small table
 * of well-known variables gives types and ranges (MySQL 5.7/8.0 and MariaDB 10.x manuals); any
 * variable, known or not, is checked for a misspelt `default` (the field notes shipped
 * `innodb_flush_log_at_trx_commit=defaulti`, which fails only at promotion time).
 */
import { error, type Finding, warning } from "./finding.ts";
import { type Sysvar, unquote } from "./sysvars.ts";

type VarType =
  | { kind: "bool" }
  | { kind: "int"; min: number; max: number }
  | { kind: "enum"; values: string[] };

const BOOL: VarType = { kind: "bool" };
const int = (min: number, max: number): VarType => ({ kind: "int", min, max });
const oneOf = (...values: string[]): VarType => ({ kind: "enum", values });
const U32 = 4294967295;

export const WELL_KNOWN: Record<string, VarType> = {
  offline_mode: BOOL,
  event_scheduler: oneOf("ON", "OFF", "0", "1"),
  sync_binlog: int(0, U32),
  innodb_flush_log_at_trx_commit: int(0, 3),
  innodb_flush_log_at_timeout: int(1, 2700),
  sync_relay_log: int(0, U32),
  sync_master_info: int(0, U32),
  tokudb_fsync_log_period: int(0, U32),
  binlog_format: oneOf("ROW", "STATEMENT", "MIXED"),
  binlog_group_commit_sync_delay: int(0, 1000000),
  slave_net_timeout: int(1, 31536000),
  slave_parallel_workers: int(0, 1024),
  replica_parallel_workers: int(0, 1024),
  slave_parallel_threads: int(0, 16383),
  slave_preserve_commit_order: BOOL,
  max_connections: int(1, 100000),
};

const BOOL_WORDS = ["ON", "OFF", "TRUE", "FALSE", "1", "0"];

/** Optimal string alignment distance, enough to spot a typo of "default". */
function typoDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Why `value` cannot be right for variable `name`, or undefined. */
export function judgeSysvarValue({ name, value }: Sysvar): string | undefined {
  const word = unquote(value);
  const lower = word.toLowerCase();
  if (lower === "default") return undefined;
  const type = WELL_KNOWN[name.toLowerCase()];
  const valid = type === undefined ? undefined : validFor(type, word);
  if (valid === true) return undefined;
  if (/^[a-z]+$/.test(lower) && typoDistance(lower, "default") <= 2) {
    return `${name}=${value}: ${JSON.stringify(word)} looks like a misspelling of default`;
  }
  if (type === undefined) return undefined;
  return `${name}=${value}: ${valid}`;
}

function validFor(type: VarType, word: string): true | string {
  const shown = JSON.stringify(word);
  switch (type.kind) {
    case "bool":
      return BOOL_WORDS.includes(word.toUpperCase())
        ? true
        : `${shown} is not a boolean; expected ON, OFF, 1, 0 or default`;
    case "int": {
      const expected = `expected a whole number ${type.min}-${type.max} or default`;
      if (!/^-?\d+$/.test(word)) return `${shown} is not a number; ${expected}`;
      const n = Number(word);
      return n >= type.min && n <= type.max ? true : `${word} is out of range; ${expected}`;
    }
    case "enum":
      return type.values.includes(word.toUpperCase())
        ? true
        : `${shown} is not a value of it; expected one of ${type.values.join(", ")} or default`;
  }
}

/**
 * Variables the agent sets itself on every role change: read-only, semi-sync (enabled, timeout,
 * wait point, ack count, wait-no-replica) and GTID settings. A profile is applied after the agent's
 * own settings, and `mysql sysvar` bypasses the acks-pending check, so either could undo what
 * failover relies on. (Semi-sync trace levels only add log lines.)
 */
const AGENT_OWNED =
  /^(read_only|super_read_only|rpl_semi_sync_(master|slave|source|replica)_(?!trace_level$)\w+|gtid_(mode|strict_mode|domain_id|slave_pos|purged|binlog_state|ignore_duplicates)|enforce_gtid_consistency)$/i;

/** Whether xenon owns variable `name` (see AGENT_OWNED), so nothing else may set it. */
export function isAgentOwnedSysvar(name: string): boolean {
  return AGENT_OWNED.test(name);
}

/** Why a `mysql sysvar` statement setting `name` is refused. */
export function agentOwnedRefusal(name: string): string {
  return `${name} is set by xenon itself on every role change (read-only, semi-sync and GTID ` +
    `settings carry its failover guarantees), so mysql sysvar may not change it`;
}

/**
 * Findings for both profiles: variables xenon owns, bad values by variable name, settings that
 * risk acknowledged transactions, and variables one profile sets and the other never resets.
 */
export function checkSysvarProfiles(master: Sysvar[], slave: Sysvar[]): Finding[] {
  const findings: Finding[] = [];
  const profiles = [["mysql.master-sysvars", master], ["mysql.slave-sysvars", slave]] as const;
  for (const [key, items] of profiles) {
    const seen = new Map<string, string>();
    for (const item of items) {
      if (isAgentOwnedSysvar(item.name)) {
        findings.push(error(
          key,
          `${item.name}=${item.value}: xenon sets ${item.name} itself on every role change and ` +
            `this profile would override it; remove it`,
        ));
        continue;
      }
      const problem = judgeSysvarValue(item);
      if (problem) findings.push(error(key, problem));
      const lower = item.name.toLowerCase();
      if (seen.has(lower)) {
        findings.push(
          warning(key, `${item.name} is set twice; the last value (${item.value}) wins`),
        );
      }
      seen.set(lower, item.value);
    }
  }
  findings.push(...durability(master));
  findings.push(...asymmetry(master, slave));
  return findings;
}

function durability(master: Sysvar[]): Finding[] {
  const findings: Finding[] = [];
  for (const { name, value } of master) {
    const n = name.toLowerCase();
    if (
      (n === "sync_binlog" || n === "innodb_flush_log_at_trx_commit") && /^\d+$/.test(value) &&
      value !== "1" && !(n === "innodb_flush_log_at_trx_commit" && value === "3")
    ) {
      findings.push(
        warning(
          "mysql.master-sysvars",
          `${name}=${value}: the primary can lose acknowledged transactions if its host crashes; use 1`,
        ),
      );
    }
  }
  return findings;
}

function asymmetry(master: Sysvar[], slave: Sysvar[]): Finding[] {
  const findings: Finding[] = [];
  const names = (items: Sysvar[]) => new Set(items.map((i) => i.name.toLowerCase()));
  const pairs = [
    ["mysql.slave-sysvars", slave, names(master), "master-sysvars", "a promoted replica keeps"],
    ["mysql.master-sysvars", master, names(slave), "slave-sysvars", "a demoted primary keeps"],
  ] as const;
  for (const [key, items, other, otherName, consequence] of pairs) {
    for (const { name, value } of items) {
      if (isAgentOwnedSysvar(name) || other.has(name.toLowerCase())) continue;
      findings.push(
        warning(key, `${name} is not reset by ${otherName}: ${consequence} ${name}=${value}`),
      );
    }
  }
  return findings;
}
