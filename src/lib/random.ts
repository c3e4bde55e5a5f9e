/** `bytes` random bytes from the system's CSPRNG, as lower-case hex (secrets, nonces). */
export function randomHex(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}
