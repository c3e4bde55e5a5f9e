/**
 * The server's checks of a request's signature headers, before any handler runs. Returns the
 * verified stamp, or the one-line reason for a 401.
 */
import type { ClusterKey } from "./key.ts";
import { HEADER, type RequestStamp, verifyRequest } from "./signature.ts";

export interface AuthenticateOptions {
  key: ClusterKey;
  /** Whether this node answers to `to` (the endpoint the sender addressed). */
  isAddressedToUs(to: string): boolean;
  /** This node's endpoint, for the refusal text. */
  self: string;
  maxClockSkewMs: number;
  now: number;
}

export type Authenticated = { ok: true; stamp: RequestStamp } | {
  ok: false;
  kind: string;
  reason: string;
};

const SENDER = /^[\x21-\x7e]{1,255}$/;

function refuse(kind: string, reason: string): Authenticated {
  return { ok: false, kind, reason };
}

/** Checks headers, addressee, clock window, key id and MAC (not replay: see NonceCache). */
export async function authenticate(
  method: string,
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
  options: AuthenticateOptions,
): Promise<Authenticated> {
  const from = headers.get(HEADER.from);
  const to = headers.get(HEADER.to);
  const time = headers.get(HEADER.time);
  const nonce = headers.get(HEADER.nonce);
  const mac = headers.get(HEADER.mac);
  const keyId = headers.get(HEADER.keyId);
  if (from === null || to === null || time === null || nonce === null || mac === null) {
    return refuse("unsigned", "request is not signed (no x-xenon-mac headers): not a xenon peer");
  }
  if (!SENDER.test(from) || !/^\d{1,16}$/.test(time) || !/^[0-9a-f]{32}$/.test(nonce)) {
    return refuse("malformed", "malformed signature headers");
  }
  if (!options.isAddressedToUs(to)) {
    return refuse(
      "misaddressed",
      `request was addressed to ${to}, but this node is ${options.self}; use ${options.self}`,
    );
  }
  const skew = Number(time) - options.now;
  if (Math.abs(skew) > options.maxClockSkewMs) {
    const seconds = Math.round(Math.abs(skew) / 1000);
    const side = skew > 0 ? "ahead of" : "behind";
    return refuse(
      "clock",
      `request timestamp is ${seconds}s ${side} this node's clock (limit ` +
        `${options.maxClockSkewMs / 1000}s): check NTP on both nodes, or a replayed request`,
    );
  }
  if (keyId !== null && keyId !== options.key.id) {
    return refuse(
      "key",
      `signed with cluster key ${keyId}, this node's key is ${options.key.id}`,
    );
  }
  const stamp: RequestStamp = { method, from, to, time: Number(time), nonce };
  if (!await verifyRequest(options.key, stamp, body, mac)) {
    return refuse("mac", "bad MAC: the request was altered, or signed with another cluster key");
  }
  return { ok: true, stamp };
}
