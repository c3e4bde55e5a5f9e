/**
 * Faults armed on one simulated host, read by its ports: the agent's sessions to its own mysqld,
 * its peers.json and its wall clock. The nemesis arms them (src/sim/faults.ts).
 */
export class HostFaults {
  /** The agent cannot connect to its own mysqld: its sessions fail, mysqld runs on. */
  mysqlUnreachable = false;
  /** The next fence's read_only takes this long (real ms): beyond the budget it fails. */
  slowFenceMs = 0;
  /** The next statement on the election's session hangs this long (real ms), as behind FTWRL. */
  blockNextMs = 0;
  /** peers.json cannot be written (disk full) until this virtual time. */
  diskFullUntil = 0;
  /** How far the wall clock was set away from true time (ms); the monotonic clock is not. */
  wallJumpMs = 0;

  /** The armed hang for the next statement of the election's session, once. */
  takeBlock(): number {
    const ms = this.blockNextMs;
    this.blockNextMs = 0;
    return ms;
  }

  /** The armed slow fence, once. */
  takeSlowFence(): number {
    const ms = this.slowFenceMs;
    this.slowFenceMs = 0;
    return ms;
  }

  clear(): void {
    this.mysqlUnreachable = false;
    this.slowFenceMs = 0;
    this.blockNextMs = 0;
    this.diskFullUntil = 0;
  }
}
