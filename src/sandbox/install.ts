/** Initialising a MariaDB data dir from its my.cnf (sandbox and test harness). */

import { XenonError } from "../lib/errors.ts";
import { errorLogSummary } from "./mariadb.ts";
import type { InstancePaths } from "./mycnf.ts";

/** Runs an argv (never a shell) and throws one line with the end of its output if it fails. */
export async function runProgram(program: string, args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(program, { args, stdin: "null" }).output();
  } catch (error) {
    throw new XenonError(
      `cannot run ${program}: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (out.success) return;
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  // install-db ends with boilerplate ("Please check all of the above..."): its cause is the
  // first [ERROR] line, when there is one.
  const lines = text.trim().split("\n").filter((line) => line.trim() !== "");
  const cause = lines.find((line) => /\[ERROR\]|^ERROR/.test(line));
  const detail = cause ?? lines.slice(-3).join(" | ");
  throw new XenonError(`${program} failed (exit ${out.code}): ${detail.trim()}`);
}

/** The instance's directories that my.cnf names (run, log, tmp); the data dir is install's. */
export async function makeInstanceDirs(paths: InstancePaths): Promise<void> {
  for (const dir of [`${paths.dir}/run`, `${paths.dir}/log`, paths.tmpDir]) {
    await Deno.mkdir(dir, { recursive: true });
  }
}

/** Initialises `paths.dataDir` with mariadb-install-db, using the instance's own my.cnf. */
export async function installDataDir(paths: InstancePaths): Promise<void> {
  await Deno.mkdir(paths.dataDir, { recursive: true });
  // --defaults-file must come first; --skip-test-db keeps the data dir small.
  await runProgram("mariadb-install-db", [`--defaults-file=${paths.cnfPath}`, "--skip-test-db"])
    .catch((error) => {
      // The bootstrap server logs its cause to the my.cnf's log_error, not to install-db's output.
      throw new XenonError(`${error.message}; error.log: ${errorLogSummary(paths.errorLog)}`);
    });
}
