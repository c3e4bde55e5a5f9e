import {
  DEFAULT_PASSWORD_KEY_REFUSAL,
  isDefaultReplicationPassword,
  type XenonConfig,
} from "../config/mod.ts";
import { ConfigError, oneLine } from "../lib/errors.ts";
import { registerSecret } from "../lib/redact.ts";

/** The key every node of one cluster signs and checks RPC requests with. */
export interface ClusterKey {
  /** A non-extractable HMAC-SHA256 key: its bytes never exist as a JS value. */
  readonly hmac: CryptoKey;
  /**
   * 8 hex characters that tell keys apart in refusals ("signed with key 1a2b3c4d, ours is
   * 5e6f7a8b") without revealing anything usable: an HMAC of a fixed label under the key.
   */
  readonly id: string;
  /** Where the key came from, for the startup log and `config check`. */
  readonly source: "cluster-secret" | "replication.passwd";
}

/** Inputs of `deriveClusterKey`: the configured secret wins; the password is the fallback. */
export interface ClusterKeySource {
  /** `server.cluster-secret` (or the contents of `server.cluster-secret-file`), if configured. */
  secret?: string;
  /** `replication.passwd`, which every node of an existing cluster already shares. */
  replicationPassword: string;
}

// Fixed labels: changing them changes every derived key, so they are part of the protocol.
const SALT = "xenon-rpc-v1";
const INFO: Record<ClusterKey["source"], string> = {
  "cluster-secret": "cluster key from server.cluster-secret",
  "replication.passwd": "cluster key from replication.passwd",
};
const KEY_ID_LABEL = "xenon-rpc key id";

const encoder = new TextEncoder();

/**
 * Derives the cluster key with HKDF-SHA256 from `server.cluster-secret` or, when none is set, from
 * `replication.passwd`, so an existing xenon.json works unchanged with authentication on. Both
 * inputs are registered as secrets (masked in logs and errors).
 *
 * @throws ConfigError when there is nothing to derive a key from.
 */
export async function deriveClusterKey(source: ClusterKeySource): Promise<ClusterKey> {
  registerSecret(source.secret);
  registerSecret(source.replicationPassword);
  const secret = source.secret?.trim() ? source.secret : undefined;
  if (!secret && !source.replicationPassword) {
    throw new ConfigError(
      "no key for peer RPC: set server.cluster-secret (or server.cluster-secret-file), " +
        "or a non-empty replication.passwd",
    );
  }
  const from: ClusterKey["source"] = secret ? "cluster-secret" : "replication.passwd";
  const material = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret ?? source.replicationPassword),
    "HKDF",
    false,
    ["deriveKey"],
  );
  const hmac = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(SALT), info: encoder.encode(INFO[from]) },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
  const tag = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode(KEY_ID_LABEL)));
  return { hmac, id: toHex(tag.subarray(0, 4)), source: from };
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The cluster key of a config: `server.cluster-secret`, else the contents of
 * `server.cluster-secret-file`, else derived from `replication.passwd` (which every node of an
 * existing cluster already shares). Daemons and the CLI both derive it here.
 *
 * @throws ConfigError when the secret file cannot be read or is empty, or the key would come from
 * the built-in default replication password (everyone could sign with it).
 */
export async function clusterKeyOf(config: XenonConfig): Promise<ClusterKey> {
  const { clusterSecret, clusterSecretFile } = config.server;
  let secret = clusterSecret.trim();
  if (secret === "" && clusterSecretFile.trim() !== "") {
    try {
      secret = (await Deno.readTextFile(clusterSecretFile.trim())).trim();
    } catch (error) {
      throw new ConfigError(
        `cannot read server.cluster-secret-file ${clusterSecretFile}: ${oneLine(error)}`,
      );
    }
    // A dedicated secret was meant: falling back to replication.passwd would hide the mistake.
    if (secret === "") {
      throw new ConfigError(
        `server.cluster-secret-file ${clusterSecretFile} is empty; put the cluster's secret in ` +
          "it (the same on every node)",
      );
    }
  }
  if (secret === "" && isDefaultReplicationPassword(config.replication.passwd)) {
    throw new ConfigError(DEFAULT_PASSWORD_KEY_REFUSAL);
  }
  return await deriveClusterKey({ secret, replicationPassword: config.replication.passwd });
}
