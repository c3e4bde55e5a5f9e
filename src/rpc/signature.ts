/**
 * What is signed, and how. A request's MAC covers the method, sender, addressee, timestamp, nonce
 * and a SHA-256 of the body, so a captured request cannot be changed, sent to another node, or
 * (with the server's nonce cache and clock window) sent again. A reply's MAC covers the request's
 * nonce, the HTTP status and the body, so a reply cannot be forged or swapped on the way back.
 */
import type { ClusterKey } from "./key.ts";
import { toHex } from "./key.ts";
import { randomHex } from "../lib/random.ts";

/** Header names. Lower case, as `Headers` returns them. */
export const HEADER = {
  from: "x-xenon-from",
  to: "x-xenon-to",
  time: "x-xenon-time",
  nonce: "x-xenon-nonce",
  keyId: "x-xenon-key",
  mac: "x-xenon-mac",
} as const;

/** The signed fields of one request, as sent in the headers. */
export interface RequestStamp {
  /** `Service.Method`. */
  method: string;
  /** The sender: its `server.endpoint`, or `cli@<host>` for the CLI. */
  from: string;
  /** The endpoint the request is addressed to, as the sender wrote it. */
  to: string;
  /** Milliseconds since the epoch on the sender's clock. */
  time: number;
  /** 32 hex characters, fresh for every request. */
  nonce: string;
}

const encoder = new TextEncoder();

/** A 128-bit random nonce in hex. */
export function newNonce(): string {
  return randomHex(16);
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

async function requestText(
  stamp: RequestStamp,
  body: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const { method, from, to, time, nonce } = stamp;
  const digest = await sha256Hex(body);
  return encoder.encode(["xenon-rpc-v1 request", method, from, to, time, nonce, digest].join("\n"));
}

async function replyText(
  nonce: string,
  status: number,
  body: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const digest = await sha256Hex(body);
  return encoder.encode(["xenon-rpc-v1 reply", nonce, status, digest].join("\n"));
}

async function mac(key: ClusterKey, text: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key.hmac, text)));
}

async function macMatches(
  key: ClusterKey,
  text: Uint8Array<ArrayBuffer>,
  hex: string,
): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  // WebCrypto's verify compares in constant time.
  return await crypto.subtle.verify("HMAC", key.hmac, bytes, text);
}

/** The MAC of a request (hex). */
export async function signRequest(
  key: ClusterKey,
  stamp: RequestStamp,
  body: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return await mac(key, await requestText(stamp, body));
}

/** Whether `hex` is the MAC of this request under `key`. */
export async function verifyRequest(
  key: ClusterKey,
  stamp: RequestStamp,
  body: Uint8Array<ArrayBuffer>,
  hex: string,
): Promise<boolean> {
  return await macMatches(key, await requestText(stamp, body), hex);
}

/** The MAC of a reply to the request with `nonce` (hex). */
export async function signReply(
  key: ClusterKey,
  reply: { nonce: string; status: number },
  body: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return await mac(key, await replyText(reply.nonce, reply.status, body));
}

/** Whether `hex` is the MAC of this reply under `key`. */
export async function verifyReply(
  key: ClusterKey,
  reply: { nonce: string; status: number },
  body: Uint8Array<ArrayBuffer>,
  hex: string,
): Promise<boolean> {
  return await macMatches(key, await replyText(reply.nonce, reply.status, body), hex);
}
