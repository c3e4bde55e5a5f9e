/**
 * The node's election counters, counted from every step of the core: the original's raft
 * counters (`RaftRPC.Status` stats, named as xenon's) and xenon's own behind `/metrics`
 * (`snapshot`). One count per fact: an election won is a candidate promoted.
 */
import type { NodeStatus } from "../model/status.ts";
import type { Observed, TransitionObserver } from "./observer.ts";

/** The `/metrics` counters the node keeps (mysqld restarts are the monitor's). */
export type Counters = Omit<NodeStatus["counters"], "mysqldRestarts">;

export class RaftStats implements TransitionObserver {
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
  #leaderChanges = 0;
  #electionsStarted = 0;
  #votesGranted: Record<string, number> = {};
  #votesDenied: Record<string, number> = {};
  #heartbeatAcks = 0;
  #heartbeatMisses = 0;
  #fenceFailures = 0;

  /** `now`: the node's monotonic clock (ms). */
  constructor(readonly now: () => number) {
    this.roleSince = now();
  }

  transition({ event, before, after, effects }: Observed): void {
    if (before.role !== after.role) {
      this.roleSince = this.now();
      if (before.role === "CANDIDATE") {
        if (after.role === "LEADER") this.candidatePromotes++;
        else this.candidateDegrades++;
      }
      if (before.role === "LEADER") this.leaderDegrades++;
      if (after.role === "CANDIDATE") this.#electionsStarted++;
    }
    if (after.leader !== null && after.leader !== before.leader) this.#leaderChanges++;
    // As leader: replies received; as follower: replies sent.
    if (event.type === "message" && event.message.kind === "heartbeatReply") {
      this.#heartbeat(event.message.ok);
    }
    for (const e of effects) {
      if (e.kind === "promote") this.leaderPromotes++;
      if (e.kind !== "send") continue;
      const m = e.message;
      if (m.kind === "heartbeatReply") this.#heartbeat(m.ok);
      if (m.kind === "voteReply" || m.kind === "preVoteReply") {
        const table = m.granted ? this.#votesGranted : this.#votesDenied;
        const key = m.granted ? m.kind.replace("Reply", "") : denialReason(m.reason);
        table[key] = (table[key] ?? 0) + 1;
      }
    }
  }

  fenceFailed(): void {
    this.#fenceFailures++;
  }

  /** Seconds in the current role. */
  uptimeSeconds(): number {
    return Math.floor((this.now() - this.roleSince) / 1000);
  }

  /** The `/metrics` counters, copied. */
  get snapshot(): Counters {
    return {
      leaderChanges: this.#leaderChanges,
      electionsStarted: this.#electionsStarted,
      electionsWon: this.candidatePromotes,
      votesGranted: { ...this.#votesGranted },
      votesDenied: { ...this.#votesDenied },
      heartbeatAcks: this.#heartbeatAcks,
      heartbeatMisses: this.#heartbeatMisses,
      fenceFailures: this.#fenceFailures,
    };
  }

  #heartbeat(ok: boolean): void {
    if (ok) this.#heartbeatAcks++;
    else this.#heartbeatMisses++;
  }
}

/** A vote refusal as a metric label: a few fixed words, never the free text. */
export function denialReason(reason: string): string {
  if (/already voted|deciding on/.test(reason)) return "already_voted";
  if (/heard from leader|leader of term/.test(reason)) return "leader_lease";
  if (/term \d+ is behind|moved on to term/.test(reason)) return "stale_term";
  if (/not a voter|IDLE|LEARNER|INVALID/.test(reason)) return "not_eligible";
  if (/GTID|data follows|position/.test(reason)) return "data_behind";
  return "other";
}
