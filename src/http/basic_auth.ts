/**
 * HTTP basic auth of the admin API, as the original: realm `xenon zone`, user `mysql.admin`,
 * password `mysql.passwd`. Both are compared in constant time (digests of equal length), and
 * both always, so the answer's timing tells nothing about which part was wrong.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export const REALM = "xenon zone";

export interface Credentials {
  user: string;
  password: string;
}

/** The credentials of an `Authorization: Basic …` header; null when absent or malformed. */
export function parseBasicAuth(header: string | null): Credentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function credentialsMatch(given: Credentials, expected: Credentials): boolean {
  const user = sameSecret(given.user, expected.user);
  const password = sameSecret(given.password, expected.password);
  return user && password;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text, "utf8").digest();
}
