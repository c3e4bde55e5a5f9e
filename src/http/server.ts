/**
 * The HTTP listener on `server.peer-address`: the original's admin API under `/v1/` (basic auth),
 * the health endpoints and `/metrics` (unauthenticated and read-only, like Patroni's). There is
 * no debug or profiling listener. Every answer is JSON (metrics: Prometheus text); every error is
 * one line; no handler can fail the server.
 */
import { readTlsFiles } from "../lib/fs.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { log } from "../log/mod.ts";
import type { NodeStatus } from "../model/status.ts";
import type { FailoverRecord } from "../recorder/mod.ts";
import { BodyTooLarge, readBounded } from "../lib/body.ts";
import { formatEndpoint, parseEndpoint } from "../rpc/mod.ts";
import { ADMIN_ROUTES, type Invoke } from "./admin.ts";
import { credentialsMatch, parseBasicAuth, REALM } from "./basic_auth.ts";
import { HEALTH_CHECKS, healthAnswer, liveness } from "./health.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";

export interface HttpApiOptions {
  /** `server.peer-address`, e.g. `:6060` (all interfaces) or `127.0.0.1:0` (tests). */
  listen: string;
  /**
   * `mysql.admin` and `mysql.passwd`: the admin API's basic auth. An empty password is accepted
   * as the original accepts it (the Kubernetes operator's CRD allows only ""): then the network
   * (a NetworkPolicy, a firewall) is the boundary, and the daemon says so at start.
   */
  adminUser: string;
  adminPassword: string;
  /** `server.enable-apis`: when false, `/v1/*` answer 404; health and metrics stay. @default true */
  enableApis?: boolean;
  /** The node's status snapshot (health endpoints, metrics). */
  status: () => NodeStatus;
  /** Dispatches to the daemon's RPC handlers, in process. */
  invoke: Invoke;
  metrics?: { lastFailover: () => FailoverRecord | null };
  /** Ms since the daemon's loop last completed a cycle (`/liveness`). */
  loopAgeMs?: () => number;
  /** `/liveness` fails past this loop age. @default 10_000 */
  maxLoopAgeMs?: number;
  /** Serve HTTPS with these PEM files. */
  tls?: { certFile: string; keyFile: string };
  /** How long `close()` lets running requests finish before answering them 503. @default 2000 */
  closeGraceMs?: number;
  /** @default 64 KiB */
  maxBodyBytes?: number;
}

