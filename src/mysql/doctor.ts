/**
 * The durability doctor (`xenon mysql doctor`): reads the live settings of the local server and
 * says in one sentence what survives ("acknowledged writes survive the loss of any 1 of 3
 * nodes") or exactly why not, each finding with its fix. Rules: reliability.md §2.1–2.8.
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import type { Flavor } from "./flavor.ts";
import type { MysqlHandle } from "./handle.ts";
import { mycnfReadOnly } from "./mycnf.ts";
import { majority } from "../lib/quorum.ts";
import { requiredAcks } from "./semisync.ts";
import { globalVariables, replicaStatus } from "./sql.ts";

/** "error" breaks the guarantee; "warning" weakens safety without losing acknowledged writes. */
export type Severity = "error" | "warning";

/** One setting that is not as the guarantee needs it. */
export interface Finding {
  severity: Severity;
  setting: string;
  actual: string;
  expected: string;
  /** What goes wrong, one sentence. */
  problem: string;
  /** What to run or write, one line. */
  fix: string;
}

/** The doctor's verdict. */
export interface DoctorReport {
  voters: number;
  role: "leader" | "replica";
  lossless: boolean;
  /** One sentence. */
  guarantee: string;
  findings: Finding[];
}

/** What `diagnose` needs besides the variables. */
export interface DoctorContext {
  flavor: Flavor;
  voters: number;
  role: "leader" | "replica";
  /** `read_only` set in my.cnf; undefined when the file was not read. */
  mycnfReadOnly?: boolean;
}

/** Effectively infinite: a year. Anything shorter is a silent fall back to async. */
const INFINITE_MS = 365 * 24 * 3600 * 1000;

/** Variable names the doctor reads for `flavor`. */
export function doctorVariables(f: Flavor): string[] {
  const s = f.semiSyncSource;
  const names = [
    `${s}_enabled`,
    `${s}_wait_point`,
    `${s}_timeout`,
    `${f.semiSyncReplica}_enabled`,
    "sync_binlog",
    "innodb_flush_log_at_trx_commit",
    "relay_log_recovery",
    "binlog_format",
    "log_bin",
    f.logReplicaUpdates,
  ];
  if (f.waitCountVariable) names.push(f.waitCountVariable);
  if (f.gtid === "mariadb") names.push("gtid_strict_mode");
  else names.push("gtid_mode", "enforce_gtid_consistency");
  return [...names, ...Object.keys(f.parallelApply)];
}

/** Pure: findings and the sentence from variable values (names lower case). */
export function diagnose(vars: ReadonlyMap<string, string>, ctx: DoctorContext): DoctorReport {
  const findings: Finding[] = [];
  const f = ctx.flavor;
  const get = (name: string) => vars.get(name) ?? "(unset)";
  const want = (
    severity: Severity,
    setting: string,
    ok: (v: string) => boolean,
    expected: string,
    problem: string,
  ) => {
    const actual = get(setting);
    if (ok(actual.toUpperCase())) return;
    const fix = `SET GLOBAL ${setting}=${expected}; and ${setting}=${expected} in my.cnf [mysqld]`;
    findings.push({ severity, setting, actual, expected, problem, fix });
  };
  const on = (v: string) => v === "ON" || v === "1";

  const k = requiredAcks(ctx.voters);
  const s = f.semiSyncSource;
  if (k > 0) {
    want(
      "error",
      `${s}_wait_point`,
      (v) => v === "AFTER_SYNC",
      "AFTER_SYNC",
      "other clients can read a commit before any replica has it; a failover then loses it",
    );
    want(
      "error",
      `${s}_timeout`,
      (v) => Number(v) >= INFINITE_MS,
      "1000000000000000000",
      `without an acknowledgement the primary silently falls back to async after ${
        get(`${s}_timeout`)
      } ms`,
    );
    if (ctx.role === "leader") {
      want(
        "error",
        `${s}_enabled`,
        on,
        "ON",
        "the primary commits without waiting for any replica",
      );
    } else {
      want(
        "error",
        `${f.semiSyncReplica}_enabled`,
        on,
        "ON",
        "this replica never acknowledges, so the primary waits for others or blocks",
      );
    }
    waitCountFinding(vars, ctx, k, findings);
  }
  want(
    "error",
    "sync_binlog",
    (v) => v === "1",
    "1",
    "a power loss can drop binlogged commits that were already acknowledged",
  );
  want(
    "error",
    "innodb_flush_log_at_trx_commit",
    // 3 (MariaDB) flushes at commit too; a promote raises 1 to it (commit_durability.ts).
    (v) => v === "1" || (f.gtid === "mariadb" && v === "3"),
    f.gtid === "mariadb" ? "1 or 3" : "1",
    "a power loss can drop committed transactions from InnoDB",
  );
  want("error", "log_bin", on, "ON", "without a binary log this server cannot be a source");
  if (f.gtid === "mariadb") {
    want(
      "error",
      "gtid_strict_mode",
      on,
      "ON",
      "alternate histories (same domain and seq_no from two servers) go undetected",
    );
  } else {
    want("error", "gtid_mode", (v) => v === "ON", "ON", "xenon positions replicas by GTID");
    want("error", "enforce_gtid_consistency", on, "ON", "GTID mode needs it");
  }
  want("warning", "relay_log_recovery", on, "ON", "a crashed replica may apply a torn relay log");
  want("warning", "binlog_format", (v) => v === "ROW", "ROW", "statement-based replicas can drift");
  want(
    "warning",
    f.logReplicaUpdates,
    on,
    "ON",
    "a promoted replica cannot serve the others what it replicated before",
  );
  parallelApplyFindings(get, f, findings);
  if (ctx.mycnfReadOnly === false) {
    findings.push({
      severity: "warning",
      setting: "read_only (my.cnf)",
      actual: "off",
      expected: "ON",
      problem: "a restarted old primary comes up writable before xenon decides its role",
      fix: "add read_only=ON to my.cnf [mysqld]; xenon clears it on the leader",
    });
  }
  return report(findings, ctx);
}

