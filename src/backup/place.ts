/**
 * Where a rebuild's directories are and how the prepared backup takes the old datadir's place:
 * by renames only (nothing is deleted here). The old datadir goes aside, together with the
 * binlogs and relay logs my.cnf keeps outside it (`log-bin`, `log_bin_index`, `relay-log`, ...
 * in any spelling), so the restored server cannot pick up the old server's logs. Each step can
 * be repeated after a crash: `moveIntoPlace` finishes whatever is left.
 */
import { syncDir } from "../lib/fs.ts";
import { XenonError } from "../lib/errors.ts";
import { mycnfValue } from "../mysql/mycnf.ts";

export interface DataPaths {
  datadir: string;
  staging: string;
  aside: string;
}

/** Log files kept outside the datadir: a directory and the file-name prefix (or exact name). */
export interface ExternalLog {
  dir: string;
  prefix: string;
  exact: boolean;
}

const LOG_KEYS = [
  { key: "log_bin", exact: false },
  { key: "log_bin_index", exact: true },
  { key: "relay_log", exact: false },
  { key: "relay_log_index", exact: true },
];

/** The directory holding `path`. */
export const dirOf = (path: string) => path.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";
const baseOf = (path: string) => path.replace(/\/+$/, "").replace(/^.*\//, "");
const trimSlash = (path: string) => path.replace(/\/+$/, "") || "/";

/** The datadir my.cnf names, with its staging and aside siblings (same filesystem: renames). */
export function dataPathsOf(mycnf: string, defaultsFile: string, stamp: string): DataPaths {
  const datadir = mycnfValue(mycnf, "datadir");
  if (!datadir || !datadir.startsWith("/")) {
    throw new XenonError(
      `${defaultsFile} sets no absolute datadir in [mysqld]: add datadir=/path/to/data`,
    );
  }
  const d = trimSlash(datadir);
  if (d === "/") {
    throw new XenonError(`${defaultsFile}: datadir=/ cannot be rebuilt; use a dedicated directory`);
  }
  return { datadir: d, staging: `${d}.xenon-staging`, aside: `${d}.before-rebuild-${stamp}` };
}

/** Binlog and relay-log files my.cnf places outside the datadir. */
export function externalLogs(mycnf: string, datadir: string): ExternalLog[] {
  const found: ExternalLog[] = [];
  for (const { key, exact } of LOG_KEYS) {
    const value = mycnfValue(mycnf, key);
    if (!value || !value.startsWith("/")) continue; // relative names live in the datadir
    const dir = dirOf(value);
    if (trimSlash(dir) === datadir) continue;
    found.push({ dir, prefix: baseOf(value), exact });
  }
  return found;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Old datadir → aside, external logs → aside/external, staging → datadir. Repeatable: a step
 * already done is skipped. Refuses (touching nothing) when the directories are not as expected.
 */
export async function moveIntoPlace(p: DataPaths, logs: readonly ExternalLog[]): Promise<string[]> {
  const done: string[] = [];
  if (!exists(p.staging)) {
    if (exists(p.datadir)) return done; // finished before
    throw new XenonError(
      `neither ${p.staging} nor ${p.datadir} exists: the backup is gone; run rebuildme again`,
    );
  }
  if (exists(p.datadir)) {
    if (exists(p.aside)) {
      throw new XenonError(`${p.aside} exists already; move it away, then run rebuildme again`);
    }
    await Deno.rename(p.datadir, p.aside);
    done.push(`moved the old datadir to ${p.aside}`);
  } else {
    await Deno.mkdir(p.aside, { recursive: true });
  }
  for (const log of logs) {
    const target = `${p.aside}/external${log.dir}`;
    let moved = 0;
    for (const e of exists(log.dir) ? [...Deno.readDirSync(log.dir)] : []) {
      const match = log.exact ? e.name === log.prefix : e.name.startsWith(`${log.prefix}.`);
      if (!match || !e.isFile) continue;
      await Deno.mkdir(target, { recursive: true });
      await Deno.rename(`${log.dir}/${e.name}`, `${target}/${e.name}`);
      moved++;
    }
    if (moved > 0) done.push(`moved ${moved} ${log.prefix} file(s) from ${log.dir} to ${target}`);
  }
  await Deno.rename(p.staging, p.datadir);
  await syncDir(dirOf(p.datadir));
  done.push(`moved the prepared backup to ${p.datadir}`);
  return done;
}

/** Free bytes on the filesystem holding `dir` (df -Pk). */
export async function freeBytes(dir: string): Promise<number> {
  const out = await new Deno.Command("df", { args: ["-Pk", dir], stdout: "piped", stderr: "null" })
    .output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n")[1] ?? "";
  const available = Number(line.split(/\s+/)[3]);
  if (!out.success || !Number.isFinite(available)) {
    throw new XenonError(`cannot tell the free space of ${dir} (df -Pk failed)`);
  }
  return available * 1024;
}
