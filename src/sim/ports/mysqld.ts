/**
 * The supervised mysqld of a simulated host, as the fence's last resort: a hard stop kills it
 * (the commits waiting for acknowledgements end unacknowledged) and the monitor starts it again
 * read-only, as a replica (--init-rpl-role=SLAVE), a little later.
 */
import type { LocalMysqld } from "../../ports/mod.ts";
import type { AgentProcess } from "../agent.ts";
import type { SimNode } from "../sim_node.ts";
import type { World } from "../world.ts";

export class SimMysqld implements LocalMysqld {
  constructor(
    private readonly w: World,
    private readonly n: SimNode,
    private readonly proc: AgentProcess,
  ) {}

  hardStop(reason: string): Promise<boolean> {
    const m = this.n.mysql;
    if (m.alive) {
      this.w.log(`${this.n.id} mysqld stopped hard (${reason}), restarts read-only`);
      for (const p of m.pending) p.clientWaiting = false;
      m.alive = false;
      this.proc.poller.expectRestart();
      this.w.resumeMysqld(this.n); // SIGKILL ends a stopped process too
      this.n.unattended = false;
      this.w.later(this.w.rng.between(200, 2000), () => {
        if (this.proc.status !== "dead") this.w.restartMysql(this.n, true);
      });
    }
    return Promise.resolve(true);
  }

  stopped(): boolean {
    return !this.n.mysql.alive;
  }
}
