/**
 * The original's admin API (inventory §6), same paths, methods and bodies, for the Kubernetes
 * operator: success is 200 with an empty body (or the status JSON), failure 500
 * `{"Error":"<one line>"}`. Each route only calls the daemon through `invoke`; leader
 * forwarding of membership changes happens behind `NodeRPC.AddNodes`/`RemoveNodes`.
 */
import { splitHostPort } from "../config/address.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import {
  type ActionResult,
  membersOf,
  type MethodName,
  type RequestOf,
  type ResultOf,
} from "../model/mod.ts";

export type Invoke = <M extends MethodName>(
  method: M,
  request: RequestOf<M>,
) => Promise<ResultOf<M>>;

export interface AdminRoute {
  method: "GET" | "POST" | "PUT";
  /** Returns the JSON body of a 200 answer (undefined = empty body); throws for a 500. */
  run(invoke: Invoke, body: () => Promise<string>): Promise<unknown>;
}

const empty: Record<string, never> = {};

type ActionMethod =
  | "HARPC.HATryToLeader"
  | "HARPC.HADisable"
  | "RaftRPC.DisableCheckSemiSync"
  | "ServerRPC.Ping";

/** Runs an action; a refusal (`ok: false`) becomes an error carrying its reason. */
function action(method: ActionMethod): AdminRoute["run"] {
  return async (invoke) => {
    const result: ActionResult = await invoke(method, empty);
    if (!result.ok) throw new XenonError(result.reason || `${method} refused`);
    return undefined;
  };
}

function membership(
  method: "NodeRPC.AddNodes" | "NodeRPC.RemoveNodes",
  verb: "add" | "remove",
): AdminRoute["run"] {
  return async (invoke, body) => {
    const { nodes, force } = parseMembership(await body(), verb);
    const result = await invoke(method, force ? { nodes, force } : { nodes });
    if (!result.ok) throw new XenonError(result.reason || `cluster ${verb} refused`);
    return undefined;
  };
}

export const ADMIN_ROUTES: Readonly<Record<string, AdminRoute>> = {
  "/v1/cluster/add": { method: "POST", run: membership("NodeRPC.AddNodes", "add") },
  "/v1/cluster/remove": { method: "POST", run: membership("NodeRPC.RemoveNodes", "remove") },
  "/v1/raft/status": {
    method: "GET",
    run: async (invoke) => {
      const nodes = await invoke("NodeRPC.GetNodes", empty);
      // Idle members too, as the original's: the operator adds whatever this list lacks.
      return { state: nodes.state, leader: nodes.leader, nodes: membersOf(nodes) };
    },
  },
  "/v1/raft/trytoleader": { method: "POST", run: action("HARPC.HATryToLeader") },
  "/v1/raft/disablechecksemisync": { method: "PUT", run: action("RaftRPC.DisableCheckSemiSync") },
  "/v1/raft/disable": { method: "PUT", run: action("HARPC.HADisable") },
  "/v1/xenon/ping": { method: "GET", run: action("ServerRPC.Ping") },
};

/**
 * A membership body: `address` (`h:p[,h:p...]`) and, as the CLI's `--force`, an optional
 * `force` (true or false). JSON `{"address": …}` as the original reads it, or a form
 * `address=…&force=true`. The operator sends JSON labelled as a form, so the body's first
 * character decides, not the Content-Type.
 */
export function parseMembership(
  body: string,
  verb: "add" | "remove",
): { nodes: string[]; force: boolean } {
  const text = body.trim();
  let address: unknown;
  let force: unknown;
  if (text.startsWith("{")) {
    try {
      ({ address, force } = JSON.parse(text) ?? {});
    } catch (error) {
      throw new XenonError(`malformed JSON body: ${oneLine(error)}; send {"address":"host:port"}`);
    }
  } else {
    const form = new URLSearchParams(text);
    address = form.get("address");
    force = form.get("force") ?? undefined;
    if (force === "true" || force === "false") force = force === "true";
  }
  if (force !== undefined && typeof force !== "boolean") {
    throw new XenonError(`"force" must be true or false`);
  }
  return { nodes: parseAddresses(address, verb), force: force === true };
}

function parseAddresses(address: unknown, verb: "add" | "remove"): string[] {
  if (address !== undefined && address !== null && typeof address !== "string") {
    throw new XenonError(`"address" must be a string like "10.0.0.12:8801,10.0.0.13:8801"`);
  }
  const nodes = (address ?? "").split(",").map((a) => a.trim()).filter((a) => a !== "");
  if (nodes.length === 0) throw new XenonError(`api.v1.cluster.${verb}.request.address.is.null`);
  for (const node of nodes) {
    const hp = splitHostPort(node);
    if (!hp || hp.host === "") {
      const shown = JSON.stringify(node.length > 80 ? `${node.slice(0, 80)}…` : node);
      throw new XenonError(`bad address ${shown}: expected HOST:PORT, e.g. 10.0.0.12:8801`);
    }
  }
  return nodes;
}
