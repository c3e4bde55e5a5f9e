/**
 * The `?lag=` threshold of the replica health checks: a time (`10` = 10 s, `5s`, `500ms`, `2m`),
 * checked against Seconds_Behind_Master, or a size (`16kB`, `1MB`, 1024-based like Patroni's),
 * checked against the relay log received but not yet applied.
 */
import { XenonError } from "../lib/errors.ts";

export type LagThreshold =
  | { kind: "seconds"; seconds: number; text: string }
  | { kind: "bytes"; bytes: number; text: string };

const SECONDS: Record<string, number> = { "": 1, ms: 0.001, s: 1, m: 60, min: 60, h: 3600 };
const BYTES: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};
const THRESHOLD = /^([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)$/i;

/** @throws XenonError naming the value and the accepted forms. */
export function parseLagThreshold(text: string): LagThreshold {
  const match = THRESHOLD.exec(text.trim());
  const unit = match?.[2] ?? "";
  const number = Number(match?.[1]);
  // Units are case-sensitive only where it matters: "m" is minutes, "MB" megabytes.
  if (match && unit in SECONDS) {
    return { kind: "seconds", seconds: number * SECONDS[unit], text };
  }
  if (match && unit.toLowerCase() in BYTES) {
    return { kind: "bytes", bytes: number * BYTES[unit.toLowerCase()], text };
  }
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  throw new XenonError(
    `lag=${shown} is not a threshold; use seconds (10, 5s, 500ms, 2m) or relay log bytes ` +
      `(16kB, 1MB)`,
  );
}
