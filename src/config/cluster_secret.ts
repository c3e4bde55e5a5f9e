/**
 * Peer RPC's key when `server.cluster-secret` is not set: derived from `replication.passwd`, which
 * every replication client knows (any account with SELECT on mysql.* reads it in
 * mysql.slave_master_info). Existing clusters run that way, so they start, with a warning; with
 * the built-in default password the key is public, so nothing starts.
 */
import { error, type Finding } from "./finding.ts";
import { SCHEMA } from "./schema.ts";

const KEY = "server.cluster-secret";
const SET_IT = "set server.cluster-secret or server.cluster-secret-file, the same on every " +
  "node (e.g. openssl rand -hex 32, mode 600)";
const PUBLIC_KEY = "not set, and replication.passwd is the built-in default, so anyone can " +
  `sign peer RPC (add members, move the leader); ${SET_IT}`;

/** The one line a key from the built-in default replication password is refused with. */
export const DEFAULT_PASSWORD_KEY_REFUSAL = `${KEY}: ${PUBLIC_KEY}`;

/** Whether a peer RPC key would be derived from the built-in default replication password. */
export function isDefaultReplicationPassword(password: string): boolean {
  return password === SCHEMA.replication.passwd.default;
}

/** `config check`'s finding about the cluster secret, if any. */
export function checkClusterSecret(
  server: { clusterSecret: string; clusterSecretFile: string },
  replicationPassword: string,
): Finding[] {
  if (server.clusterSecret.trim() !== "" || server.clusterSecretFile.trim() !== "") return [];
  if (isDefaultReplicationPassword(replicationPassword)) return [error(KEY, PUBLIC_KEY)];
  if (replicationPassword === "") {
    return [error(KEY, `not set, and replication.passwd is empty: peer RPC has no key; ${SET_IT}`)];
  }
  return [{
    ...error(
      KEY,
      "not set: peer RPC is signed with a key derived from replication.passwd, which every " +
        "replication client knows; xenon starts, with a warning, but give every node the same " +
        "secret in server.cluster-secret-file (e.g. openssl rand -hex 32, mode 600)",
    ),
    startsAnyway: true,
  }];
}
