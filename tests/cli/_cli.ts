/** Runs one command line in-process and captures what it prints. */
import { runCli } from "../../src/cli/run.ts";

export interface CliRun {
  code: number;
  /** Everything written to stdout, exactly (lines end with "\n"; raw writes as given). */
  stdout: string;
  /** stdout without its final newline, for comparing lines. */
  out: string;
  err: string;
}

export async function cli(
  argv: string[],
  options: { invokedAs?: string; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  const err: string[] = [];
  const code = await runCli(argv, options.invokedAs ?? "xenon", {
    out: (t) => stdout += t.endsWith("\n") ? t : t + "\n",
    write: (t) => stdout += t,
    err: (t) => err.push(t),
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    exeDir: "/nonexistent",
  });
  return { code, stdout, out: stdout.replace(/\n$/, ""), err: err.join("\n") };
}
