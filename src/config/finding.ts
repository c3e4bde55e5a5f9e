/** A problem found in a configuration, printed as one line: `<key>: <message>`. */
import { redact } from "../lib/redact.ts";

export interface Finding {
  /** `section.key`, a file path, or `mysql` for the live check. */
  key: string;
  severity: "error" | "warning";
  message: string;
  /**
   * An error `config check` fails on that the daemon still starts with (logging a warning),
   * because clusters in the field run that way.
   */
  startsAnyway?: true;
}

/**
 * Messages are built never to quote a password, but they may quote other values (a leader
 * command, say) that embed one. Only the message is masked: a weak password such as "mysql"
 * would otherwise also mask the key that tells the operator what to fix.
 */
export function formatFinding(finding: Finding): string {
  return `${finding.key}: ${redact(finding.message)}`;
}

export const error = (key: string, message: string): Finding => ({
  key,
  severity: "error",
  message,
});

export const warning = (key: string, message: string): Finding => ({
  key,
  severity: "warning",
  message,
});
