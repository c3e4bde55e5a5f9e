/**
 * Peer RPC over HTTPS, from `server.tls-cert`/`tls-key` (what this node serves with) and
 * `server.tls-ca` (what it checks its peers' certificates against). The daemon's client and
 * server and the CLI's client all take their TLS settings from here, so they cannot disagree.
 */
import type { XenonConfig } from "../config/mod.ts";

type TlsKeys = Pick<XenonConfig["server"], "tlsCert" | "tlsKey" | "tlsCa">;

/** The RPC server's (and HTTP API's) certificate and key, or undefined for plain HTTP. */
export function serverTlsOf(server: TlsKeys): { certFile: string; keyFile: string } | undefined {
  const certFile = server.tlsCert.trim();
  const keyFile = server.tlsKey.trim();
  return certFile !== "" && keyFile !== "" ? { certFile, keyFile } : undefined;
}

/** The RPC client's CA, or undefined for plain HTTP. */
export function clientTlsOf(server: TlsKeys): { caFile: string } | undefined {
  const caFile = server.tlsCa.trim();
  return caFile !== "" ? { caFile } : undefined;
}
