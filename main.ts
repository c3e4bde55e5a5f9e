/**
 * The one entry point. `xenon serve` (or the original's `xenon -c FILE`) runs the daemon; every
 * other command is the CLI. Installed as `xenoncli`, it keeps the original CLI's name.
 */
import { dirname } from "node:path";
import { runCli } from "./src/cli/run.ts";
import { lineWriter, writeAllSync } from "./src/lib/io.ts";

if (import.meta.main) {
  const invokedAs = Deno.env.get("XENON_INVOKED_AS") ?? "xenon";
  const exeDir = Deno.env.get("XENON_EXE_DIR") ?? dirname(Deno.execPath());
  Deno.exit(
    await runCli(Deno.args, invokedAs, {
      out: lineWriter(Deno.stdout),
      err: lineWriter(Deno.stderr),
      write: (text) => writeAllSync(Deno.stdout, text),
      exeDir,
    }),
  );
}
