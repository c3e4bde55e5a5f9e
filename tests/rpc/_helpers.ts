/** Shared fixtures for the RPC tests: a keyed server on a free loopback port, signed raw fetches. */
import { setupLogging } from "../../src/log/mod.ts";
import {
  type ClusterKey,
  deriveClusterKey,
  RpcClient,
  type RpcClientOptions,
  RpcServer,
  type RpcServerOptions,
  v,
} from "../../src/rpc/mod.ts";
import { HEADER, newNonce, signRequest } from "../../src/rpc/signature.ts";

export const SECRET = "cluster-secret-for-tests-7f3a";
export const REPL_PASSWORD = "repl-password-for-tests-91c2";
export const PEER = "127.0.0.1:18801";
export const OTHER_PEER = "127.0.0.1:18802";

/** Every log line of this test process, to check for secrets and rate limiting. */
export const logLines: string[] = [];
setupLogging({ level: "debug", format: "text", write: (line) => logLines.push(line) });

export function clusterKey(): Promise<ClusterKey> {
  return deriveClusterKey({ secret: SECRET, replicationPassword: REPL_PASSWORD });
}

export const heartbeatRequest = v.object({
  From: v.string(),
  ViewID: v.count(),
  Peers: v.strings(),
  Note: v.optional(v.string()),
});

const sleepRequest = v.object({ Ms: v.count() });

/** Starts a server with a few methods; `fn` gets it and a client signing as `PEER`. */
export async function withServer(
  fn: (server: RpcServer, client: RpcClient, key: ClusterKey) => Promise<void>,
  options: Partial<RpcServerOptions> & { client?: Partial<RpcClientOptions> } = {},
): Promise<void> {
  const key = await clusterKey();
  const server = new RpcServer({
    listen: "127.0.0.1:0",
    key,
    allowedPeer: (from) => from === PEER,
    // Tests leave sleeping handlers behind; do not wait for them.
    closeGraceMs: 50,
    ...options,
  });
  server.registerMethod("RaftRPC.Heartbeat", (req) => ({ RetCode: "OK", Echo: req }), {
    validate: heartbeatRequest,
  });
  server.registerMethod("ServerRPC.Ping", () => ({ RetCode: "OK" }), {
    validate: v.object({}),
    callers: "peers-and-cli",
  });
  server.registerMethod("TestRPC.Sleep", async (req, ctx) => {
    await sleep(req.Ms, ctx.signal);
    return { Slept: req.Ms };
  }, { validate: sleepRequest });
  server.registerMethod("TestRPC.Throw", () => {
    throw new Error(`handler failed with ${SECRET}\nsecond line`);
  }, { validate: v.object({}) });
  await server.start();
  const client = new RpcClient({ self: PEER, key, ...options.client });
  try {
    await fn(server, client, key);
  } finally {
    client.close();
    await server.close();
  }
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A port nothing listens on (bound, then released). */
export function deadEndpoint(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `127.0.0.1:${port}`;
}

export interface RawRequest {
  method: string;
  body: string | Uint8Array<ArrayBuffer>;
  from?: string;
  to?: string;
  time?: number;
  nonce?: string;
  contentType?: string;
}

/** The signature headers of a hand-made request (what the client would send). */
export async function signedHeaders(
  server: RpcServer,
  key: ClusterKey,
  raw: RawRequest,
): Promise<Record<string, string>> {
  const body = typeof raw.body === "string" ? new TextEncoder().encode(raw.body) : raw.body;
  const stamp = {
    method: raw.method,
    from: raw.from ?? PEER,
    to: raw.to ?? server.endpoint,
    time: raw.time ?? Date.now(),
    nonce: raw.nonce ?? newNonce(),
  };
  return {
    "content-type": raw.contentType ?? "application/json",
    [HEADER.from]: stamp.from,
    [HEADER.to]: stamp.to,
    [HEADER.time]: String(stamp.time),
    [HEADER.nonce]: stamp.nonce,
    [HEADER.keyId]: key.id,
    [HEADER.mac]: await signRequest(key, stamp, body),
  };
}

/** A hand-signed request, to test what the client would never send. */
export async function signedFetch(
  server: RpcServer,
  key: ClusterKey,
  raw: RawRequest,
): Promise<{ status: number; body: { ok: boolean; error?: string; code?: string } }> {
  const response = await fetch(`http://${server.endpoint}/rpc/${raw.method}`, {
    method: "POST",
    headers: await signedHeaders(server, key, raw),
    body: raw.body,
  });
  return { status: response.status, body: await response.json() };
}

/**
 * Sends a request by hand on a raw connection: the headers, announcing `contentLength` body bytes,
 * and only `partialBody` of them, then waits (at most `timeoutMs`) for the answer. `hold()` keeps
 * the connection open afterwards, as a slow sender would; `close()` ends it.
 */
export async function slowRequest(
  endpoint: string,
  path: string,
  headers: Record<string, string>,
  options: { contentLength: number; partialBody: string },
): Promise<{ answer(timeoutMs: number): Promise<string>; close(): void }> {
  const [hostname, port] = [endpoint.replace(/:\d+$/, ""), Number(endpoint.split(":").pop())];
  const conn = await Deno.connect({ hostname, port });
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: ${endpoint}`,
    `content-length: ${options.contentLength}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head + options.partialBody));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn.close();
  };
  return {
    close,
    async answer(timeoutMs) {
      const timer = setTimeout(close, timeoutMs);
      let text = "";
      try {
        const buffer = new Uint8Array(4096);
        while (!/\r\n\r\n[\s\S]*\}/.test(text)) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += new TextDecoder().decode(buffer.subarray(0, n));
        }
      } catch {
        // closed by the deadline: what arrived so far is the answer
      } finally {
        clearTimeout(timer);
      }
      return text;
    },
  };
}

/** Fails unless `promise` rejects with an error of `type`; returns the error. */
export async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${String(error)}`);
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}
