/**
 * Starts one daemon as `xenon serve -c FILE [-r ROLE]` would, for the e2e tests, until the CLI's
 * serve command is wired to runDaemon (then the tests run main.ts instead).
 * Usage: deno run -A tests/e2e/_serve.ts <config> [role]
 */
import { loadConfig } from "../../src/config/mod.ts";
import { oneLine } from "../../src/lib/errors.ts";
import { redact } from "../../src/lib/redact.ts";
import { runDaemon } from "../../src/node/daemon.ts";

const [path, role] = Deno.args;
try {
  const { config } = await loadConfig(path);
  Deno.exit(await runDaemon(config, { configPath: path, role }));
} catch (error) {
  console.error(`error: ${redact(oneLine(error))}`);
  Deno.exit(1);
}
