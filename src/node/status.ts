/**
 * The node's status snapshot (src/model/status.ts) for the health endpoints, `/metrics` and
 * `raft explain`: built on demand from the election state, the poller's last MySQL sample, the
 * leader duties' semi-sync reading and counters kept from every transition.
 */
import type { NodeStatus } from "../model/status.ts";
import type { MysqlStatus } from "../mysql/mod.ts";
import { leaseOf, type RaftOptions, type RaftState, semiSyncWaitCount } from "../raft/mod.ts";
import type { LeaderSemiSyncSample } from "../ports/mod.ts";
import type { Observed, TransitionObserver } from "./observer.ts";

export type Counters = Omit<NodeStatus["counters"], "mysqldRestarts">;

/** Election counters for `/metrics`, counted from transitions. */
export class StatusCounters implements TransitionObserver {
  readonly #c: Counters = {
    leaderChanges: 0,
    electionsStarted: 0,
    electionsWon: 0,
    votesGranted: {},
    votesDenied: {},
    heartbeatAcks: 0,
    heartbeatMisses: 0,
    fenceFailures: 0,
  };

  get snapshot(): Counters {
    const c = this.#c;
    return { ...c, votesGranted: { ...c.votesGranted }, votesDenied: { ...c.votesDenied } };
  }

  transition({ event, before, after, effects }: Observed): void {
    const c = this.#c;
    if (after.leader !== null && after.leader !== before.leader) c.leaderChanges++;
    if (after.role === "CANDIDATE" && before.role !== "CANDIDATE") c.electionsStarted++;
    if (after.role === "LEADER" && before.role === "CANDIDATE") c.electionsWon++;
    // As leader: replies received; as follower: replies sent.
    if (event.type === "message" && event.message.kind === "heartbeatReply") {
      this.#heartbeat(event.message.ok);
    }
    for (const e of effects) {
      if (e.kind !== "send") continue;
      const m = e.message;
      if (m.kind === "heartbeatReply") this.#heartbeat(m.ok);
      if (m.kind === "voteReply" || m.kind === "preVoteReply") {
        const table = m.granted ? c.votesGranted : c.votesDenied;
        const key = m.granted ? m.kind.replace("Reply", "") : denialReason(m.reason);
        table[key] = (table[key] ?? 0) + 1;
      }
    }
  }

  fenceFailed(): void {
    this.#c.fenceFailures++;
  }

  #heartbeat(ok: boolean): void {
    if (ok) this.#c.heartbeatAcks++;
    else this.#c.heartbeatMisses++;
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

export interface StatusSources {
  state: RaftState;
  options: RaftOptions;
  /** The node's monotonic clock (ms). */
  now: number;
  /** The poller's last sample; null while MySQL is dead. */
  sample: MysqlStatus | null;
  /** The leader duties' semi-sync reading (null on followers). */
  semiSync: LeaderSemiSyncSample | null;
  /** Clock reading since commits wait for acks with none arriving; null = not blocked. */
  blockedSince: number | null;
  counters: Counters;
  mysqldRestarts: number;
  uptimeSeconds: number;
}

export function buildNodeStatus(src: StatusSources): NodeStatus {
  const s = src.state;
  const leader = s.role === "LEADER";
  const replica = src.sample?.replica ?? null;
  const alive = s.mysql.alive && src.sample !== null;
  return {
    endpoint: s.self,
    role: s.role,
    term: s.term,
    epoch: s.epoch,
    leader: s.leader ?? "",
    reason: s.reason,
    voters: [...s.peers],
    idlePeers: [...s.idlePeers],
    lease: leaseOf(src.options, s, src.now),
    writable: leader && s.leadership?.phase === "writable",
    mysql: {
      alive,
      readOnly: alive ? src.sample!.readOnly : null,
      ioRunning: replica?.ioRunning ?? false,
      sqlRunning: replica?.sqlRunning ?? false,
      secondsBehindMaster: replica?.secondsBehind ?? null,
      relayBacklogBytes: replica?.backlogBytes ?? null,
      relayBacklogTransactions: replica?.backlogTransactions ?? null,
      position: s.mysql.position ?? src.sample?.positions.executed ?? "",
      lastError: replica?.lastSqlError || replica?.lastIoError || "",
    },
    semiSync: {
      acking: leader ? src.semiSync?.acking ?? null : null,
      clients: leader ? src.semiSync?.clients ?? null : null,
      waitCount: leader ? semiSyncWaitCount(s.peers.length) : null,
      blockedForMs: leader && src.blockedSince !== null
        ? Math.max(0, Math.round(src.now - src.blockedSince))
        : null,
    },
    counters: { ...src.counters, mysqldRestarts: src.mysqldRestarts },
    uptimeSeconds: src.uptimeSeconds,
  };
}
