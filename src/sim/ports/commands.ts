/**
 * leader-start-command and leader-stop-command on a simulated host: recorded in the trace; they
 * move the VIP the client reads through (the last start takes it, as a gratuitous ARP does).
 */
import type {
  LeaderCommandContext,
  LeaderCommandOutcome,
  LeaderCommandRunner,
} from "../../ports/mod.ts";
import type { SimNode } from "../sim_node.ts";
import type { World } from "../world.ts";

export class SimLeaderCommands implements LeaderCommandRunner {
  constructor(private readonly w: World, private readonly n: SimNode) {}

  run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandOutcome> {
    const why = skip?.() ?? null;
    if (why !== null) return Promise.resolve({ ran: false, ok: false, summary: `skipped: ${why}` });
    this.w.log(`${this.n.id} leader-${which}-command (term ${context.term})`);
    if (which === "start") this.w.vip = this.n.id;
    else if (this.w.vip === this.n.id) this.w.vip = null;
    return Promise.resolve({ ran: true, ok: true, summary: `leader-${which}-command ran` });
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }
}
