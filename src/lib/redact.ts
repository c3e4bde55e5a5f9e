/**
 * Secrets (MySQL, replication and ssh passwords, cluster secrets, tokens) are registered once,
 * when the configuration is loaded, and masked in every log line and every error text.
 */

const secrets = new Set<string>();
const MASK = "******";

/** Remembers a secret so that `redact` masks it from now on. Empty values are ignored. */
export function registerSecret(value: string | undefined | null): void {
  // One-character "secrets" would mask ordinary text everywhere; they are too weak to hide anyway.
  if (value && value.length >= 2) secrets.add(value);
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
