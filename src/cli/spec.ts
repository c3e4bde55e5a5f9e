/**
 * Commands are declared as data (name, arguments, options, handler) and registered on commander
 * in one place, so the whole xenoncli tree reads as a table and no command repeats the wiring.
 */
import type { Command } from "commander";
import { UsageError } from "../lib/errors.ts";
import type { CliContext } from "./context.ts";

export interface OptionSpec {
  flags: string;
  description: string;
  defaultValue?: string | boolean;
}

export type Handler = (
  ctx: CliContext,
  args: string[],
  options: Record<string, unknown>,
) => Promise<number | void>;

export interface LeafSpec {
  /** Name plus commander argument syntax, e.g. `add <nodes>` or `status [json]`. */
  usage: string;
  description: string;
  options?: OptionSpec[];
  /** Absent until the issue that implements it lands: the command then refuses honestly. */
  run?: Handler;
  hidden?: boolean;
}

export interface GroupSpec {
  name: string;
  description: string;
  commands: LeafSpec[];
}

/** The refusal of a command whose implementation has not landed yet (exit 2). */
export function notImplemented(path: string): never {
  throw new UsageError(`not implemented yet: ${path}`);
}

/** Registers one leaf command; the handler's exit code is stored for `runCli` to return. */
export function addLeaf(
  parent: Command,
  spec: LeafSpec,
  context: () => CliContext,
  setExit: (code: number) => void,
): Command {
  const command = parent.command(spec.usage, { hidden: spec.hidden }).description(spec.description);
  for (const option of spec.options ?? []) {
    command.option(option.flags, option.description, option.defaultValue);
  }
  command.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command.
    const self = params[params.length - 1] as Command;
    const args = (params.slice(0, -2) as (string | undefined)[]).filter((a) => a !== undefined);
    const path = commandPath(self);
    const handler = spec.run ?? (() => notImplemented(path));
    setExit((await handler(context(), args as string[], self.opts())) ?? 0);
  });
  return command;
}

export function addGroup(
  parent: Command,
  group: GroupSpec,
  context: () => CliContext,
  setExit: (code: number) => void,
): Command {
  const command = parent.command(group.name).description(group.description);
  for (const leaf of group.commands) addLeaf(command, leaf, context, setExit);
  return command;
}

/** `cluster status`, without the program name. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
