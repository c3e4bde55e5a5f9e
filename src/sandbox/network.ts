/**
 * Where the sandbox's nodes live on the network. Today every node is on loopback with its own
 * ports and "the VIP" is a line in a file. A later sandbox puts each node in a network namespace
 * on a bridge with a real VIP: it implements this same interface (a host per node, leader
 * commands that move the address), and nothing else in the sandbox changes.
 */

export interface SandboxNetwork {
  readonly kind: "loopback";
  /** The address node `index` listens on (MySQL, agent RPC, HTTP API). */
  host(index: number): string;
  /**
   * The node's `raft.leader-start-command` and `leader-stop-command`. They run through bash, so
   * every path is single-quoted; what they may want to know comes in XENON_* variables.
   */
  leaderCommands(leaderLog: string): { start: string; stop: string };
}

/** Quotes `text` as one bash word. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Loopback: the leader commands record the role change instead of moving an address. */
export const loopbackNetwork: SandboxNetwork = {
  kind: "loopback",
  host: () => "127.0.0.1",
  leaderCommands(leaderLog) {
    const line = (what: string) =>
      `echo "$(date -u +%FT%T.%3NZ) ${what} term=$XENON_TERM $XENON_ENDPOINT" >> ${
        shellQuote(leaderLog)
      }`;
    return { start: line("leader-start (VIP would be added here)"), stop: line("leader-stop") };
  },
};
