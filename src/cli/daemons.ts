/**
 * How the CLI talks to xenon daemons: signed RPC with the cluster key from the config, typed by the
 * contract in src/model, every call bounded by `--timeout`.
 */
import type { CallDaemon, MethodName, RequestOf, ResultOf } from "../model/mod.ts";
// The client side only: the RPC server (and the logging it loads) stays out of CLI calls.
import { type CallOutcome, cliIdentity, RpcClient } from "../rpc/client.ts";
import { clusterKeyOf } from "../rpc/key.ts";
import { clientTlsOf } from "../rpc/tls_options.ts";
import type { CliContext } from "./context.ts";

/** The daemons one command talks to. */
export interface Daemons {
  /** The node this command asks first: `--endpoint`, else this node's `server.endpoint`. */
  readonly self: string;
  /** Calls one node; the default deadline is `--timeout`. */
  call: CallDaemon;
  /** Calls `method` on every node in parallel; a failure is an outcome, never a throw. */
  callAll<M extends MethodName>(
    endpoints: readonly string[],
    method: M,
    request: RequestOf<M>,
  ): Promise<CallOutcome<ResultOf<M>>[]>;
}

/** Opens a client for one command and closes it afterwards. */
export async function withDaemons<T>(
  ctx: CliContext,
  work: (daemons: Daemons) => Promise<T>,
): Promise<T> {
  const config = await ctx.config();
  const self = await ctx.endpoint();
  const client = new RpcClient({
    self: cliIdentity(),
    key: await clusterKeyOf(config),
    tls: clientTlsOf(config.server),
  });
  const options = { timeoutMs: ctx.timeoutMs };
  try {
    return await work({
      self,
      call: (endpoint, method, request, timeoutMs) =>
        client.call(endpoint, method, request, { timeoutMs: timeoutMs ?? ctx.timeoutMs }),
      callAll: (endpoints, method, request) => client.callAll(endpoints, method, request, options),
    });
  } finally {
    client.close();
  }
}
