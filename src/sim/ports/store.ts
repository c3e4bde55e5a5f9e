/**
 * peers.json on a simulated host: kept with the host across agent restarts, checked when saved;
 * a save fails while the disk is full (the old file stays).
 */
import type { StateStore } from "../../ports/mod.ts";
import type { PersistedMeta } from "../../raft/mod.ts";
import type { SimNode } from "../sim_node.ts";
import type { World } from "../world.ts";

export class SimStore implements StateStore {
  constructor(private readonly w: World, private readonly n: SimNode) {}

  load(): Promise<PersistedMeta | null> {
    return Promise.resolve(this.n.disk);
  }

  save(meta: PersistedMeta): Promise<void> {
    if (this.w.now < this.n.armed.diskFullUntil) {
      this.w.count("disk full");
      return Promise.reject(new Error("ENOSPC: no space left on device (write peers.json.tmp)"));
    }
    this.n.disk = meta;
    this.w.inv.persisted(this.n, meta);
    return Promise.resolve();
  }
}