/**
 * Parallel apply loses nothing when off, but a new leader applies its relay log before it is
 * writable, so with one SQL thread a failover under write load waits seconds for it. Thread and
 * worker counts pass from 2 on; other settings must be as the flavor table gives them.
 */
function parallelApplyFindings(get: (name: string) => string, f: Flavor, findings: Finding[]) {
  for (const [setting, expected] of Object.entries(f.parallelApply)) {
    const actual = get(setting);
    const count = /^\d+$/.test(expected);
    if (count ? Number(actual) >= 2 : actual.toUpperCase() === expected.toUpperCase()) continue;
    findings.push({
      severity: "warning",
      setting,
      actual,
      expected,
      problem: count
        ? "one SQL thread applies the relay log: after a failover under write load the new " +
          "leader waits seconds for it before it is writable"
        : `parallel apply in the primary's commit order needs ${setting}=${expected}`,
      fix: `${setting}=${expected} in my.cnf [mysqld]; SET GLOBAL takes it only while ` +
        `replication is stopped`,
    });
  }
}

function waitCountFinding(
  vars: ReadonlyMap<string, string>,
  ctx: DoctorContext,
  k: number,
  findings: Finding[],
): void {
  const name = ctx.flavor.waitCountVariable;
  if (name === null) {
    if (k <= 1) return;
    findings.push({
      severity: "error",
      setting: "semi-sync acknowledgements",
      actual: "1",
      expected: String(k),
      problem: `${ctx.flavor.label} waits for one acknowledgement; ${ctx.voters} voters need ${k}`,
      fix: "run at most 4 voters (others as non-voting replicas)",
    });
    return;
  }
  const actual = vars.get(name) ?? "(unset)";
  if (Number(actual) >= k) return;
  findings.push({
    severity: "error",
    setting: name,
    actual,
    expected: String(k),
    problem: `an acknowledged write may sit on fewer nodes than any electing majority includes`,
    fix: `SET GLOBAL ${name}=${k}; xenon sets it on the leader from the voter count`,
  });
}

function report(findings: Finding[], ctx: DoctorContext): DoctorReport {
  const errors = findings.filter((x) => x.severity === "error");
  const n = ctx.voters;
  const tolerated = n - majority(n);
  const nodes = n === 1 ? "node" : "nodes";
  const guarantee = errors.length === 0
    ? `acknowledged writes survive the loss of any ${tolerated} of ${n} ${nodes}` +
      (tolerated === 0 ? " (3 voters tolerate the loss of 1)" : "")
    : `acknowledged writes can be lost: ${
      errors.map((x) => `${x.setting}=${x.actual}`).join(", ")
    } (fix below)`;
  return { voters: n, role: ctx.role, lossless: errors.length === 0, guarantee, findings };
}

/**
 * Reads the live variables (and `defaultsFile` for read_only when given) and diagnoses them.
 * The role is "replica" when a source is configured, else "leader".
 */
export async function runDoctor(
  db: MysqlHandle,
  options: { voters: number; defaultsFile?: string },
): Promise<DoctorReport> {
  const rows = await db.session.query(globalVariables(doctorVariables(db.flavor)));
  const vars = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  const replica = await db.session.query(replicaStatus(db.flavor));
  let readOnly: boolean | undefined;
  if (options.defaultsFile) readOnly = mycnfReadOnly(await readDefaultsFile(options.defaultsFile));
  const report = diagnose(vars, {
    flavor: db.flavor,
    voters: options.voters,
    role: replica.length > 0 ? "replica" : "leader",
    mycnfReadOnly: readOnly,
  });
  if (!db.semiSyncMissing) return report;
  const plugin: Finding = {
    severity: "error",
    setting: "plugin-load-add",
    actual: "(not loaded)",
    expected: "both semi-sync plugins",
    problem: db.semiSyncMissing,
    fix: "add the plugin-load-add lines above to my.cnf [mysqld] and restart mysqld",
  };
  return { ...report, lossless: false, findings: [plugin, ...report.findings] };
}

async function readDefaultsFile(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new XenonError(`cannot read mysql.defaults-file ${path}: ${oneLine(error)}`);
  }
}
