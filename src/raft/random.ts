/**
 * A tiny deterministic pseudo-random sequence (mulberry32) kept in the state, so the core stays
 * pure and a seed replays an election exactly.
 */

/** Returns a number in [0, 1) and the next state. */
export function nextRandom(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}
