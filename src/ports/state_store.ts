/** Where the core's persisted term, vote and membership live (peers.json on a database host). */
import type { PersistedMeta } from "../raft/mod.ts";

export interface StateStore {
  /** What was stored, or null for a new node. */
  load(): Promise<PersistedMeta | null>;
  /** Stores `meta` so that a crash leaves the old or the new state, never a torn one. */
  save(meta: PersistedMeta): Promise<void>;
}
