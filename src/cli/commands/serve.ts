import type { CliContext } from "../context.ts";
import type { LeafSpec } from "../spec.ts";

export const ROLE_OPTION = {
  flags: "-r, --role <role>",
  description: "start as LEADER, FOLLOWER or IDLE instead of what the config and peers.json say",
};

/** `xenon serve`: the daemon. Also reached as `xenon -c FILE [-r ROLE]`, the original's bin/xenon. */
export const serveCommand: LeafSpec = {
  usage: "serve",
  description: "run the xenon daemon for the local MySQL (what the original's bin/xenon did)",
  options: [ROLE_OPTION],
  run: (ctx, _args, options) => serve(ctx, options.role as string | undefined),
};

/** Runs the daemon until SIGINT/SIGTERM; the exit code is the daemon's. */
export async function serve(ctx: CliContext, role: string | undefined): Promise<number> {
  // The daemon's code loads only for serve: CLI calls stay small (string literal: deno compile).
  const { runDaemon } = await import("../../node/daemon.ts");
  return await runDaemon(await ctx.config(), { role, configPath: ctx.configPath() });
}
