/**
 * One initialised data dir per test isolate, copied for each instance: mariadb-install-db costs
 * about a second of CPU, a copy of its 26 MB a few tens of ms. The copy holds no binlog (install-db
 * writes none) and no server_id (that lives in my.cnf), so every instance still starts with its
 * own identity and an empty binlog.
 */

import { XenonError } from "../../src/lib/errors.ts";
import { type InstancePaths, instancePaths, renderMyCnf } from "./mycnf.ts";
import { harnessRoot } from "./registry.ts";

/** Runs an argv (never a shell) and throws one line with the end of its output if it fails. */
export async function run(program: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(program, { args, stdin: "null" }).output();
  if (out.success) return;
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const tail = text.trim().split("\n").slice(-3).join(" | ");
  throw new XenonError(`${program} failed (exit ${out.code}): ${tail}`);
}

/** Initialises `paths.dataDir` with mariadb-install-db, using the instance's own my.cnf. */
export async function installDataDir(paths: InstancePaths): Promise<void> {
  await Deno.mkdir(paths.dataDir, { recursive: true });
  // --defaults-file must come first; --skip-test-db keeps the copy small.
  await run("mariadb-install-db", [`--defaults-file=${paths.cnfPath}`, "--skip-test-db"]);
}

let template: Promise<string> | undefined;

async function makeTemplate(): Promise<string> {
  const paths = instancePaths(`${harnessRoot()}/template`);
  await Deno.mkdir(`${paths.dir}/log`, { recursive: true });
  await Deno.writeTextFile(paths.cnfPath, renderMyCnf(paths, 3306, 1));
  await installDataDir(paths);
  return paths.dataDir;
}

/** Fills `paths.dataDir` (which must not exist yet) with a copy of this isolate's template. */
export async function copyTemplateDataDir(paths: InstancePaths): Promise<void> {
  template ??= makeTemplate();
  let source: string;
  try {
    source = await template;
  } catch (error) {
    template = undefined; // let the next instance try again rather than repeat a stale failure
    throw error;
  }
  await run("cp", ["-a", "--reflink=auto", "--", source, paths.dataDir]);
}
