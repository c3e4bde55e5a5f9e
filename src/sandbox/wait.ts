/** Bounded waiting: every wait of the sandbox and the test harness has a deadline and an interval. */

import { XenonError } from "../lib/errors.ts";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined, and returns it.
 * After `timeoutMs` it throws a one-line error: `timed out after N s waiting for <what>` plus the
 * detail `explain()` gives (for example the tail of an error log).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; explain?: () => string | Promise<string> },
): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) break;
    await sleep(interval);
  }
  const detail = opts.explain ? await opts.explain() : "";
  const seconds = (opts.timeoutMs / 1000).toFixed(1);
  throw new XenonError(
    `timed out after ${seconds} s waiting for ${what}${detail ? `: ${detail}` : ""}`,
  );
}

/** Resolves when `promise` settles or after `ms`, whichever is first, leaving no timer behind. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([promise.then(() => {}, () => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
