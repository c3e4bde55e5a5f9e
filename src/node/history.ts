/**
 * Feeds the flight recorder from the election's transitions, so a record tells what the core
 * decided and when, not what the log suggests:
 * - the new leader writes the record: detect (last contact with the old leader -> campaign
 *   start), elect (-> won), catchUp (-> relay log applied), promote (-> MySQL writable, which
 *   includes waiting for the lease) and leaderStartCommand; the old leader's position is the one
 *   its last heartbeat carried (said so in the trigger);
 * - the old leader writes fenceOld under the same id once it hears the new leader's term.
 * One record spans one outage: from the last contact with a writable leader to the next writable
 * leader, across as many elections as it takes. A term whose leader never became writable (it
 * stepped back while catching up) is an intermediate term of that outage, listed in the record,
 * never a failover of its own; only a writable leader ends an outage or gets a fenceOld.
 * Bootstrap elections (no leader known before) are not failovers and are not recorded.
 */
import type { PositionFlavor } from "../gtid/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type { Effect } from "../raft/mod.ts";
import type { Clock } from "../ports/mod.ts";
import type { FailoverDraft, FlightRecorder, IntermediateTerm } from "../recorder/mod.ts";
import { type LeaderCommandContext, type LeaderCommandResult, LeaderCommands } from "../vip/mod.ts";
import type { Observed, TransitionObserver } from "./observer.ts";

interface KnownLeader {
  endpoint: string;
  term: number;
  /** Monotonic ms of the last heartbeat from it. */
  contactAt: number;
  position: string | null;
}

interface Winning {
  old: KnownLeader;
  transfer: boolean;
  campaignAt: number;
  wonAt?: number;
  newTerm?: number;
  caughtUpAt?: number;
  promotedAt?: number;
  position?: string | null;
}

/** Since the last writable leader went quiet: what this node saw until the next one. */
interface Outage {
  old: KnownLeader;
  /** Monotonic ms of the first campaign or unwritable leader seen in it. */
  firstAt: number;
  /** Monotonic times, converted when recorded. */
  terms: IntermediateTerm[];
}

interface Fenced {
  term: number;
  position: string | null;
  startedAt: number;
  endedAt?: number;
  /** How leader-stop-command went, once it finished. */
  leaderStop?: string;
}

export interface FailoverObserverOptions {
  recorder: FlightRecorder;
  flavor: PositionFlavor;
  /** This node's endpoint. */
  self: string;
  /** The loop's clock: its monotonic readings are recorded as wall-clock (epoch) ms. */
  clock: Clock;
}

export class FailoverObserver implements TransitionObserver {
  #lastLeader: KnownLeader | null = null;
  #winning: Winning | null = null;
  #outage: Outage | null = null;
  #fenced: Fenced | null = null;
  /** The last position this node had while leading (its MySQL may be dead when it fences). */
  #ownPosition: string | null = null;
  readonly #toEpoch: (t: number) => number;

  constructor(readonly o: FailoverObserverOptions) {
    this.#toEpoch = (t) => o.clock.wallNow() - o.clock.now() + t;
  }

