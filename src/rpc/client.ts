/**
 * The peer RPC client, used by the daemon (to its peers) and by the CLI (to its node). Every call
 * has a real deadline and fails with one line that names the node, the method and what to check.
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import { BodyTooLarge, readBounded } from "../lib/body.ts";
import { formatEndpoint, parseEndpoint } from "./endpoint.ts";
import {
  RpcAbortedError,
  RpcError,
  RpcProtocolError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
} from "./errors.ts";
import type { ClusterKey } from "./key.ts";
import { HEADER, newNonce, type RequestStamp, signRequest, verifyReply } from "./signature.ts";
import type { Validator } from "./validate.ts";

export interface RpcClientOptions {
  /** Who is calling: this node's `server.endpoint`, or `cliIdentity()` for the CLI. */
  self: string;
  key: ClusterKey;
  /** Use HTTPS and trust the CA in this PEM file (`server.tls-ca`). */
  tls?: { caFile: string };
  /** Requests larger than this are not sent (match the servers' cap). @default 1 MiB */
  maxBodyBytes?: number;
  /** Answers larger than this are refused. @default 16 MiB */
  maxReplyBytes?: number;
  /** The clock (tests). @default Date.now */
  now?: () => number;
}

export interface CallOptions<Res> {
  /** The whole call (connect, send, answer) must finish within this. */
  timeoutMs: number;
  /** Cancels the call early. */
  signal?: AbortSignal;
  /** Checks the result's shape; a wrong shape is an `RpcProtocolError`. */
  validate?: Validator<Res>;
}

/** One endpoint's outcome in `callAll`. */
export type CallOutcome<Res> =
  | { endpoint: string; ok: true; result: Res }
  | { endpoint: string; ok: false; error: RpcError };

