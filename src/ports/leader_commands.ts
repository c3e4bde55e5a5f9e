/** leader-start-command and leader-stop-command (the VIP), run one at a time. */

/** What the command learns about the moment it runs in. */
export interface LeaderCommandContext {
  /** Why it runs (the election core's reason). */
  reason: string;
  /** This node's `server.endpoint`. */
  endpoint: string;
  term: number;
  /**
   * leader-start only: the previous leader, whose own leader-start-command and then
   * leader-stop-command both ran and exited 0 before it handed over to this node.
   */
  handedOverBy?: string;
}

/** How a run went, as the shell needs it. */
export interface LeaderCommandOutcome {
  /** The command ran (false: skipped, cut before it began, or `nop`). */
  ran: boolean;
  ok: boolean;
  /** One line for the log and RPC answers. */
  summary: string;
}

export interface LeaderCommandRunner {
  /**
   * Runs the start or stop command after any run still in progress; a stop cuts a running or
   * queued start short. `skip`, asked when the run's turn comes, may name a reason not to run.
   */
  run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandOutcome>;
  /** Resolves when every queued run has finished. */
  idle(): Promise<void>;
}
