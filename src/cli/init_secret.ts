/**
 * `xenon init` leaves every node with a cluster secret, so peer RPC is never signed with a key
 * derived from replication.passwd. A secret already configured (inline, or a file that exists) is
 * kept, so running init again never splits a cluster; otherwise a new one is generated: into
 * `server.cluster-secret-file` when that names a file (the shipped conf/xenon.json does), else into
 * `server.cluster-secret`. The other nodes need the same secret: the report says so.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import { randomHex } from "../lib/random.ts";
import { registerSecret } from "../lib/redact.ts";

export interface SecretOutcome {
  config: XenonConfig;
  /** `key = shown value` lines for init's report; empty when the secret was kept. */
  changed: Record<string, string>;
}

/** 256 bits, as `openssl rand -hex 32` would give. */
const SECRET_BYTES = 32;

export async function ensureClusterSecret(config: XenonConfig): Promise<SecretOutcome> {
  const { clusterSecret, clusterSecretFile } = config.server;
  if (clusterSecret.trim() !== "") return { config, changed: {} };
  const file = clusterSecretFile.trim();
  const secret = randomHex(SECRET_BYTES);
  registerSecret(secret);
  if (file === "") {
    const next = structuredClone(config);
    next.server.clusterSecret = secret;
    return {
      config: next,
      changed: { "server.cluster-secret": "****** (generated: give every node this same value)" },
    };
  }
  const existing = await readIfExists(file);
  if (existing !== null) {
    if (existing.trim() !== "") return { config, changed: {} };
    throw new XenonError(
      `server.cluster-secret-file ${file} is empty: put the cluster's secret in it, or remove ` +
        "it and run init again to generate one",
    );
  }
  try {
    // createNew: a secret another init wrote in the meantime is never overwritten.
    await Deno.writeTextFile(file, secret + "\n", { mode: 0o600, createNew: true });
  } catch (error) {
    throw new XenonError(`cannot write server.cluster-secret-file ${file}: ${oneLine(error)}`);
  }
  return {
    config,
    changed: {
      "server.cluster-secret-file": `${file} (generated: copy this file to every node, mode 0600)`,
    },
  };
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new XenonError(`cannot read server.cluster-secret-file ${path}: ${oneLine(error)}`);
  }
}
