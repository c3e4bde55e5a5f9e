/** The command tree: xenoncli's commands, `serve`, and xenon's own additions. */
import { Command } from "commander";
import { clusterCommands } from "./commands/cluster.ts";
import { configCommands } from "./commands/config.ts";
import { initCommand } from "./commands/init.ts";
import { migrateCommands } from "./commands/migrate.ts";
import { mysqlCommands } from "./commands/mysql.ts";
import { raftCommands } from "./commands/raft.ts";
import { ROLE_OPTION, serve, serveCommand } from "./commands/serve.ts";
import { versionCommand } from "./commands/version.ts";
import { perfCommands, sandboxCommands, xenonCommands } from "./commands/xenon.ts";
import type { CliContext, GlobalOptions } from "./context.ts";
import { UsageError } from "../lib/errors.ts";
import { addGroup, addLeaf } from "./spec.ts";

export interface ProgramHooks {
  /** Builds the context from the global options once commander has parsed them. */
  context: (options: GlobalOptions) => CliContext;
  setExit: (code: number) => void;
  out(text: string): void;
  err(text: string): void;
}

export function buildProgram(name: string, hooks: ProgramHooks): Command {
  const program = new Command(name)
    .description("xenon: MySQL/MariaDB high availability with a GTID-decided Raft election")
    .option("--json", "machine-readable output")
    .option("-c, --config <file>", "xenon config file (default: from config.path, as xenoncli)")
    .option("--endpoint <host:port>", "talk to the xenon at this endpoint instead of this node's")
    .option("--timeout <duration>", "per-request timeout, e.g. 500ms or 5s", "5s")
    .option(ROLE_OPTION.flags, ROLE_OPTION.description)
    .showSuggestionAfterError(true)
    // Set before any subcommand exists: commander copies these settings into each new command.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => hooks.out(text.trimEnd()),
      writeErr: (text) => hooks.err(text.trimEnd()),
      // commander's own usage errors are one line already ("error: unknown command 'x'").
      outputError: (text, write) => write(text.trimEnd()),
    });

  const context = () => hooks.context(program.opts<GlobalOptions>());
  addLeaf(program, serveCommand, context, hooks.setExit);
  addLeaf(program, versionCommand, context, hooks.setExit);
  addLeaf(program, initCommand, context, hooks.setExit);
  for (const group of [clusterCommands, raftCommands, mysqlCommands, xenonCommands]) {
    addGroup(program, group, context, hooks.setExit);
  }
  for (const group of [configCommands, migrateCommands, sandboxCommands, perfCommands]) {
    addGroup(program, group, context, hooks.setExit);
  }

  // The original's daemon was `xenon -c FILE [-r ROLE]`: with a config and no command, serve.
  program.allowExcessArguments(true).action(() => {
    if (program.args.length > 0) {
      throw new UsageError(`unknown command '${program.args[0]}'; see '${name} --help'`);
    }
    const options = program.opts<GlobalOptions & { role?: string }>();
    if (options.config === undefined) program.help({ error: true });
    return serve(context(), options.role).then(hooks.setExit);
  });
  return program;
}
