/** `xenon sandbox up|status|kill-primary|write|down`: a local cluster to try xenon on one machine. */
import { resolve } from "node:path";
import { UsageError } from "../../lib/errors.ts";
import type { SandboxState } from "../../sandbox/state.ts";
import type { CliContext } from "../context.ts";
import type { GroupSpec, OptionSpec } from "../spec.ts";

/**
 * The sandbox code loads only when a sandbox command runs, so other commands stay small; the
 * specifiers are string literals so that `deno compile` still bundles them.
 */
const sandbox = {
  agents: () => import("../../sandbox/agents.ts"),
  down: () => import("../../sandbox/down.ts"),
  killPrimary: () => import("../../sandbox/kill_primary.ts"),
  network: () => import("../../sandbox/network.ts"),
  preflight: () => import("../../sandbox/preflight.ts"),
  state: () => import("../../sandbox/state.ts"),
  up: () => import("../../sandbox/up.ts"),
  writer: () => import("../../sandbox/writer.ts"),
};

const DIR: OptionSpec = {
  flags: "--dir <dir>",
  description: "where the sandbox lives",
  defaultValue: ".sandbox",
};

function dirOf(options: Record<string, unknown>): string {
  return resolve(String(options.dir ?? ".sandbox"));
}

function positiveInt(text: unknown, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} ${text}: expected a whole number 1-${max}`);
  }
  return n;
}

/**
 * Runs another xenon command in this process against the sandbox (its output is the real
 * command's), e.g. `cluster status` with the config of a node whose agent runs.
 */
async function xenon(ctx: CliContext, state: SandboxState, argv: string[]): Promise<number> {
  const { agentPid } = await sandbox.agents();
  const node = state.nodes.find((n) => agentPid(n.configPath) !== undefined) ?? state.nodes[0];
  const global = ["-c", node.configPath, ...(ctx.json ? ["--json"] : [])];
  return await ctx.runCommand([...global, ...argv]);
}

async function printLogs(ctx: CliContext, state: SandboxState): Promise<void> {
  ctx.out(
    `logs: agents ${state.dir}/node*/xenon.log, MariaDB ${state.dir}/node*/mysql/log/error.log`,
  );
  if (state.netns) {
    const network = new (await sandbox.network()).NetnsNetwork(state.netns);
    ctx.out(
      `hosts: network namespaces ${network.namespace(0)}..${
        network.namespace(state.nodes.length - 1)
      }` +
        ` on bridge ${network.bridge}; VIP ${network.vip} on the leader (leader commands log: ` +
        `${state.dir}/node*/leader.log); try: mariadb -h ${network.vip} -u ${state.app.user} -p`,
    );
  } else {
    ctx.out(`leader commands (the VIP's stand-in): ${state.dir}/node*/leader.log`);
  }
}

export const sandboxCommands: GroupSpec = {
  name: "sandbox",
  description: "a local MariaDB cluster run by xenon, to try it on one machine",
  commands: [
    {
      usage: "up",
      description: "create and start N MariaDB instances with N agents, and show the cluster",
      options: [
        { flags: "--nodes <n>", description: "number of nodes", defaultValue: "3" },
        {
          flags: "--netns",
          description: "each node a host of its own: a network namespace on a bridge, a real VIP",
        },
        DIR,
      ],
      run: async (ctx, _args, options) => {
        const nodes = positiveInt(options.nodes, "--nodes", 9);
        const tools = (await sandbox.preflight()).preflight();
        const network = options.netns
          ? await (await sandbox.network()).sandboxNetns(nodes)
          : undefined;
        const result = await (await sandbox.up()).up({
          dir: dirOf(options),
          nodes,
          tools,
          say: ctx.out,
          network,
        });
        await xenon(ctx, result.state, ["cluster", "status"]);
        ctx.out(
          `writable leader ${result.leader.name} (${result.leader.endpoint}, MySQL port ` +
            `${result.leader.mysqlPort}) ${
              (result.elapsedMs / 1000).toFixed(1)
            } s after sandbox up`,
        );
        await printLogs(ctx, result.state);
        return 0;
      },
    },
    {
      usage: "status",
      description: "the sandbox's cluster status and where its logs are",
      options: [DIR],
      run: async (ctx, _args, options) => {
        const state = await (await sandbox.state()).readState(dirOf(options));
        const code = await xenon(ctx, state, ["cluster", "status"]);
        await printLogs(ctx, state);
        return code;
      },
    },
    {
      usage: "kill-primary",
      description: "kill the leader's mysqld, show the failover as it happens, then let it rejoin",
      options: [DIR],
      run: async (ctx, _args, options) => {
        const state = await (await sandbox.state()).readState(dirOf(options));
        const report = await (await sandbox.killPrimary()).killPrimary(state, {
          say: ctx.out,
          history: (argv) => xenon(ctx, state, argv),
        });
        return report.rejoined ? 0 : 1;
      },
    },
    {
      usage: "write",
      description: "write through the current leader and report acknowledged and lost writes",
      options: [
        { flags: "--seconds <s>", description: "how long to write", defaultValue: "10" },
        DIR,
      ],
      run: async (ctx, _args, options) => {
        const state = await (await sandbox.state()).readState(dirOf(options));
        const seconds = positiveInt(options.seconds, "--seconds", 3600);
        const report = await (await sandbox.writer()).runWriter(state, { seconds, say: ctx.out });
        return report.missing === 0 ? 0 : 1;
      },
    },
    {
      usage: "down",
      description: "stop and remove everything the sandbox made (idempotent)",
      options: [DIR],
      run: async (ctx, _args, options) => {
        const dir = dirOf(options);
        if (!await (await sandbox.down()).down(dir, ctx.out)) {
          ctx.out(`no sandbox in ${dir}: nothing to do`);
        }
        return 0;
      },
    },
  ],
};
