/** peers.json on a simulated host: kept with the host across agent restarts, checked when saved. */
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
    this.n.disk = meta;
    this.w.inv.persisted(this.n, meta);
    return Promise.resolve();
  }
}
