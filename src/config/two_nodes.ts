/**
 * What a 2-voter cluster does, and the original's 2-node settings xenon reads but does not
 * honour. The original let a 2-node leader fall back to async after
 * `semi-sync-timeout-for-two-nodes`, and a candidate count a peer whose MySQL was down as a vote
 * after `candidate-wait-for-2nodes`: either way a failover could lose acknowledged writes or
 * leave two writable primaries. Here a majority of 2 is 2: a leader needs its one replica's
 * heartbeat acks (its lease) and semi-sync acks, so when either node is gone no node accepts
 * writes until it is back or an operator removes it from the survivor's members.
 */
import type { XenonConfig } from "./derive.ts";
import { type Finding, warning } from "./finding.ts";
import { SCHEMA } from "./schema.ts";

export const TWO_NODE_BEHAVIOUR =
  "a 2-voter cluster has no automatic failover: a majority of 2 is 2, so when either node is " +
  "down the other does not accept writes (a leader keeps its lease and its semi-sync acks only " +
  "with its replica); add a third voter, or after losing one node for good remove it from the " +
  "survivor's members (xenon cluster remove) before the survivor can lead alone";

/** The settings that would change that, each refused in one line. */
export function checkTwoNodeSettings(config: XenonConfig): Finding[] {
  const findings: Finding[] = [];
  if (config.raft.semiSyncDegrade) {
    findings.push(warning(
      "raft.semi-sync-degrade",
      "true is not honoured: a leader never lets semi-sync fall back to async, which would " +
        "acknowledge writes no replica has (lost on failover); writes wait for a replica instead",
    ));
  }
  if (config.raft.candidateWaitFor2nodes !== SCHEMA.raft["candidate-wait-for-2nodes"].default) {
    findings.push(warning(
      "raft.candidate-wait-for-2nodes",
      `${config.raft.candidateWaitFor2nodes} ms is not honoured: a candidate never counts a ` +
        `peer whose MySQL is down as a vote (two primaries could result); ${TWO_NODE_BEHAVIOUR}`,
    ));
  }
  const timeout = config.mysql.semiSyncTimeoutForTwoNodes;
  if (timeout !== SCHEMA.mysql["semi-sync-timeout-for-two-nodes"].default) {
    findings.push(warning(
      "mysql.semi-sync-timeout-for-two-nodes",
      `${timeout} ms is not honoured: the semi-sync timeout is infinite in every cluster size, ` +
        `so no acknowledged write exists only on the primary`,
    ));
  }
  return findings;
}

/** The cluster-size finding, from the voters this node's peers.json lists. */
export function checkClusterSize(voters: readonly string[]): Finding[] {
  if (voters.length !== 2) return [];
  return [warning("raft.meta-datadir", `peers.json lists 2 voters: ${TWO_NODE_BEHAVIOUR}`)];
}
