/**
 * Quorum arithmetic (reliability.md §2.3), the one copy the election core, the MySQL layer and
 * `mysql doctor` share: N voters, majority M = ⌊N/2⌋+1, semi-sync K = N − M.
 */

export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * rpl_semi_sync_master_wait_for_slave_count: with K = N − M every acknowledged transaction is on
 * K+1 nodes, which meets every majority, and an old primary cut off from a majority finds fewer
 * than K ackers. Idle members never count.
 */
export function semiSyncWaitCount(voters: number): number {
  return voters - majority(voters);
}