  transition({ before, after, effects }: Observed): void {
    const now = after.now;
    if (after.role === "LEADER" && after.mysql.position !== null) {
      this.#ownPosition = after.mysql.position;
    }
    if (after.role === "LEADER" && after.leadership?.phase === "writable") {
      this.#lastLeader = {
        endpoint: after.self,
        term: after.term,
        contactAt: now,
        position: after.mysql.position,
      };
    }
    const contact = after.leaderContactAt;
    if (
      after.leader !== null && after.leader !== after.self && contact !== null &&
      contact !== before.leaderContactAt
    ) {
      this.#heardLeader({
        endpoint: after.leader,
        term: after.term,
        contactAt: contact,
        position: after.leaderPosition,
      }, after.leaderWritable === true);
    }
    // Campaign start: the first attempt since the old leader went quiet.
    if (
      before.campaign === null && after.campaign !== null && this.#winning === null &&
      this.#lastLeader !== null
    ) {
      this.#winning = {
        old: this.#openOutage(now).old,
        transfer: after.campaign.transfer,
        campaignAt: now,
      };
    }
    const w = this.#winning;
    if (w !== null && w.wonAt === undefined && after.role === "LEADER") {
      w.wonAt = now;
      w.newTerm = after.term;
      w.position = after.mysql.position;
    } else if (w !== null && w.wonAt !== undefined && after.role !== "LEADER") {
      this.#winning = null;
      // Stepped back before becoming writable: no leader change, a term of the outage.
      if (w.promotedAt === undefined) {
        this.#openOutage(w.wonAt).terms.push({
          term: w.newTerm!,
          leader: after.self,
          startMs: w.wonAt,
          durationMs: now - w.wonAt,
          outcome: after.reason,
        });
      }
    } else if (
      w?.wonAt !== undefined && before.leadership?.phase === "catchingUp" &&
      after.leadership?.phase !== "catchingUp"
    ) {
      w.caughtUpAt = now;
    }
    if (
      before.role === "LEADER" && after.role !== "LEADER" && effects.some((e) => e.kind === "fence")
    ) {
      this.#fenced = { term: before.term, position: this.#ownPosition, startedAt: now };
    }
  }

  /** A heartbeat from a leader (a new contact); `writable` as the heartbeat said. */
  #heardLeader(leader: KnownLeader, writable: boolean): void {
    // Someone else won while this node campaigned: not its failover to record.
    if (this.#winning !== null && this.#winning.wonAt === undefined) this.#winning = null;
    if (!writable) return this.#heardUnwritable(leader);
    this.#lastLeader = leader;
    this.#outage = null; // ended by that leader, which records it
    const f = this.#fenced;
    if (f !== null && leader.term > f.term) {
      this.#fenced = null;
      this.#recordFence(f, leader);
    }
  }

  /** A leader catching up: a term of the outage, until (unless) it becomes writable. */
  #heardUnwritable(leader: KnownLeader): void {
    if (this.#lastLeader === null || leader.endpoint === this.#lastLeader.endpoint) return;
    const terms = this.#openOutage(leader.contactAt).terms;
    const known = terms.find((t) => t.term === leader.term && t.leader === leader.endpoint);
    if (known !== undefined) known.durationMs = leader.contactAt - known.startMs;
    else {
      terms.push({
        term: leader.term,
        leader: leader.endpoint,
        startMs: leader.contactAt,
        durationMs: 0,
        outcome: "",
      });
    }
  }

  /** The outage in progress, opened at `at` if none is (a writable leader was known before). */
  #openOutage(at: number): Outage {
    this.#outage ??= { old: this.#lastLeader!, firstAt: at, terms: [] };
    return this.#outage;
  }

  effectDone(effect: Effect, startedAt: number, endedAt: number): void {
    if (effect.kind === "fence" && this.#fenced !== null && this.#fenced.endedAt === undefined) {
      this.#fenced.startedAt = startedAt;
      this.#fenced.endedAt = endedAt;
    }
  }

  promoted(at: number): void {
    const w = this.#winning;
    if (w === null || w.wonAt === undefined || w.promotedAt !== undefined) return;
    w.promotedAt = at;
  }

  /** The leader-stop command finished: its result goes into the fence's record. */
  leaderStopDone(result: LeaderCommandResult): void {
    if (this.#fenced !== null) this.#fenced.leaderStop = result.summary;
  }

  /** The leader-start command finished (or was skipped) after a promote. */
  leaderStartDone(startedAt: number, endedAt: number): void {
    const w = this.#winning;
    if (w === null || w.promotedAt === undefined) return;
    this.#winning = null;
    this.#finishWinning(w, startedAt, endedAt);
  }

  #finishWinning(w: Winning, startStartedAt: number, startEndedAt: number): void {
    const outage = this.#outage ?? { old: w.old, firstAt: w.campaignAt, terms: [] };
    this.#outage = null;
    const draft = this.o.recorder.begin(this.#trigger(w, outage));
    const at = this.#toEpoch;
    const detectEnd = Math.min(outage.firstAt, w.campaignAt);
    draft.phase("detect", at(Math.min(w.old.contactAt, detectEnd)), at(detectEnd));
    if (w.campaignAt > detectEnd) draft.phase("earlierTerms", at(detectEnd), at(w.campaignAt));
    draft.phase("elect", at(w.campaignAt), at(w.wonAt!));
    const caughtUp = w.caughtUpAt ?? w.promotedAt!;
    draft.phase("catchUp", at(w.wonAt!), at(caughtUp));
    draft.phase("promote", at(caughtUp), at(w.promotedAt!));
    draft.phase("leaderStartCommand", at(startStartedAt), at(startEndedAt));
    this.#finish(draft, {
      oldLeader: w.old.endpoint,
      newLeader: this.o.self,
      oldTerm: w.old.term,
      newTerm: w.newTerm!,
      oldPosition: w.old.position,
      newPosition: w.position ?? "",
      intermediateTerms: outage.terms.map((t) => ({ ...t, startMs: at(t.startMs) })),
    });
  }

  #trigger(w: Winning, outage: Outage): string {
    const silent = Math.round(Math.min(outage.firstAt, w.campaignAt) - w.old.contactAt);
    const why = w.transfer && outage.terms.length === 0
      ? `hand-over: leader ${w.old.endpoint} fenced itself and released its lease ` +
        `(raft trytoleader, or its mysqld stopped)`
      : `no heartbeat from leader ${w.old.endpoint} for ${silent} ms`;
    const terms = outage.terms.map((t) => `t${t.term}@${t.leader}`);
    const between = terms.length === 0
      ? ""
      : `; ${terms.length} term(s) never became writable first (${terms.join(", ")})`;
    return `${why}${between}; old leader's position as of its last heartbeat`;
  }

  #recordFence(f: Fenced, leader: KnownLeader): void {
    const stop = f.leaderStop === undefined ? "" : `; ${f.leaderStop}`;
    const draft = this.o.recorder.begin(
      `this node (leader of term ${f.term}) fenced itself${stop}`,
    );
    draft.phase("fenceOld", this.#toEpoch(f.startedAt), this.#toEpoch(f.endedAt ?? f.startedAt));
    this.#finish(draft, {
      oldLeader: this.o.self,
      newLeader: leader.endpoint,
      oldTerm: f.term,
      newTerm: leader.term,
      oldPosition: f.position,
      newPosition: leader.position ?? "",
    });
  }

  #finish(
    draft: FailoverDraft,
    o: {
      oldLeader: string;
      newLeader: string;
      oldTerm: number;
      newTerm: number;
      oldPosition: string | null;
      newPosition: string;
      intermediateTerms?: IntermediateTerm[];
    },
  ): void {
    draft.finish({ ...o, flavor: this.o.flavor }).catch((error) =>
      log("recorder").error`could not record the failover: ${oneLine(error)}`
    );
  }
}

/** LeaderCommands that tell the failover observer when the leader-start command finished. */
export class RecordedLeaderCommands extends LeaderCommands {
  constructor(start: string, stop: string, readonly observer: FailoverObserver) {
    super(start, stop);
  }

  override run(
    which: "start" | "stop",
    context: LeaderCommandContext,
    skip?: () => string | null,
  ): Promise<LeaderCommandResult> {
    const clock = this.observer.o.clock;
    const startedAt = clock.now();
    const done = super.run(which, context, skip);
    if (which === "start") {
      done.finally(() => this.observer.leaderStartDone(startedAt, clock.now()))
        .catch(() => {});
    } else {
      done.then((result) => this.observer.leaderStopDone(result), () => {});
    }
    return done;
  }
}
