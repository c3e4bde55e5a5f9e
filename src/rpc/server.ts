/**
 * The peer RPC server: `POST /rpc/<Service.Method>` with a JSON body, on `server.endpoint`.
 * Every request's headers are checked (sender, addressee, clock, key id) before its body is read,
 * and its MAC before the body is parsed (see signature.ts); every answer is
 * `{ ok: true, result }` or `{ ok: false, error, code }` and signed. Bad input of any kind gets an
 * error answer, never a crash.
 */
import { readTlsFiles } from "../lib/fs.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";
import { log } from "../log/mod.ts";
import { checkStamp, verifyBody } from "./_authenticate.ts";
import { BodyTooLarge, readBounded } from "../lib/body.ts";
import { RefusalLog } from "./_refusal_log.ts";
import { HTTP_STATUS, RpcCode } from "./codes.ts";
import { formatEndpoint, parseEndpoint } from "./endpoint.ts";
import type { ClusterKey } from "./key.ts";
import { NonceCache } from "./nonce_cache.ts";
import { ReplayMark } from "./replay_mark.ts";
import { HEADER, type RequestStamp, signReply } from "./signature.ts";
import { type Validator } from "./validate.ts";

/** Who may call a method: other nodes only, or the CLI (`cli@<host>`) too. */
export type Callers = "peers" | "peers-and-cli";

/** What a handler knows about the call besides its body. */
export interface CallContext {
  /** The authenticated sender: a peer endpoint or `cli@<host>`. */
  from: string;
  caller: "peer" | "cli";
  /**
   * Aborts when the server closes. (Not when the caller goes away: Deno's `request.signal` also
   * fires after every successful answer and warns about it; handlers are bounded anyway.)
   */
  signal: AbortSignal;
}

/** Handles one validated request; its return value is sent as `result` (must be JSON). */
export type Handler<Req, Res> = (request: Req, context: CallContext) => Res | Promise<Res>;

export interface MethodOptions<Req> {
  /** Checks the body and returns it typed; throws a one-line error for wrong shapes. */
  validate: Validator<Req>;
  /** @default "peers" */
  callers?: Callers;
}

export interface RpcServerOptions {
  /** `host:port` to listen on, exactly (as the original); port 0 picks a free port. */
  listen: string;
  key: ClusterKey;
  /** Whether an authenticated peer endpoint may call at all (the daemon's peer list). */
  allowedPeer(from: string): boolean;
  /** @default 1 MiB */
  maxBodyBytes?: number;
  /** How far a request's timestamp may be from this node's clock, either way. @default 120_000 */
  maxClockSkewMs?: number;
  /** Nonces remembered against replay. @default 100_000 */
  nonceCacheSize?: number;
  /**
   * The file that keeps replay protection across restarts (see ReplayMark); without it, only
   * requests stamped before this server started are refused as possible replays.
   */
  replayMarkFile?: string;
  /** Serve HTTPS with these PEM files (`server.tls-cert`, `server.tls-key`). */
  tls?: { certFile: string; keyFile: string };
  /** A refused sender is logged again at most this often per reason. @default 600_000 */
  refusalLogIntervalMs?: number;
  /** How long `close()` lets running handlers finish before answering them 503. @default 2000 */
  closeGraceMs?: number;
  /**
   * Reading a request body takes at most this long (bodies are small; a slow one only holds a
   * slot). @default 2000
   */
  readTimeoutMs?: number;
  /**
   * Requests whose headers passed, read or handled at once; more are answered 503 at once, so
   * slow or flooding senders cannot pile up bodies. @default 64
   */
  maxConcurrentRequests?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
}

interface Method {
  handler: Handler<unknown, unknown>;
  validate: Validator<unknown>;
  callers: Callers;
}

