/**
 * How the sandbox's commands see its cluster: each agent's raft state over signed RPC (the
 * sandbox's secret), and each node's MySQL over TCP as the admin account.
 */
import mysql from "mysql2/promise";
import type { MethodName, RaftStatusResult, RequestOf, ResultOf } from "../model/mod.ts";
import { cliIdentity, deriveClusterKey, RpcClient } from "../rpc/mod.ts";
import type { Credentials, NodeState, SandboxState } from "./state.ts";

const CALL_TIMEOUT_MS = 1000;

/** One node seen now: its raft status, or null when its agent does not answer. */
export interface NodeView {
  node: NodeState;
  raft: RaftStatusResult | null;
}

export class SandboxClient {
  #rpc: RpcClient;

  private constructor(readonly state: SandboxState, rpc: RpcClient) {
    this.#rpc = rpc;
  }

  static async open(state: SandboxState): Promise<SandboxClient> {
    const secret = (await Deno.readTextFile(state.secretFile)).trim();
    const key = await deriveClusterKey({ secret, replicationPassword: "" });
    return new SandboxClient(state, new RpcClient({ self: cliIdentity(), key }));
  }

  call<M extends MethodName>(
    node: NodeState,
    method: M,
    request: RequestOf<M>,
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<ResultOf<M>> {
    return this.#rpc.call(node.endpoint, method, request, { timeoutMs });
  }

  /** Every node's raft status now (null where the agent does not answer). */
  async views(): Promise<NodeView[]> {
    return await Promise.all(this.state.nodes.map(async (node) => ({
      node,
      raft: await this.call(node, "RaftRPC.Status", {}).catch(() => null),
    })));
  }

  /** The node every answering agent agrees leads, if its MySQL is writable now. */
  async writableLeader(): Promise<NodeState | undefined> {
    const views = await this.views();
    const leaders = views.filter((v) => v.raft?.state === "LEADER");
    if (leaders.length !== 1) return undefined;
    const leader = leaders[0].node;
    const readOnly = await this.query<{ ro: number }>(leader, "SELECT @@GLOBAL.read_only AS ro")
      .then((rows) => Number(rows[0]?.ro) !== 0, () => true);
    return readOnly ? undefined : leader;
  }

  /** A connection to `node`'s MySQL (admin unless `as` says otherwise); the caller ends it. */
  async connect(node: NodeState, as: Credentials = this.state.admin): Promise<mysql.Connection> {
    return await mysql.createConnection({
      host: node.host,
      port: node.mysqlPort,
      user: as.user,
      password: as.password,
      connectTimeout: CALL_TIMEOUT_MS,
    });
  }

  /** One statement on a one-shot admin connection. */
  async query<T>(node: NodeState, sql: string, params: unknown[] = []): Promise<T[]> {
    const conn = await this.connect(node);
    try {
      const [rows] = await conn.query(sql, params);
      return Array.isArray(rows) ? rows as T[] : [];
    } finally {
      await conn.end().catch(() => conn.destroy());
    }
  }

  close(): void {
    this.#rpc.close();
  }
}

/** `node1 (127.0.0.1:8801)` in messages. */
export function nodeLabel(node: NodeState): string {
  return `${node.name} (${node.endpoint})`;
}
