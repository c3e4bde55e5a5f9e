/** The original's raft counters (`RaftRPC.Status` stats), counted from role changes. */
import type { Effect, RaftState } from "../raft/mod.ts";

export class RaftStats {
  /** When the current role began, on `now`. */
  roleSince: number;
  leaderPromotes = 0;
  leaderDegrades = 0;
  leaderGetHeartbeatRequests = 0;
  leaderGetVoteRequests = 0;
  leaderPurgeBinlogs = 0;
  leaderPurgeBinlogFails = 0;
  lessHeartbeatAcks = 0;
  candidatePromotes = 0;
  candidateDegrades = 0;

  /** `now`: the node's monotonic clock (ms). */
  constructor(readonly now: () => number) {
    this.roleSince = now();
  }

  record(before: RaftState, after: RaftState, effects: readonly Effect[]): void {
    if (before.role !== after.role) {
      this.roleSince = this.now();
      if (before.role === "CANDIDATE") {
        if (after.role === "LEADER") this.candidatePromotes++;
        else this.candidateDegrades++;
      }
      if (before.role === "LEADER") this.leaderDegrades++;
    }
    for (const e of effects) if (e.kind === "promote") this.leaderPromotes++;
  }

  /** Seconds in the current role. */
  uptimeSeconds(): number {
    return Math.floor((this.now() - this.roleSince) / 1000);
  }
}
