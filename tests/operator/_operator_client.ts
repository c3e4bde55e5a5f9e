/**
 * radondb-mysql-kubernetes' side of the contract, replayed as its code sends it:
 * - HTTP (internal/xenon_request.go, internal/http_executor.go, internal/xenon_executor.go): GET
 *   /v1/raft/status and /v1/xenon/ping, POST /v1/cluster/add|remove and /v1/raft/trytoleader to
 *   `http://<pod>:6601`, basic auth `root:<password>`, POST bodies `{"address": "<pod>:8801"}`
 *   labelled `application/x-www-form-urlencoded`, Go's default client headers, a 5 s deadline, and
 *   only status 200 counts as success.
 * - Pod exec (internal/pod_executor.go): `xenoncli ...` in the xenon container; an error exit or
 *   any byte on stderr is a failure.
 * - The reconcile loop (mysqlcluster/syncer/status.go reconcileXenon): for every node in ordinal
 *   order, its raft status, then ping + remove what it lists beyond the expected members, then
 *   ping + add what it lacks; the first error stops the loop.
 */

export const OPERATOR_HTTP_TIMEOUT_MS = 5000;

/** What the operator's status syncer keeps of `/v1/raft/status` (apiv1alpha1.RaftStatus). */
export interface RaftStatus {
  role: string;
  leader: string;
  nodes: string[];
}

export class OperatorError extends Error {}

export interface OperatorCall {
  method: string;
  url: string;
  body?: string;
}

/** The HTTP half, against `host:port` peer addresses, with the CRD's root password. */
export class OperatorHttp {
  /** Every request sent, in order (the test asserts what the loop did). */
  readonly calls: OperatorCall[] = [];

  constructor(readonly rootPassword = "") {}

  async #execute(peerAddress: string, path: string, body?: string): Promise<string> {
    const url = `http://${peerAddress}${path}`;
    const method = body === undefined ? "GET" : "POST";
    // base64("root:" + password), as xenon_request.go builds it for both request types.
    const headers: Record<string, string> = {
      "authorization": `Basic ${btoa(`root:${this.rootPassword}`)}`,
      "user-agent": "Go-http-client/1.1",
      "accept-encoding": "gzip",
    };
    if (method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
    this.calls.push({ method, url, body });
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(OPERATOR_HTTP_TIMEOUT_MS),
      });
    } catch (error) {
      throw new OperatorError(
        `${method} ${url}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const text = await response.text();
    if (response.status !== 200) {
      throw new OperatorError(`${method} ${url}: status code is ${response.status}: ${text}`);
    }
    return text;
  }

  /** xenon_executor.go RaftStatus: the type assertions panic on any other shape. */
  async raftStatus(peerAddress: string): Promise<RaftStatus> {
    const out = JSON.parse(await this.#execute(peerAddress, "/v1/raft/status"));
    const nodes = out["nodes"];
    if (!Array.isArray(nodes) || !nodes.every((n) => typeof n === "string")) {
      throw new OperatorError(`raft status nodes ${JSON.stringify(nodes)}: the operator panics`);
    }
    if (typeof out["state"] !== "string" || typeof out["leader"] !== "string") {
      throw new OperatorError(`raft status ${JSON.stringify(out)}: the operator panics`);
    }
    return { role: out["state"], leader: out["leader"], nodes };
  }

  async ping(peerAddress: string): Promise<void> {
    await this.#execute(peerAddress, "/v1/xenon/ping");
  }

  async clusterAdd(peerAddress: string, toAdd: string): Promise<void> {
    await this.#execute(peerAddress, "/v1/cluster/add", `{"address": "${toAdd}"}`);
  }

  async clusterRemove(peerAddress: string, toRemove: string): Promise<void> {
    await this.#execute(peerAddress, "/v1/cluster/remove", `{"address": "${toRemove}"}`);
  }

  async raftTryToLeader(peerAddress: string): Promise<void> {
    await this.#execute(peerAddress, "/v1/raft/trytoleader", "");
  }
}

/** A pod as the operator addresses it: HTTP at its peer address, members by their endpoint. */
export interface OperatorPod {
  /** `<pod>:6601`. */
  peerAddress: string;
  /** `<pod>:8801`, as it appears in raft status `nodes` and in add/remove bodies. */
  endpoint: string;
}

/** utils.StringDiffIn: what `a` has that `b` lacks. */
function diff(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((x) => !b.includes(x));
}

/**
 * One pass of status.go's reconcileXenon over `pods` (ordinal order) towards `expected`. A pod
 * whose status cannot be read is taken as listing no nodes (updateNodeRaftStatus leaves Nodes
 * nil), so the operator adds every expected member to it.
 */
export async function reconcileXenon(
  http: OperatorHttp,
  pods: readonly OperatorPod[],
  expected: readonly string[],
): Promise<void> {
  for (const pod of pods) {
    const nodes = await http.raftStatus(pod.peerAddress).then((s) => s.nodes, () => []);
    const toRemove = diff(nodes, expected);
    await http.ping(pod.peerAddress);
    for (const node of toRemove) await http.clusterRemove(pod.peerAddress, node);
    const toAdd = diff(expected, nodes);
    await http.ping(pod.peerAddress);
    for (const node of toAdd) await http.clusterAdd(pod.peerAddress, node);
  }
}

export interface PodExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** pod_executor.go's rule: an error exit, or any stderr, fails the command. */
export function podExecFailure(command: string[], r: PodExecResult): string | undefined {
  if (r.code !== 0) return `${command.join(" ")}: exit ${r.code}: ${r.stderr}`;
  if (r.stderr.length !== 0) {
    return `run command ${command.join(" ")} in xenon failed: ${r.stderr}`;
  }
  return undefined;
}
