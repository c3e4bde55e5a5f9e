/**
 * Transport-level return codes, named like the original's RetCode values (`model/error.go`) so a
 * refusal reads the same in logs, CLI output and tests. Handlers' own codes (e.g.
 * `ErrorVoteNotGranted`) travel inside their results, as in the original.
 */
export const RpcCode = {
  /** Malformed JSON, wrong field types, wrong content type or headers. */
  InvalidRequest: "ErrorInvalidRequest",
  /** No such `Service.Method` on this node. */
  UnknownMethod: "ErrorUnknownMethod",
  /** The body is over the server's cap. */
  RequestTooLarge: "ErrorRequestTooLarge",
  /** No valid MAC, clock skew, replay, or addressed to another node. */
  Unauthenticated: "ErrorUnauthenticated",
  /** Authenticated, but this sender may not call this method. */
  Forbidden: "ErrorForbidden",
  /** The handler failed (its one-line message is the error). */
  RpcCall: "ErrorRpcCall",
  /** The server is shutting down. */
  ServerDown: "ErrorServerDown",
  /** Too many requests in progress on the server; retry. */
  Busy: "ErrorServerBusy",
} as const;

export type RpcCode = typeof RpcCode[keyof typeof RpcCode];

/** The HTTP status that goes with each code. */
export const HTTP_STATUS: Record<RpcCode, number> = {
  ErrorInvalidRequest: 400,
  ErrorUnknownMethod: 404,
  ErrorRequestTooLarge: 413,
  ErrorUnauthenticated: 401,
  ErrorForbidden: 403,
  ErrorRpcCall: 500,
  ErrorServerDown: 503,
  ErrorServerBusy: 503,
};
