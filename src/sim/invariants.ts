/**
 * Safety invariants, checked after every simulated step (and at the moments that matter:
 * persist, send, promotion, acknowledgement). The first violation stops the run.
 */
import { majority, type Message, type PersistedMeta, type RaftState } from "../raft/mod.ts";
import type { PendingCommit, Txn } from "./mysql_model.ts";
import type { SimNode, World } from "./world.ts";

export interface Violation {
  readonly at: number;
  readonly invariant: string;
  readonly detail: string;
}

export class Invariants {
  readonly violations: Violation[] = [];
  private leaderOfTerm = new Map<number, string>();
  private voteOf = new Map<string, string>();
  private grantData = new Map<string, { position: string | null; dataTerm: number }>();
  private acked: Txn[] = [];
  /** The latest node made writable, with its term: every later ack must reach it. */
  private newest: { node: SimNode; term: number } | null = null;
  ackedCount = 0;
  /** Per node read from: how many of `acked` a read there was seen to see (per history). */
  private readsSaw = new Map<SimNode, { generation: number; upTo: number }>();

  constructor(private readonly w: World) {}

  private fail(invariant: string, detail: string): void {
    this.violations.push({ at: this.w.now, invariant, detail });
    this.w.log(`VIOLATION ${invariant}: ${detail}`);
  }

  /** No node votes twice in a term, across restarts: checked on what is durable. */
  persisted(n: SimNode, meta: PersistedMeta): void {
    if (meta.votedFor === null) return;
    const key = `${n.id}@${meta.viewId}`;
    const earlier = this.voteOf.get(key);
    if (earlier !== undefined && earlier !== meta.votedFor) {
      this.fail(
        "one vote per term",
        `${n.id} voted for ${earlier} and ${meta.votedFor} in term ${meta.viewId}`,
      );
    }
    this.voteOf.set(key, meta.votedFor);
  }

  sending(m: Message): void {
    if (m.kind !== "voteReply" || !m.granted) return;
    const key = `${m.from}@${m.term}`;
    if (this.voteOf.get(key) !== m.to) {
      this.fail(
        "vote persisted before sent",
        `${m.from} granted ${m.to} term ${m.term} without a durable vote`,
      );
    }
    this.grantData.set(key, { position: m.position, dataTerm: m.dataTerm });
  }

  /**
   * At most one leader per term; the leader is not behind any voter that granted it, comparing
   * data terms first and positions within one data term (Raft's up-to-date rule).
   */
  becameLeader(n: SimNode, before: RaftState): void {
    const term = n.state.term;
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== n.id) {
      this.fail("one leader per term", `${other} and ${n.id} both led term ${term}`);
    }
    this.leaderOfTerm.set(term, n.id);
    const camp = before.campaign;
    const mine = camp?.position ?? null;
    if (camp === null || mine === null) return;
    const cmp = n.options.comparator;
    for (const voter of camp.granted) {
      if (voter === n.id) continue;
      const theirs = this.grantData.get(`${voter}@${term}`);
      if (theirs === undefined || theirs.position === null) continue;
      const rel = before.dataTerm < theirs.dataTerm ? "behind" : cmp.compare(mine, theirs.position);
      if (rel === "behind" || rel === "diverged") {
        this.fail(
          "leader not behind its voters",
          `${n.id} won term ${term} at ${mine} (data term ${before.dataTerm}), voter ${voter} ` +
            `was at ${theirs.position} (data term ${theirs.dataTerm})`,
        );
      }
    }
  }

  /** A node is about to become writable: it must hold every acknowledged write. */
  promoting(n: SimNode): void {
    const missing = this.acked.filter((t) => !n.mysql.ids.has(t.id));
    if (missing.length > 0) {
      this.fail(
        "acknowledged writes survive",
        `${n.id} became writable in term ${n.state.term} without ${missing.length} acknowledged ` +
          `write(s), e.g. ${missing[0].gtid}`,
      );
    }
    if (this.newest === null || n.state.term >= this.newest.term) {
      this.newest = { node: n, term: n.state.term };
    }
  }

  /**
   * A commit returned OK to its client. AFTER_SYNC: a replica holds it, unless semi-sync waits
   * for none (2 voters: the lease alone protects); an OK nobody acknowledged on a leader of 3 or
   * more voters (semi-sync turned off, a waiting session killed) is a write the next leader may
   * lack.
   */
  acknowledged(master: SimNode, commit: PendingCommit): void {
    const txn = commit.txn;
    const s = master.state;
    const voters = s.peers.filter((p) => !s.idlePeers.includes(p)).length;
    if (commit.acks.size === 0 && voters - majority(voters) > 0) {
      this.fail(
        "acknowledged writes are on a replica",
        `${master.id} returned OK for ${txn.gtid} with ${voters} voters and no replica holding it`,
      );
    }
    this.acked.push(txn);
    this.ackedCount++;
    const top = this.newest;
    if (top !== null && top.node !== master && !top.node.mysql.ids.has(txn.id)) {
      this.fail(
        "acknowledged writes survive",
        `${master.id} acknowledged ${txn.gtid} after ${top.node.id} took over in term ${top.term}`,
      );
    }
  }

  /**
   * No stale read through the writable node: a read the VIP sends to a writable node with a live
   * agent sees every write acknowledged before it started. (A writable node whose agent is paused
   * or dead, the VIP still on it, can serve stale reads: no agent of its own can stop that.)
   */
  read(n: SimNode): void {
    const m = n.mysql;
    if (m.readOnly || n.unattended || n.agent !== "running") return;
    let saw = this.readsSaw.get(n);
    if (saw === undefined || saw.generation !== m.generation) {
      saw = { generation: m.generation, upTo: 0 };
      this.readsSaw.set(n, saw);
    }
    for (; saw.upTo < this.acked.length; saw.upTo++) {
      const txn = this.acked[saw.upTo];
      if (m.sees(txn.id)) continue;
      return this.fail(
        "no stale read through the writable node",
        `a read on ${n.id} (term ${n.state.term}) did not see acknowledged ${txn.gtid}`,
      );
    }
  }

  /** Never two nodes writable with live agents, never two able to commit. */
  afterStep(): void {
    const writable = this.w.nodes.filter((n) => n.mysql.alive && !n.mysql.readOnly);
    if (writable.length < 2) return;
    const attended = writable.filter((n) => n.agent === "running" && !n.unattended);
    if (attended.length >= 2) {
      this.fail(
        "fencing order",
        `${attended.map((n) => `${n.id} (term ${n.state.term})`).join(" and ")} are both writable`,
      );
      return;
    }
    const committing = writable.filter((n) => this.canCommit(n));
    if (committing.length >= 2) {
      this.fail(
        "one committing primary",
        `${committing.map((n) => n.id).join(" and ")} can both commit`,
      );
    }
  }

  private canCommit(n: SimNode): boolean {
    const k = n.mysql.waitCount;
    if (k === 0) return true;
    const ackers = this.w.nodes.filter((r) =>
      r !== n && r.mysql.alive && r.mysql.ioRunning && r.mysql.master === n.id &&
      r.mysql.semiSyncAck &&
      this.w.replicates(r, n) && r.mysql.isPrefixOf(n.mysql)
    );
    return ackers.length >= k;
  }
}
