/**
 * A node's clock in virtual time: local = offset + rate × t (drift and offset per host), timers
 * on the world's queue. Every timer runs inside its agent process: dropped once the process
 * died, held back while it is paused.
 */
import type { Clock, Timer } from "../../ports/mod.ts";
import type { AgentProcess } from "../agent.ts";
import type { SimNode } from "../sim_node.ts";
import type { World } from "../world.ts";

/** Wall-clock reading at virtual time 0 (what logs and status would show). */
const WALL_START = Date.UTC(2026, 0, 1);

export class SimClock implements Clock {
  constructor(
    private readonly w: World,
    private readonly n: SimNode,
    private readonly proc: AgentProcess,
  ) {}

  now(): number {
    return this.n.local(this.w.now);
  }

  wallNow(): number {
    return WALL_START + this.w.now + this.n.armed.wallJumpMs;
  }

  after(ms: number, run: () => void): Timer {
    const timer = { cancelled: false };
    this.w.later(Math.max(0, ms) / this.n.rate, () =>
      this.proc.run(() => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        run();
      }));
    return { cancel: () => void (timer.cancelled = true) };
  }

  every(ms: number, run: () => void): Timer {
    const timer = { cancelled: false };
    const period = Math.max(1, ms);
    // Re-armed when it ran: a process that was paused sees one late run, not a pile of them.
    const arm = () =>
      this.w.later(period / this.n.rate, () =>
        this.proc.run(() => {
          if (timer.cancelled) return;
          run();
          arm();
        }));
    arm();
    return { cancel: () => void (timer.cancelled = true) };
  }
}