interface Answer {
  status: number;
  body: unknown;
  /** What kind of refusal, for logging once per sender and kind (defaults to the code). */
  kind?: string;
}

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*$/;
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"]);
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function refusal(code: RpcCode, error: string, status = HTTP_STATUS[code]): Answer {
  return { status, body: { ok: false, error: redact(error), code } };
}

function unauthenticated(refused: { kind: string; reason: string }): Answer {
  // A wrong address is not an authentication problem: 421 keeps the key hint off the message.
  const status = refused.kind === "misaddressed" ? 421 : 401;
  return { ...refusal(RpcCode.Unauthenticated, refused.reason, status), kind: refused.kind };
}

/** The RPC server of one node. Register methods, then `start()`; `close()` when done. */
export class RpcServer {
  readonly #options: RpcServerOptions;
  readonly #methods = new Map<string, Method>();
  readonly #now: () => number;
  #nonces?: NonceCache;
  #mark?: ReplayMark;
  readonly #refusals: RefusalLog;
  readonly #closing = new AbortController();
  #server?: Deno.HttpServer<Deno.NetAddr>;
  #endpoint?: string;
  #inFlight = 0;

  constructor(options: RpcServerOptions) {
    parseEndpoint(options.listen);
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refusals = new RefusalLog(options.refusalLogIntervalMs ?? 600_000, this.#now);
  }

  get #skewMs(): number {
    return this.#options.maxClockSkewMs ?? 120_000;
  }

