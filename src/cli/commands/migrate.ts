/**
 * `xenon migrate check|downgrade-peers`: moving a node from the original (Go) xenon and back.
 * The peer protocol is not the original's (signed JSON over HTTP, not gob over TCP), so a mixed
 * cluster cannot run: the cutover stops every original agent, then starts every new one (README,
 * "Migrating from the original"). xenon reads the original's xenon.json and peers.json as they
 * are; the original ignores the keys xenon adds to peers.json, but a rollback should hand it the
 * file it wrote, which `downgrade-peers` rebuilds.
 */
import { checkConfig, loadConfig, readConfigText, type XenonConfig } from "../../config/mod.ts";
import { oneLine, XenonError } from "../../lib/errors.ts";
import { peersPath, readPeersFile } from "../../node/peers_file.ts";
import type { PersistedMeta } from "../../raft/mod.ts";
import type { CliContext } from "../context.ts";
import { withDaemons } from "../daemons.ts";
import type { GroupSpec, Handler } from "../spec.ts";

type Verdict = "ok" | "todo" | "error";

interface Step {
  verdict: Verdict;
  what: string;
}

/** peers.json as the original's Go agent writes it: `{"idlepeers":[...]|null,"peers":[...]}`. */
function originalPeersJson(meta: Pick<PersistedMeta, "peers" | "idlePeers">): string {
  const idle = meta.idlePeers.length > 0 ? [...meta.idlePeers] : null;
  return JSON.stringify({ idlepeers: idle, peers: [...meta.peers] }) + "\n";
}

async function readMeta(config: XenonConfig): Promise<PersistedMeta | null> {
  return await readPeersFile(config.raft.metaDatadir);
}

/** What this node's files need before a cutover, one line each. */
async function migrationSteps(ctx: CliContext): Promise<Step[]> {
  const path = ctx.configPath();
  const steps: Step[] = [];
  const findings = checkConfig(await readConfigText(path), { path });
  const errors = findings.filter((f) => f.severity === "error" && !f.startsAnyway);
  steps.push(
    errors.length === 0
      ? { verdict: "ok", what: `${path} loads as it is (warnings: xenon config check)` }
      : {
        verdict: "error",
        what: `${path}: ${errors[0].key}: ${errors[0].message}` +
          (errors.length > 1 ? ` (and ${errors.length - 1} more: xenon config check)` : ""),
      },
  );
  if (errors.length > 0) return steps;
  const { config } = await loadConfig(path);
  let meta: PersistedMeta | null;
  try {
    meta = await readMeta(config);
  } catch (error) {
    return [...steps, { verdict: "error", what: oneLine(error) }];
  }
  const file = peersPath(config.raft.metaDatadir);
  const self = config.server.endpoint;
  if (meta === null) {
    steps.push({
      verdict: "todo",
      what: `${file} does not exist: the node starts alone; add the members after the cutover ` +
        `(xenon cluster add) or copy the original's peers.json there`,
    });
  } else if (!meta.peers.includes(self) && !meta.idlePeers.includes(self)) {
    steps.push({
      verdict: "error",
      what: `${file} does not list this node's server.endpoint ${self}: fix server.endpoint ` +
        `or the file, the members must use the same HOST:PORT everywhere`,
    });
  } else {
    steps.push({
      verdict: "ok",
      what: `${file}: ${meta.peers.length} voter(s), ${meta.idlePeers.length} idle; read as is`,
    });
  }
  // Errors xenon starts with anyway (no cluster secret): to fix, not to block the cutover.
  for (const f of findings.filter((f) => f.startsAnyway)) {
    steps.push({ verdict: "todo", what: `${f.key}: ${f.message}` });
  }
  steps.push({
    verdict: "todo",
    what: "the peer protocol differs from the original's: stop the original on every node, " +
      "then start xenon on every node (no mixed cluster); roll back the same way, after " +
      "xenon migrate downgrade-peers --write on each node",
  });
  return steps;
}

const check: Handler = async (ctx) => {
  const steps = await migrationSteps(ctx);
  if (ctx.json) ctx.out(JSON.stringify({ steps }));
  else for (const s of steps) ctx.out(`${s.verdict}: ${s.what}`);
  return steps.some((s) => s.verdict === "error") ? 1 : 0;
};

const downgradePeers: Handler = async (ctx, _args, options) => {
  const config = await ctx.config();
  const meta = await readMeta(config);
  const file = peersPath(config.raft.metaDatadir);
  if (meta === null) throw new XenonError(`${file} does not exist: nothing to downgrade`);
  const text = originalPeersJson(meta);
  if (!options.write) {
    ctx.write(text);
    return 0;
  }
  // The agent rewrites peers.json on every transition: it must not run meanwhile.
  const running = await withDaemons(ctx, (d) => d.call(d.self, "ServerRPC.Ping", {}))
    .then(() => true, () => false);
  if (running) {
    throw new XenonError(`the agent at ${config.server.endpoint} is running: stop it first`);
  }
  await Deno.copyFile(file, `${file}.xenon`);
  await Deno.writeTextFile(file, text, { mode: 0o600 });
  ctx.out(`${file}: the original's format written (xenon's file kept as ${file}.xenon)`);
  return 0;
};

export const migrateCommands: GroupSpec = {
  name: "migrate",
  description: "moving a node from the original (Go) xenon, and back",
  commands: [
    {
      usage: "check",
      description:
        "what this node's config and peers.json need before a cutover (exit 1 on errors)",
      run: check,
    },
    {
      usage: "downgrade-peers",
      description: "print peers.json in the original's format, or --write it (rollback)",
      options: [{
        flags: "--write",
        description: "replace peers.json (the agent must be stopped; xenon's copy is kept)",
      }],
      run: downgradePeers,
    },
  ],
};
