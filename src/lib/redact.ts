/**
 * Secrets (MySQL, replication and ssh passwords, cluster secrets, tokens) are registered once,
 * when the configuration is loaded, and masked in every log line and every error text.
 */

const secrets = new Set<string>();
const MASK = "******";
/** Secrets shorter than this are not masked in free text (see registerSecret). */
export const MIN_MASKED_LENGTH = 6;

/** Remembers a secret so that `redact` masks it from now on. Empty values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  // A short secret ("repl", "mysql") would mask ordinary words in every line; `config check`
  // reports such passwords as weak instead.
  if (value && value.length >= MIN_MASKED_LENGTH) secrets.add(value);
}

/** Masks every registered secret in `text`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** Forgets all secrets (tests only). */
export function clearSecretsForTest(): void {
  secrets.clear();
}
