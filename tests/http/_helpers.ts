/** Shared fixtures for the HTTP tests: status snapshots of typical nodes, a server on loopback. */
import {
  type HttpApi,
  type HttpApiOptions,
  type Invoke,
  startHttpApi,
} from "../../src/http/mod.ts";
import { setupLogging } from "../../src/log/mod.ts";
import type { MethodName } from "../../src/model/mod.ts";
import type { NodeStatus } from "../../src/model/status.ts";

export const ADMIN = "root";
export const PASSWORD = "admin-password-for-tests-4b1e";

export const logLines: string[] = [];
setupLogging({ level: "debug", format: "text", write: (line) => logLines.push(line) });

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const BASE: NodeStatus = {
  endpoint: "10.0.0.12:8801",
  role: "FOLLOWER",
  term: 8,
  epoch: 3,
  leader: "10.0.0.11:8801",
  reason: "following 10.0.0.11:8801 in term 8",
  voters: ["10.0.0.11:8801", "10.0.0.12:8801", "10.0.0.13:8801"],
  idlePeers: [],
  lease: null,
  writable: false,
  mysql: {
    alive: true,
    readOnly: true,
    ioRunning: true,
    sqlRunning: true,
    secondsBehindMaster: 0,
    relayBacklogBytes: 0,
    relayBacklogTransactions: 0,
    applyRate: null,
    position: "0-1-42",
    lastError: "",
  },
  semiSync: { acking: null, clients: null, waitCount: null, blockedForMs: null },
  counters: {
    leaderChanges: 2,
    electionsStarted: 1,
    electionsWon: 0,
    votesGranted: { "candidate is up to date": 2 },
    votesDenied: { "my GTID set is ahead": 1 },
    heartbeatAcks: 120,
    heartbeatMisses: 3,
    fenceFailures: 0,
    mysqldRestarts: 0,
  },
  uptimeSeconds: 360,
  failoverForecast: null,
};

export function nodeStatus(overrides: DeepPartial<NodeStatus> = {}): NodeStatus {
  const o = overrides as Partial<NodeStatus>;
  return {
    ...BASE,
    ...o,
    mysql: { ...BASE.mysql, ...o.mysql },
    semiSync: { ...BASE.semiSync, ...o.semiSync },
    counters: { ...BASE.counters, ...o.counters },
  };
}

export const LEADER = nodeStatus({
  endpoint: "10.0.0.11:8801",
  role: "LEADER",
  leader: "10.0.0.11:8801",
  reason: "leader of term 8 with 2/3 heartbeats acked",
  lease: { valid: true, remainingMs: 4200 },
  writable: true,
  mysql: {
    readOnly: false,
    ioRunning: false,
    sqlRunning: false,
    secondsBehindMaster: null,
    relayBacklogBytes: null,
  },
  semiSync: { acking: true, clients: 2, waitCount: 0, blockedForMs: null },
});
export const FOLLOWER = nodeStatus();
export const LAGGING_FOLLOWER = nodeStatus({
  mysql: { sqlRunning: false, secondsBehindMaster: null, relayBacklogBytes: 5_000_000 },
});
export const DEAD_MYSQL = nodeStatus({
  mysql: {
    alive: false,
    readOnly: null,
    ioRunning: false,
    sqlRunning: false,
    secondsBehindMaster: null,
    relayBacklogBytes: null,
    lastError: "connect ECONNREFUSED 127.0.0.1:3306",
  },
});
export const BLOCKED_LEADER = nodeStatus({
  ...LEADER,
  semiSync: { acking: true, clients: 0, waitCount: 3, blockedForMs: 12_300 },
});

export interface Call {
  method: MethodName;
  request: unknown;
}

/** An `invoke` that records calls and answers from `answers` (default: ok). */
export function stubInvoke(
  answers: Partial<Record<MethodName, (request: unknown) => unknown>> = {},
): { invoke: Invoke; calls: Call[] } {
  const calls: Call[] = [];
  const invoke = (async (method: MethodName, request: unknown) => {
    calls.push({ method, request });
    const answer = answers[method];
    if (answer) return await answer(request);
    if (method === "NodeRPC.GetNodes") {
      return {
        epochId: 3,
        viewId: 8,
        state: "LEADER",
        leader: "10.0.0.11:8801",
        peers: ["10.0.0.11:8801", "10.0.0.12:8801"],
        idlePeers: ["10.0.0.19:8801"],
      };
    }
    return { ok: true, reason: "done" };
  }) as Invoke;
  return { invoke, calls };
}

export async function withApi(
  options: Partial<HttpApiOptions>,
  fn: (base: string, api: HttpApi) => Promise<void>,
): Promise<void> {
  const api = await startHttpApi({
    listen: "127.0.0.1:0",
    adminUser: ADMIN,
    adminPassword: PASSWORD,
    status: () => FOLLOWER,
    invoke: stubInvoke().invoke,
    ...options,
  });
  try {
    await fn(`http://127.0.0.1:${api.port}`, api);
  } finally {
    await api.close();
  }
}

export function basic(user: string, password: string): string {
  return `Basic ${btoa(`${user}:${password}`)}`;
}

export const AUTH = { authorization: basic(ADMIN, PASSWORD) };

/** Fetches and always reads the body (no leaked resources); `json` is null for an empty body. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: response.headers.get("content-type")?.startsWith("application/json")
      ? JSON.parse(text)
      : null,
    headers: response.headers,
  };
}
