/**
 * The server's checks of a request's signature headers, before any handler runs. Everything that
 * needs no body (headers, addressee, clock window, key id) is checked before the body is read, so
 * a stranger costs no body buffering; the MAC, which covers the body, is checked after.
 */
import type { ClusterKey } from "./key.ts";
import { HEADER, type RequestStamp, verifyRequest } from "./signature.ts";

export interface StampOptions {
  key: ClusterKey;
  /** Whether this node answers to `to` (the endpoint the sender addressed). */
  isAddressedToUs(to: string): boolean;
  /** This node's endpoint, for the refusal text. */
  self: string;
  maxClockSkewMs: number;
  now: number;
}

interface Refused {
  ok: false;
  kind: string;
  reason: string;
}

/** A request whose headers passed; its MAC is still to be checked against the body. */
export type StampChecked = { ok: true; stamp: RequestStamp; mac: string } | Refused;

export type Authenticated = { ok: true; stamp: RequestStamp } | Refused;

const SENDER = /^[\x21-\x7e]{1,255}$/;

function refuse(kind: string, reason: string): Refused {
  return { ok: false, kind, reason };
}

/** Checks headers, addressee, clock window and key id: all but the MAC (and replay: NonceCache). */
export function checkStamp(method: string, headers: Headers, options: StampOptions): StampChecked {
  const from = headers.get(HEADER.from);
  const to = headers.get(HEADER.to);
  const time = headers.get(HEADER.time);
  const nonce = headers.get(HEADER.nonce);
  const mac = headers.get(HEADER.mac);
  const keyId = headers.get(HEADER.keyId);
  if (
    from === null || to === null || time === null || nonce === null || mac === null ||
    keyId === null
  ) {
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
  if (keyId !== options.key.id) {
    return refuse(
      "key",
      `signed with cluster key ${keyId}, this node's key is ${options.key.id}`,
    );
  }
  return { ok: true, stamp: { method, from, to, time: Number(time), nonce }, mac };
}

/** Checks the MAC of a request whose headers passed `checkStamp`, over its body. */
export async function verifyBody(
  key: ClusterKey,
  checked: { stamp: RequestStamp; mac: string },
  body: Uint8Array<ArrayBuffer>,
): Promise<Authenticated> {
  if (!await verifyRequest(key, checked.stamp, body, checked.mac)) {
    return refuse("mac", "bad MAC: the request was altered, or signed with another cluster key");
  }
  return { ok: true, stamp: checked.stamp };
}
