/**
 * Refused requests are logged once per sender and reason, then again at most every `intervalMs`
 * with how many were refused in between, so a misconfigured or hostile peer cannot flood the log
 * while an ongoing problem stays visible.
 */
import { log } from "../log/mod.ts";

interface Entry {
  loggedAt: number;
  suppressed: number;
}

/** At most this many (sender, reason) pairs are tracked; spoofed senders cannot grow it further. */
const MAX_ENTRIES = 1024;

export class RefusalLog {
  readonly #entries = new Map<string, Entry>();
  readonly #intervalMs: number;
  readonly #now: () => number;

  constructor(intervalMs: number, now: () => number) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Logs `message` about `sender` unless the same (sender, kind) was logged recently. */
  refused(sender: string, kind: string, message: string): void {
    const key = `${sender}\u0000${kind}`;
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry && now - entry.loggedAt < this.#intervalMs) {
      entry.suppressed++;
      return;
    }
    const more = entry?.suppressed
      ? ` (${entry.suppressed} more refused since the last report)`
      : "";
    // A tagged template: braces in a (spoofable) sender name are not placeholders.
    log("rpc").warn`refused a request from ${sender}: ${message}${more}`;
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_ENTRIES) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { loggedAt: now, suppressed: 0 });
  }
}
