/** `HOST:PORT` addresses in the config: `server.endpoint` and `server.peer-address`. */

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]*):(\d{1,5})$/;
const UNSPECIFIED = new Set(["0.0.0.0", "[::]", "::"]);

export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port` / `[v6]:port`; undefined when malformed or the port is out of range. */
export function splitHostPort(text: string): HostPort | undefined {
  const match = HOST_PORT.exec(text);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1], port };
}

/**
 * The host part of an endpoint, as the original derives `Mysql.ReplHost` (the `Master_Host` that
 * replicas use): everything before the first `:`; brackets are dropped from an IPv6 literal.
 */
export function endpointHost(endpoint: string): string {
  if (endpoint.startsWith("[")) return endpoint.slice(1, endpoint.indexOf("]"));
  return endpoint.split(":")[0];
}

/** `server.endpoint`: node ID, RPC listen address and replicas' Master_Host. */
export function checkEndpoint(text: string): string | undefined {
  const hp = splitHostPort(text);
  if (!hp || hp.host === "") {
    return `${JSON.stringify(text)} is not HOST:PORT; expected e.g. "10.0.0.11:8801"`;
  }
  if (UNSPECIFIED.has(hp.host)) {
    return `${JSON.stringify(text)} is not an address peers can reach (it is also replicas' ` +
      `Master_Host); expected this host's own address, e.g. "10.0.0.11:8801"`;
  }
  return undefined;
}

/** `server.peer-address`: a listen address; the host may be empty (all interfaces). */
export function checkListenAddress(text: string): string | undefined {
  return splitHostPort(text)
    ? undefined
    : `${JSON.stringify(text)} is not [HOST]:PORT; expected e.g. ":6060" or "10.0.0.11:6060"`;
}
