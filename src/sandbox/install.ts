/** Initialising a MariaDB data dir from its my.cnf (sandbox and test harness). */

import { XenonError } from "../lib/errors.ts";
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
  const tail = text.trim().split("\n").slice(-3).join(" | ");
  throw new XenonError(`${program} failed (exit ${out.code}): ${tail}`);
}

/** Initialises `paths.dataDir` with mariadb-install-db, using the instance's own my.cnf. */
export async function installDataDir(paths: InstancePaths): Promise<void> {
  await Deno.mkdir(paths.dataDir, { recursive: true });
  // --defaults-file must come first; --skip-test-db keeps the data dir small.
  await runProgram("mariadb-install-db", [`--defaults-file=${paths.cnfPath}`, "--skip-test-db"]);
}
