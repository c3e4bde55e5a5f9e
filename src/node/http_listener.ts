/** The daemon's HTTP listener: health endpoints, `/metrics` and, when enabled, the admin API. */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import { type HttpApi, type HttpApiOptions, startHttpApi } from "../http/mod.ts";
import { serverTlsOf } from "../rpc/mod.ts";

/**
 * The HTTP listener on `server.peer-address`, always: health endpoints and `/metrics` are
 * read-only and unauthenticated; `/v1/*` only with `server.enable-apis`. With the admin API off,
 * a taken address is a warning (the original did not listen there at all, so a drop-in must
 * still start); with it on, the operator relies on it: refuse to start.
 */
export async function startHttp(
  config: XenonConfig,
  wiring: Pick<HttpApiOptions, "status" | "invoke" | "metrics" | "loopAgeMs">,
): Promise<HttpApi | null> {
  try {
    return await startHttpApi({
      listen: config.server.peerAddress,
      adminUser: config.mysql.admin,
      adminPassword: config.mysql.passwd,
      enableApis: config.server.enableApis,
      tls: serverTlsOf(config.server),
      ...wiring,
    });
  } catch (error) {
    if (config.server.enableApis) throw error;
    log("http").warn`health endpoints and /metrics are off: ${oneLine(error)}`;
    return null;
  }
}