  /**
   * Adds `Service.Method` (the original's names, e.g. `RaftRPC.Heartbeat`). Pass `validate` as a
   * named constant (`const heartbeat = v.object({...})`): TypeScript then types the handler's
   * request from it (an inline `v.object(...)` call leaves it `unknown`).
   */
  registerMethod<Req, Res>(
    name: string,
    handler: Handler<NoInfer<Req>, Res>,
    options: MethodOptions<Req>,
  ): void {
    if (!METHOD_NAME.test(name)) throw new XenonError(`bad RPC method name '${name}'`);
    if (this.#methods.has(name)) throw new XenonError(`RPC method ${name} registered twice`);
    this.#methods.set(name, {
      handler: handler as Handler<unknown, unknown>,
      validate: options.validate,
      callers: options.callers ?? "peers",
    });
  }

  /** The endpoint it listens on (with the real port when `listen` had port 0). */
  get endpoint(): string {
    if (!this.#endpoint) throw new XenonError("the RPC server is not started");
    return this.#endpoint;
  }

  /**
   * Starts listening.
   *
   * @throws XenonError when the address is taken or the TLS files cannot be read.
   */
  async start(): Promise<string> {
    const { host, port } = parseEndpoint(this.#options.listen);
    const tls = this.#options.tls ? await readTlsFiles(this.#options.tls) : {};
    const startedAt = this.#now();
    const file = this.#options.replayMarkFile;
    this.#mark = file ? await ReplayMark.open(file, startedAt) : undefined;
    const floor = this.#mark?.floor ?? startedAt;
    this.#nonces = new NonceCache(this.#skewMs, this.#options.nonceCacheSize ?? 100_000, floor);
    try {
      this.#server = Deno.serve(
        { hostname: host, port, ...tls, onListen: () => {}, onError: (e) => this.#crashed(e) },
        (request, info) => this.#handle(request, info),
      );
    } catch (error) {
      const detail = error instanceof Deno.errors.AddrInUse
        ? "address already in use; is another xenon running? check server.endpoint"
        : oneLine(error);
      throw new XenonError(`cannot listen for RPC on ${this.#options.listen}: ${detail}`, {
        cause: error,
      });
    }
    this.#endpoint = formatEndpoint({ host, port: this.#server.addr.port });
    log("rpc").info`listening on ${this.#endpoint}${this.#options.tls ? " (TLS)" : ""}`;
    return this.#endpoint;
  }

  /** Stops accepting requests, waits up to `closeGraceMs` for running ones, then ends them. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    const grace = setTimeout(() => this.#closing.abort(), this.#options.closeGraceMs ?? 2000);
    try {
      await server.shutdown();
    } finally {
      clearTimeout(grace);
      this.#closing.abort();
    }
  }

  #crashed(error: unknown): Response {
    log("rpc").error`internal error answering a request: ${oneLine(redact(String(error)))}`;
    return Response.json({ ok: false, error: "internal error", code: RpcCode.RpcCall }, {
      status: 500,
    });
  }

  async #handle(request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> {
    let answer = await this.#answer(request, info.remoteAddr.hostname);
    let text: string;
    try {
      text = JSON.stringify(answer.body);
    } catch (error) {
      log("rpc").error`a handler returned a result that is not JSON: ${oneLine(error)}`;
      answer = refusal(RpcCode.RpcCall, "the handler's result is not JSON");
      text = JSON.stringify(answer.body);
    }
    const bytes = encoder.encode(text);
    const headers = new Headers({ "content-type": "application/json" });
    const nonce = request.headers.get(HEADER.nonce);
    if (nonce && /^[0-9a-f]{32}$/.test(nonce)) {
      headers.set(HEADER.mac, await signReply(this.#options.key, { nonce, ...answer }, bytes));
    }
    return new Response(bytes, { status: answer.status, headers });
  }

  async #answer(request: Request, remoteIp: string): Promise<Answer> {
    const claimed = request.headers.get(HEADER.from);
    const sender = claimed ? `${claimed.slice(0, 100)} (${remoteIp})` : remoteIp;
    const answer = await this.#check(request);
    // Handler failures are logged where they happen, with the method.
    if (answer.status !== 200 && answer.status !== 500) {
      const { error, code } = answer.body as { error: string; code: string };
      this.#refusals.refused(sender, answer.kind ?? code, `${error} [${code}]`);
    }
    return answer;
  }

  async #check(request: Request): Promise<Answer> {
    if (this.#closing.signal.aborted) {
      return refusal(RpcCode.ServerDown, "this xenon is shutting down");
    }
    const path = new URL(request.url).pathname;
    const name = path.startsWith("/rpc/") ? path.slice(5) : "";
    if (!METHOD_NAME.test(name)) {
      return refusal(RpcCode.UnknownMethod, "not an RPC path; use POST /rpc/Service.Method");
    }
    if (request.method !== "POST") {
      return refusal(RpcCode.InvalidRequest, `${request.method} not allowed; use POST`, 405);
    }
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return refusal(RpcCode.InvalidRequest, "content type must be application/json", 415);
    }
    const now = this.#now();
    const checked = checkStamp(name, request.headers, {
      key: this.#options.key,
      self: this.endpoint,
      isAddressedToUs: (to) => this.#isAddressedToUs(to),
      maxClockSkewMs: this.#skewMs,
      now,
    });
    if (!checked.ok) return unauthenticated(checked);
    const limit = this.#options.maxConcurrentRequests ?? 64;
    if (this.#inFlight >= limit) {
      return refusal(
        RpcCode.Busy,
        `${limit} requests are already in progress on this node; retry shortly`,
      );
    }
    this.#inFlight++;
    try {
      const body = await this.#readBody(request);
      if (!(body instanceof Uint8Array)) return body;
      const auth = await verifyBody(this.#options.key, checked, body);
      if (!auth.ok) return unauthenticated(auth);
      return await this.#authorizeAndRun(name, auth.stamp, body, now);
    } finally {
      this.#inFlight--;
    }
  }

  /** The body, read within `readTimeoutMs` and up to `maxBodyBytes`; or the refusal. */
  async #readBody(request: Request): Promise<Uint8Array<ArrayBuffer> | Answer> {
    const max = this.#options.maxBodyBytes ?? 1024 * 1024;
    // Listeners on the long-lived closing signal are removed per request, or they pile up.
    const reading = new AbortController();
    const stop = () => reading.abort();
    const timer = setTimeout(stop, this.#options.readTimeoutMs ?? 2000);
    this.#closing.signal.addEventListener("abort", stop, { once: true });
    let body: Uint8Array<ArrayBuffer> | BodyTooLarge;
    try {
      body = await readBounded(request, max, reading.signal);
    } catch {
      return refusal(RpcCode.InvalidRequest, "request body not received in time");
    } finally {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener("abort", stop);
    }
    if (body instanceof BodyTooLarge) {
      return refusal(RpcCode.RequestTooLarge, `request body over the ${max} bytes limit`);
    }
    return body;
  }

  async #authorizeAndRun(
    name: string,
    stamp: RequestStamp,
    body: Uint8Array<ArrayBuffer>,
    now: number,
  ): Promise<Answer> {
    const { from, nonce, time } = stamp;
    const caller = from.startsWith("cli@") ? "cli" : "peer";
    if (caller === "peer" && !this.#options.allowedPeer(from)) {
      return refusal(
        RpcCode.Forbidden,
        `${from} is not a member of this cluster (not in this node's peer list); ` +
          `add it with 'xenon cluster add ${from}'`,
      );
    }
    const method = this.#methods.get(name);
    if (!method) return refusal(RpcCode.UnknownMethod, `unknown method ${name}`);
    if (caller === "cli" && method.callers === "peers") {
      return refusal(RpcCode.Forbidden, `${name} may be called by cluster peers only, not the CLI`);
    }
    const ahead = this.#mark?.refusalFor(time, now, this.#skewMs) ?? null;
    if (ahead) return { ...refusal(RpcCode.Unauthenticated, ahead), kind: "clock" };
    const replay = this.#nonces!.admit(nonce, time, now);
    if (replay) return { ...refusal(RpcCode.Unauthenticated, replay), kind: "replay" };
    try {
      await this.#mark?.cover(time);
    } catch (error) {
      return refusal(RpcCode.ServerDown, `replay protection unavailable: ${oneLine(error)}`);
    }
    let input: unknown;
    try {
      input = method.validate(JSON.parse(decoder.decode(body)));
    } catch (error) {
      const what = error instanceof SyntaxError || error instanceof TypeError
        ? "malformed JSON: "
        : "";
      return refusal(RpcCode.InvalidRequest, `${what}${oneLine(error)}`);
    }
    return await this.#run(name, method, input, { from, caller });
  }

  async #run(
    name: string,
    method: Method,
    input: unknown,
    context: Omit<CallContext, "signal">,
  ): Promise<Answer> {
    const signal = this.#closing.signal;
    let stop = () => {};
    const closed = new Promise<never>((_, reject) => {
      stop = () => reject(new ServerClosing());
      if (signal.aborted) stop();
      signal.addEventListener("abort", stop, { once: true });
    });
    closed.catch(() => {});
    const running = Promise.resolve().then(() => method.handler(input, { ...context, signal }));
    running.catch(() => {});
    try {
      const result = await Promise.race([running, closed]);
      return { status: 200, body: { ok: true, result: result ?? null } };
    } catch (error) {
      if (error instanceof ServerClosing) {
        return refusal(RpcCode.ServerDown, `${name} interrupted: this xenon is shutting down`);
      }
      const message = oneLine(error);
      log("rpc").error`${name} from ${context.from} failed: ${redact(message)}`;
      return refusal(RpcCode.RpcCall, message);
    } finally {
      signal.removeEventListener("abort", stop);
    }
  }

  #isAddressedToUs(to: string): boolean {
    const self = parseEndpoint(this.endpoint);
    if (WILDCARD_HOSTS.has(self.host)) {
      // Listening on every address: any name for this port is ours.
      return /:(\d+)$/.exec(to)?.[1] === String(self.port);
    }
    return to === this.endpoint;
  }
}

class ServerClosing extends Error {}
