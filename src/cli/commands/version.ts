import { buildInfo } from "../../build/info.ts";
import type { CliContext } from "../context.ts";
import type { LeafSpec } from "../spec.ts";

/** `xenon version`, in the original's layout (`xenoncli:[{Tag:... Git:...}]`) or as JSON. */
export const versionCommand: LeafSpec = {
  usage: "version",
  description: "print the version and build of this executable",
  run: (ctx: CliContext) => {
    const info = buildInfo();
    ctx.out(
      ctx.json
        ? JSON.stringify(info)
        : `xenon:[{Tag:${info.tag} Git:${info.git} Deno:${info.deno} Platform:${info.platform}}]`,
    );
    return Promise.resolve(0);
  },
};
