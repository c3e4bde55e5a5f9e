/** Reaching the other members: one call, or the same call to several at once. */

/** One member's outcome in `callAll`. */
export type PeerOutcome<Res> =
  | { endpoint: string; ok: true; result: Res }
  | { endpoint: string; ok: false; error: Error };

export interface PeerTransport {
  /** Calls `method` on `endpoint`; rejects when it fails or does not answer within `timeoutMs`. */
  call<Res = unknown>(
    endpoint: string,
    method: string,
    request: unknown,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<Res>;
  /** The same call to every endpoint in parallel; never rejects. */
  callAll<Res = unknown>(
    endpoints: readonly string[],
    method: string,
    request: unknown,
    options: { timeoutMs: number },
  ): Promise<PeerOutcome<Res>[]>;
}
