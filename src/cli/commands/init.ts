import { serializeConfig } from "../../config/mod.ts";
import { oneLine, UsageError, XenonError } from "../../lib/errors.ts";
import type { CliContext } from "../context.ts";
import { ensureClusterSecret } from "../init_secret.ts";
import {
  applyInit,
  checkInterface,
  checkIpv4,
  checkPort,
  findInterface,
  type InitOptions,
} from "../init_config.ts";
import { PASSWORD_HELP, passwordFrom } from "../password.ts";
import type { LeafSpec } from "../spec.ts";

async function initOptions(ctx: CliContext, o: Record<string, unknown>): Promise<InitOptions> {
  const given = (name: string) => typeof o[name] === "string" ? o[name] as string : undefined;
  const need = (name: string) => {
    const value = given(name);
    if (!value) throw new UsageError(`--${name} is missing`);
    return value;
  };
  const address = checkIpv4(need("address"), "--address");
  const vip = given("vip") === undefined ? undefined : checkIpv4(need("vip"), "--vip");
  const iface = given("interface");
  return {
    address,
    port: checkPort(need("port")),
    vip,
    interface: iface !== undefined
      ? checkInterface(iface)
      : vip
      ? await findInterface(address)
      : undefined,
    replUser: given("repluser"),
    replPassword: given("replpwd") === undefined
      ? undefined
      : await passwordFrom(ctx, given("replpwd"), "--replpwd"),
  };
}

/** Replaces the file atomically, readable by its owner only (it holds passwords). */
async function writePrivate(path: string, text: string): Promise<void> {
  const temp = `${path}.init-${Deno.pid}.tmp`;
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o600 });
    await Deno.chmod(temp, 0o600);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new XenonError(`cannot write ${path}: ${oneLine(error)}`);
  }
}

/**
 * `xenon init`: writes this host's address, replication user and VIP commands into the config,
 * and a cluster secret where there is none (see init_secret.ts).
 */
export const initCommand: LeafSpec = {
  usage: "init",
  description:
    "set this node's endpoint, replication user and VIP commands in the config file, and " +
    "generate a cluster secret if it has none (rewritten with mode 0600; unknown keys are dropped)",
  options: [
    { flags: "--address <ip>", description: "this host's IPv4 address (the endpoint's host)" },
    { flags: "--port <port>", description: "the endpoint's port, e.g. 8801" },
    {
      flags: "--vip <ip>",
      description: "the virtual IP the leader holds: sets leader-start-command (add + arping) " +
        "and leader-stop-command (delete)",
    },
    {
      flags: "--interface <name>",
      description: "the interface for the VIP (default: the one holding --address)",
    },
    { flags: "--repluser <user>", description: "replication user" },
    { flags: "--replpwd <password>", description: `replication password: ${PASSWORD_HELP}` },
  ],
  run: async (ctx, _args, options) => {
    const init = await initOptions(ctx, options);
    const path = ctx.configPath();
    const applied = applyInit(await ctx.config(), init);
    const secret = await ensureClusterSecret(applied.config);
    const config = secret.config;
    const changed = { ...applied.changed, ...secret.changed };
    await writePrivate(path, serializeConfig(config));
    if (ctx.json) {
      ctx.out(JSON.stringify({ path, changed }));
    } else {
      ctx.out(`wrote ${path} (mode 0600):`);
      for (const [key, value] of Object.entries(changed)) ctx.out(`  ${key} = ${value}`);
    }
    return 0;
  },
};
