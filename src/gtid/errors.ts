import { XenonError } from "../lib/errors.ts";

/** Malformed replication position text. The message is one line quoting the offending part. */
export class PositionError extends XenonError {
  constructor(message: string) {
    super(message);
    this.name = "PositionError";
  }
}

const QUOTE_LIMIT = 80;

/**
 * `text` as a one-line quoted string, cut to a readable length: positions come from servers and
 * config files, so they may hold newlines (MySQL prints `,\n` between sources) or be very long.
 */
export function quote(text: string): string {
  const cut = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
  return JSON.stringify(cut);
}

/** A formatted position for explanations: cut to a readable length, and visible when empty. */
export function shown(formatted: string, limit = 100): string {
  if (formatted === "") return "(empty)";
  return formatted.length > limit ? `${formatted.slice(0, limit)}…` : formatted;
}
