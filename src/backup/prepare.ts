/** Preparing an extracted backup on the receiver: the tool's exit status and its last line. */
import { XenonError } from "../lib/errors.ts";
import { completedOk } from "./donor_stream.ts";
import { lastLine, spawn } from "./process_tree.ts";
import { prepareArgs, type ToolOptions, toolPath } from "./tool_args.ts";

export async function prepareBackup(o: ToolOptions, dir: string): Promise<void> {
  const program = toolPath(o.bindir, o.tools.backup);
  for (const args of prepareArgs(o, dir)) {
    // --no-defaults: the prepare reads the backup's own backup-my.cnf, not this host's my.cnf.
    const run = spawn({ program, args: ["--no-defaults", ...args] }, {
      stdin: "null",
      stdout: "null",
    });
    const r = await run.done;
    if (r.code !== 0 || !completedOk(r.lines)) {
      throw new XenonError(
        `${o.tools.backup} ${args[0]} failed (exit ${r.code ?? r.signal}): ${
          lastLine(r.lines) || "no output"
        }`,
      );
    }
  }
}

/** The program's path if it is executable here (absolute, or found on PATH), else null. */
function findProgram(program: string): string | null {
  const candidates = program.includes("/")
    ? [program]
    : (Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin").split(":").map((d) =>
      `${d}/${program}`
    );
  for (const path of candidates) {
    try {
      const st = Deno.statSync(path);
      if (st.isFile && ((st.mode ?? 0) & 0o111) !== 0) return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Refuses (one line) when a backup program is missing on this host. */
export function checkLocalTool(o: Pick<ToolOptions, "bindir" | "tools">, name: string): void {
  const program = toolPath(o.bindir, name);
  if (findProgram(program) === null) {
    throw new XenonError(
      `${program} is missing on this host: install it (mariadb-backup / percona-xtrabackup) or set backup.xtrabackup-bindir`,
    );
  }
}
