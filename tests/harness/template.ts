/**
 * One initialised data dir per test isolate, copied for each instance: mariadb-install-db costs
 * about a second of CPU, a copy of its 26 MB a few tens of ms. The copy holds no binlog (install-db
 * writes none) and no server_id (that lives in my.cnf), so every instance still starts with its
 * own identity and an empty binlog.
 */

import { installDataDir, makeInstanceDirs, runProgram } from "../../src/sandbox/install.ts";
import { type InstancePaths, instancePaths, renderMyCnf } from "../../src/sandbox/mycnf.ts";
import { harnessRoot } from "./registry.ts";

let template: Promise<string> | undefined;

async function makeTemplate(): Promise<string> {
  const paths = instancePaths(`${harnessRoot()}/template`);
  await makeInstanceDirs(paths);
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
  await runProgram("cp", ["-a", "--reflink=auto", "--", source, paths.dataDir]);
}
