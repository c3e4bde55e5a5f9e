/**
 * Which peer gives its backup: a healthy follower with the smallest lag; the leader only when no
 * follower qualifies (its backup adds load where writes happen); never a node that is itself
 * rebuilding or backing up, never this node.
 */
import type { RaftStateName } from "../model/mod.ts";

/** What the rebuilding node learned about one peer. */
export interface DonorCandidate {
  endpoint: string;
  /** null when it did not answer. */
  role: RaftStateName | null;
  alive: boolean;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** null when unknown (the server's NULL). */
  secondsBehind: number | null;
  /** Rebuilding itself, or already streaming a backup. */
  busy: boolean;
}

export type DonorChoice = { ok: true; donor: string; why: string } | { ok: false; reason: string };

export function chooseDonor(self: string, candidates: readonly DonorCandidate[]): DonorChoice {
  const usable = candidates.filter((c) =>
    c.endpoint !== self && c.role !== null && c.alive && !c.busy && c.role !== "LEARNER"
  );
  const followers = usable
    .filter((c) => c.role === "FOLLOWER" && c.ioRunning && c.sqlRunning && c.secondsBehind !== null)
    .sort((a, b) => a.secondsBehind! - b.secondsBehind!);
  if (followers.length > 0) {
    const f = followers[0];
    return {
      ok: true,
      donor: f.endpoint,
      why: `follower ${f.endpoint}, ${f.secondsBehind} s behind`,
    };
  }
  const leader = usable.find((c) => c.role === "LEADER");
  if (leader) {
    return {
      ok: true,
      donor: leader.endpoint,
      why: `leader ${leader.endpoint}: no healthy follower to take it from`,
    };
  }
  const seen = candidates.filter((c) => c.endpoint !== self)
    .map((c) => `${c.endpoint} ${c.role === null ? "unreachable" : c.busy ? "busy" : c.role}`);
  return {
    ok: false,
    reason: `no donor: ${seen.join(", ") || "this node knows no peers"}; ` +
      "pass --from HOST:PORT or add the members first (cluster add)",
  };
}