/** The identity the CLI signs with: `cli@<hostname>`. */
export function cliIdentity(): string {
  return `cli@${Deno.hostname()}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Calls `Service.Method` on other nodes. `close()` it when done (it may hold a TLS client). */
export class RpcClient {
  readonly #options: RpcClientOptions;
  readonly #http?: Deno.HttpClient;
  readonly #scheme: "http" | "https";

  /** @throws XenonError when `self` is not a valid sender or the CA file cannot be read. */
  constructor(options: RpcClientOptions) {
    if (!/^[\x21-\x7e]{1,255}$/.test(options.self)) {
      throw new XenonError(`bad RPC sender name '${options.self}'`);
    }
    this.#options = options;
    this.#scheme = options.tls ? "https" : "http";
    if (options.tls) {
      let ca: string;
      try {
        ca = Deno.readTextFileSync(options.tls.caFile);
      } catch (error) {
        throw new XenonError(`cannot read server.tls-ca ${options.tls.caFile}: ${oneLine(error)}`);
      }
      this.#http = Deno.createHttpClient({ caCerts: [ca] });
    }
  }

  /**
   * Calls `method` on the node at `endpoint` and returns its result.
   *
   * @throws RpcError (one of its subclasses) when the call fails, XenonError for a bad endpoint.
   */
  async call<Res = unknown>(
    endpoint: string,
    method: string,
    request: unknown,
    options: CallOptions<Res>,
  ): Promise<Res> {
    const to = formatEndpoint(parseEndpoint(endpoint));
    const body = encoder.encode(JSON.stringify(request === undefined ? {} : request));
    const max = this.#options.maxBodyBytes ?? 1024 * 1024;
    if (body.byteLength > max) {
      throw new RpcError(to, method, `${method} request is ${body.byteLength} bytes, over ${max}`);
    }
    const stamp: RequestStamp = {
      method,
      from: this.#options.self,
      to,
      time: (this.#options.now ?? Date.now)(),
      nonce: newNonce(),
    };
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    try {
      const response = await fetch(`${this.#scheme}://${to}/rpc/${method}`, {
        method: "POST",
        headers: await this.#headers(stamp, body),
        body,
        signal,
        client: this.#http,
      });
      return await this.#read(response, stamp, options.validate, signal);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      if (deadline.aborted) throw new RpcTimeoutError(to, method, options.timeoutMs);
      if (options.signal?.aborted) throw new RpcAbortedError(to, method);
      throw new RpcUnreachableError(to, method, unreachableDetail(error), error);
    }
  }

  /**
   * Calls `method` on every endpoint in parallel; one slow or dead node costs at most
   * `timeoutMs` and does not delay the others' outcomes. Outcomes are in `endpoints` order.
   */
  async callAll<Res = unknown>(
    endpoints: readonly string[],
    method: string,
    request: unknown,
    options: CallOptions<Res>,
  ): Promise<CallOutcome<Res>[]> {
    return await Promise.all(endpoints.map(async (endpoint): Promise<CallOutcome<Res>> => {
      try {
        return { endpoint, ok: true, result: await this.call(endpoint, method, request, options) };
      } catch (error) {
        const failure = error instanceof RpcError
          ? error
          : new RpcError(endpoint, method, oneLine(error), error);
        return { endpoint, ok: false, error: failure };
      }
    }));
  }

  /** Releases the TLS client, if any. */
  close(): void {
    this.#http?.close();
  }

  async #headers(stamp: RequestStamp, body: Uint8Array<ArrayBuffer>): Promise<Headers> {
    return new Headers({
      "content-type": "application/json",
      [HEADER.from]: stamp.from,
      [HEADER.to]: stamp.to,
      [HEADER.time]: String(stamp.time),
      [HEADER.nonce]: stamp.nonce,
      [HEADER.keyId]: this.#options.key.id,
      [HEADER.mac]: await signRequest(this.#options.key, stamp, body),
    });
  }

  async #read<Res>(
    response: Response,
    stamp: RequestStamp,
    validate: Validator<Res> | undefined,
    signal: AbortSignal,
  ): Promise<Res> {
    const { to, method, nonce } = stamp;
    const bad = (detail: string) => new RpcProtocolError(to, method, detail);
    const bytes = await readBounded(response, this.#options.maxReplyBytes ?? 16 << 20, signal);
    if (bytes instanceof BodyTooLarge) throw bad(`answer over ${bytes.size} bytes`);
    const mac = response.headers.get(HEADER.mac) ?? "";
    const signed = await verifyReply(
      this.#options.key,
      { nonce, status: response.status },
      bytes,
      mac,
    );
    let envelope: { ok?: unknown; result?: unknown; error?: unknown; code?: unknown };
    try {
      envelope = JSON.parse(decoder.decode(bytes));
    } catch {
      throw bad(
        `HTTP ${response.status}, not JSON; is ${to} the xenon RPC port (server.endpoint)?`,
      );
    }
    if (response.ok) {
      if (!signed) {
        throw bad("the answer is not signed with the cluster key (forged, or not xenon)");
      }
      if (envelope?.ok !== true) throw bad("not a xenon RPC answer");
      if (!validate) return envelope.result as Res;
      try {
        return validate(envelope.result, "result");
      } catch (error) {
        throw bad(`unexpected result shape (${oneLine(error)}); are both nodes the same version?`);
      }
    }
    // Refusals are shown even unsigned (a node with another key cannot sign them for us); they
    // never make the caller act as if the call had succeeded.
    const reason = typeof envelope?.error === "string" ? oneLine(envelope.error) : "";
    const code = typeof envelope?.code === "string" ? envelope.code : `HTTP ${response.status}`;
    throw new RpcRemoteError(to, method, {
      status: response.status,
      code,
      reason: reason || `HTTP ${response.status}`,
    });
  }
}

/** The short reason a request was not delivered, from fetch's error chain. */
function unreachableDetail(error: unknown): string {
  let text = "";
  for (let e: unknown = error; e instanceof Error && text.length < 2000; e = e.cause) {
    text += ` ${e.message}`;
  }
  if (/connection refused/i.test(text)) {
    return "connection refused — is 'xenon serve' running? see its log";
  }
  if (/certificate|tls|handshake|ssl/i.test(text)) {
    return `TLS failed (${lastClause(text)}); check server.tls-ca and the node's server.tls-cert`;
  }
  if (/dns|lookup|resolve/i.test(text)) return `cannot resolve the host (${lastClause(text)})`;
  if (/invalid HTTP|HTTP version|parse/i.test(text)) {
    return `the node did not answer in plain HTTP (${lastClause(text)}); ` +
      "if it has server.tls-cert set, set server.tls-ca here too";
  }
  if (/closed|reset|incomplete|broken pipe/i.test(text)) {
    return `connection closed (${lastClause(text)}); is TLS on for one side only?`;
  }
  return lastClause(text) || "unknown network error";
}

/** The most specific part of a nested error text ("a: b: c (os error 111)" → "c (os error 111)"). */
function lastClause(text: string): string {
  return oneLine(text.trim()).split(": ").pop() ?? "";
}
