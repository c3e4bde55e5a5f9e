/**
 * How a daemon serves its methods: each one registered on the peer RPC server, and the same
 * handlers invoked in process by the HTTP admin API.
 */
import { XenonError } from "../lib/errors.ts";
import type { Invoke } from "../http/mod.ts";
import type { MethodName, RequestOf, ResultOf } from "../model/mod.ts";
import type { CallContext, RpcServer, Validator } from "../rpc/mod.ts";

/** One served method: what the RPC server registers and the HTTP API invokes in process. */
export interface Service {
  name: string;
  validate: Validator<unknown>;
  handler: (request: unknown, context: CallContext) => unknown;
  callers: "peers" | "peers-and-cli";
}

/** Registers every service on the peer RPC server. */
export function registerServices(server: RpcServer, services: readonly Service[]): void {
  for (const s of services) {
    server.registerMethod(s.name, s.handler, { validate: s.validate, callers: s.callers });
  }
}

/**
 * Calls the same handlers in process (the HTTP admin API), validated as the RPC server would,
 * as the CLI would be: the admin API's basic auth stands for the CLI's signature.
 */
export function localInvoke(services: readonly Service[], signal: AbortSignal): Invoke {
  const byName = new Map(
    services.filter((s) => s.callers === "peers-and-cli").map((s) => [
      s.name,
      s,
    ]),
  );
  return async <M extends MethodName>(method: M, request: RequestOf<M>) => {
    const service = byName.get(method);
    if (service === undefined) throw new XenonError(`no such method ${method}`);
    const valid = service.validate(request, "request");
    const context: CallContext = { from: "http-admin-api", caller: "cli", signal };
    return await service.handler(valid, context) as ResultOf<M>;
  };
}
