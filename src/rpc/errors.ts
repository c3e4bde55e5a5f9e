/**
 * Why a call failed, as seen by the caller. Every message is one line, names the node and the
 * method, and says what to check; secrets are masked.
 */
import { XenonError } from "../lib/errors.ts";
import { redact } from "../lib/redact.ts";

/** Base class: any failed call. `endpoint` and `method` say which. */
export class RpcError extends XenonError {
  readonly endpoint: string;
  readonly method: string;

  constructor(endpoint: string, method: string, message: string, cause?: unknown) {
    super(redact(message), { cause });
    this.name = "RpcError";
    this.endpoint = endpoint;
    this.method = method;
  }
}

/** Nothing answered: refused, unreachable host, TLS failure. The request was not delivered. */
export class RpcUnreachableError extends RpcError {
  constructor(endpoint: string, method: string, detail: string, cause?: unknown) {
    super(endpoint, method, `cannot reach xenon at ${endpoint}: ${detail}`, cause);
    this.name = "RpcUnreachableError";
  }
}

/** No answer within the deadline. The request may or may not have been handled. */
export class RpcTimeoutError extends RpcError {
  readonly timeoutMs: number;

  constructor(endpoint: string, method: string, timeoutMs: number) {
    super(endpoint, method, `xenon at ${endpoint} did not answer ${method} within ${timeoutMs}ms`);
    this.name = "RpcTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's own signal aborted the call. */
export class RpcAbortedError extends RpcError {
  constructor(endpoint: string, method: string) {
    super(endpoint, method, `call of ${method} on xenon at ${endpoint} was cancelled`);
    this.name = "RpcAbortedError";
  }
}

/** The server answered with an error: refused (401/403) or failed (`code` says which). */
export class RpcRemoteError extends RpcError {
  /** The transport code (`ErrorUnauthenticated`, `ErrorInvalidRequest`, ...). */
  readonly code: string;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The server's one-line reason, without the prefix. */
  readonly reason: string;

  constructor(
    endpoint: string,
    method: string,
    answer: { status: number; code: string; reason: string },
  ) {
    super(endpoint, method, remoteMessage(endpoint, method, answer));
    this.name = "RpcRemoteError";
    this.code = answer.code;
    this.status = answer.status;
    this.reason = redact(answer.reason);
  }
}

function remoteMessage(
  endpoint: string,
  method: string,
  answer: { status: number; reason: string },
): string {
  const { status, reason } = answer;
  if (status === 401) {
    return `xenon at ${endpoint} refused ${method}: ${reason} ` +
      `(check server.cluster-secret / replication.passwd match on both nodes)`;
  }
  if (status === 403 || status === 421) return `xenon at ${endpoint} refused ${method}: ${reason}`;
  if (status === 404) {
    // A method the caller's version has and the node's lacks: a cluster mid-upgrade.
    return `xenon at ${endpoint} has no ${method} (${reason}): it runs another xenon ` +
      `version; upgrade every node to the same one`;
  }
  return `xenon at ${endpoint} failed ${method}: ${reason}`;
}

/** The answer is not a signed xenon RPC answer (another service on the port, a forged reply). */
export class RpcProtocolError extends RpcError {
  constructor(endpoint: string, method: string, detail: string) {
    super(endpoint, method, `xenon at ${endpoint} gave a bad answer to ${method}: ${detail}`);
    this.name = "RpcProtocolError";
  }
}