export interface HttpApi {
  /** `host:port` it listens on (the real port when `listen` had port 0). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const READ_TIMEOUT_MS = 10_000;
const AUTH_WARNING_INTERVAL_MS = 60_000;

class Closing extends Error {}

/**
 * Starts listening.
 *
 * @throws XenonError when the address is taken or malformed, or the TLS files cannot be read.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const { host: hostname, port: wantedPort } = listenAddress(options.listen);
  const tls = options.tls ? await readTlsFiles(options.tls) : {};
  const closing = new AbortController();
  const api = new Api(options, closing.signal);
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      {
        hostname,
        port: wantedPort,
        ...tls,
        onListen: () => {},
        onError: (error) => {
          log("http").error`internal error answering a request: ${redact(oneLine(error))}`;
          return jsonResponse(500, { Error: "internal error" });
        },
      },
      (request, info) => api.handle(request, info.remoteAddr.hostname),
    );
  } catch (error) {
    const detail = error instanceof Deno.errors.AddrInUse
      ? "address already in use; check server.peer-address"
      : oneLine(error);
    throw new XenonError(`cannot listen for the HTTP API on ${options.listen}: ${detail}`, {
      cause: error,
    });
  }
  const port = server.addr.port;
  const address = formatEndpoint({ host: hostname, port });
  const notes = (options.tls ? " (TLS)" : "") +
    (options.enableApis === false ? " (admin API off: server.enable-apis is false)" : "");
  log("http").info`HTTP API listening on ${address}${notes}`;
  if (options.enableApis !== false && options.adminPassword === "") {
    log("http")
      .warn`the admin API on ${address} takes ${options.adminUser} with an empty password (mysql.passwd ""): anyone who reaches this port can switch the leader or change members; limit who can (a Kubernetes NetworkPolicy, a firewall) or set mysql.passwd`;
  }
  return {
    address,
    port,
    async close() {
      const grace = setTimeout(() => closing.abort(), options.closeGraceMs ?? 2000);
      try {
        await server.shutdown();
      } finally {
        clearTimeout(grace);
        closing.abort();
      }
    },
  };
}

class Api {
  #lastAuthWarning = -Infinity;
  #authFailures = 0;

  constructor(readonly options: HttpApiOptions, readonly closing: AbortSignal) {}

  async handle(request: Request, remote: string): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path.startsWith("/v1/")) return await this.#admin(request, path, remote);
    const bodyless = request.method === "HEAD" || request.method === "OPTIONS";
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      return jsonResponse(405, { Error: `${request.method} not allowed; use GET or HEAD` }, {
        allow: "GET, HEAD, OPTIONS",
      });
    }
    const answer = await this.#readOnly(path, url.searchParams);
    return bodyless ? new Response(null, { status: answer.status }) : answer;
  }

  async #readOnly(path: string, query: URLSearchParams): Promise<Response> {
    try {
      if (path === "/liveness") {
        const verdict = liveness({
          loopAgeMs: this.options.loopAgeMs?.() ?? null,
          maxLoopAgeMs: this.options.maxLoopAgeMs ?? 10_000,
        });
        return jsonResponse(verdict.ok ? 200 : 503, { reason: verdict.reason });
      }
      if (path === "/metrics") {
        const text = await renderMetrics(
          this.options.status(),
          this.options.metrics?.lastFailover() ?? null,
        );
        return new Response(text, { headers: { "content-type": METRICS_CONTENT_TYPE } });
      }
      if (Object.hasOwn(HEALTH_CHECKS, path)) {
        const answer = healthAnswer(path, query, this.options.status());
        return jsonResponse(answer.status, answer.body);
      }
    } catch (error) {
      log("http").error`${path} failed: ${redact(oneLine(error))}`;
      return jsonResponse(503, {
        reason: `cannot read this node's status: ${redact(oneLine(error))}`,
      });
    }
    return jsonResponse(404, {
      Error: `no such endpoint ${shortPath(path)}; try ${Object.keys(HEALTH_CHECKS).join(", ")}, ` +
        `/liveness, /metrics or the admin API under /v1/`,
    });
  }

  async #admin(request: Request, path: string, remote: string): Promise<Response> {
    if (this.options.enableApis === false) {
      return jsonResponse(404, { Error: "the admin API is off; set server.enable-apis to true" });
    }
    const given = parseBasicAuth(request.headers.get("authorization"));
    const expected = { user: this.options.adminUser, password: this.options.adminPassword };
    if (!given || !credentialsMatch(given, expected)) {
      this.#authFailed(remote, path);
      return jsonResponse(401, { Error: "Not Authorized" }, {
        "www-authenticate": `Basic realm="${REALM}"`,
      });
    }
    const route = Object.hasOwn(ADMIN_ROUTES, path) ? ADMIN_ROUTES[path] : undefined;
    if (!route) return jsonResponse(404, { Error: `Resource not found: ${shortPath(path)}` });
    if (request.method !== route.method) {
      return jsonResponse(405, { Error: `Method not allowed; use ${route.method} ${path}` }, {
        allow: route.method,
      });
    }
    try {
      const result = await this.#untilClosing(
        route.run(this.options.invoke, () => this.#body(request)),
      );
      log("http").info`${request.method} ${path} from ${remote}: done`;
      return result === undefined ? new Response(null, { status: 200 }) : jsonResponse(200, result);
    } catch (error) {
      const message = error instanceof Closing
        ? `${path} interrupted: this xenon is shutting down`
        : redact(oneLine(error));
      log("http").warn`${request.method} ${path} from ${remote} failed: ${message}`;
      return jsonResponse(error instanceof Closing ? 503 : 500, { Error: message });
    }
  }

  async #body(request: Request): Promise<string> {
    const max = this.options.maxBodyBytes ?? 64 * 1024;
    const body = await readBounded(request, max, AbortSignal.timeout(READ_TIMEOUT_MS))
      .catch(() => {
        throw new XenonError("request body not received in time");
      });
    if (body instanceof BodyTooLarge) throw new XenonError(`request body over ${max} bytes`);
    return new TextDecoder().decode(body);
  }

  /** Races a handler with close(): a slow switchover must not hold the shutdown forever. */
  async #untilClosing<T>(running: Promise<T>): Promise<T> {
    let stop = () => {};
    const closed = new Promise<never>((_, reject) => {
      stop = () => reject(new Closing());
      if (this.closing.aborted) stop();
      this.closing.addEventListener("abort", stop, { once: true });
    });
    try {
      return await Promise.race([running, closed]);
    } finally {
      this.closing.removeEventListener("abort", stop);
      running.catch(() => {});
      closed.catch(() => {});
    }
  }

  /** Logs refused logins at most once a minute, with how many there were. */
  #authFailed(remote: string, path: string): void {
    this.#authFailures++;
    const now = performance.now();
    if (now - this.#lastAuthWarning < AUTH_WARNING_INTERVAL_MS) return;
    const latest = `${path} from ${remote}`;
    log("http")
      .warn`admin API refused ${this.#authFailures} request(s) with wrong or missing credentials (latest: ${latest}); it takes mysql.admin and mysql.passwd`;
    this.#lastAuthWarning = now;
    this.#authFailures = 0;
  }
}

/** `:6060` listens on every IPv4 address, as the original's Go listener did. */
function listenAddress(listen: string): { host: string; port: number } {
  try {
    return parseEndpoint(listen.startsWith(":") ? `0.0.0.0${listen}` : listen);
  } catch {
    throw new XenonError(
      `server.peer-address ${JSON.stringify(listen)} is not [HOST]:PORT; expected e.g. ":6060"`,
    );
  }
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
  });
}

function shortPath(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
}
