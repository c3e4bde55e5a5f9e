import { XenonError } from "../lib/errors.ts";

/** A `host:port` endpoint, the node identity of `server.endpoint`. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Parses `host:port` (`[v6]:port` for IPv6 literals).
 *
 * @throws XenonError naming the bad value.
 */
export function parseEndpoint(text: string): Endpoint {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new XenonError(`bad endpoint '${text}': expected HOST:PORT, e.g. 192.168.0.2:8801`);
  }
  return { host: match[1] ?? match[2], port };
}

/** `host:port` again, with brackets around IPv6 literals (for URLs and messages). */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}
