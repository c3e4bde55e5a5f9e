/**
 * The one entry point: `step(state, event) -> transition`. Pure: no I/O, no clock, no
 * randomness but the seeded sequence in the state. The daemon makes `persist` durable, then
 * runs `effects` in order.
 */
import { Ctx } from "./context.ts";
import type { RaftEvent } from "./events.ts";
import type { Transition } from "./effects.ts";
import type { Message } from "./messages.ts";
import { emptyMeta, type PersistedMeta, sameMeta } from "./meta.ts";
import type { RaftOptions } from "./options.ts";
import { type RaftState, stoppedState } from "./state.ts";
import { onAdmin } from "./admin.ts";
import {
  onCampaignTimeout,
  onCandidateFrozen,
  onElectionTimeout,
  onPreVoteReply,
  onVoteReply,
} from "./campaign.ts";
import {
  followFrozen,
  freezeForQuietLeader,
  onChangeMasterFailed,
  onHeartbeat,
  onLeaseReleased,
  onReplicationRunning,
  verifyDataTerm,
} from "./follower.ts";
import { onCatchUpDone, onCatchUpProgress, onCatchUpTick, reviewCatchUp } from "./catch_up.ts";
import {
  onFenced,
  onHeartbeatReply,
  onLeaderTick,
  onShellStepDown,
  onTransferRequest,
} from "./leader.ts";
import { onMysqlSample } from "./relay.ts";
import { decidePendingVote, onPreVote, onVoteRequest } from "./vote.ts";

export function initialState(options: RaftOptions): RaftState {
  return stoppedState(options.self, options.seed);
}

export function metaOf(s: RaftState): PersistedMeta {
  return {
    viewId: s.term,
    votedFor: s.votedFor,
    epochId: s.epoch,
    peers: s.peers,
    idlePeers: s.idlePeers,
    mode: s.mode,
    modeReason: s.modeReason,
    dataTerm: s.dataTerm,
    source: s.source,
    relayLogLost: s.relayLogLost,
    mysqldRun: s.mysqldRun,
  };
}

export function step(options: RaftOptions, state: RaftState, event: RaftEvent): Transition {
  const c = new Ctx(options, state, event.now);
  if (state.role === "STOPPED" && event.type !== "start") {
    if (event.type === "admin") c.admin = { ok: false, reason: "the election is stopped" };
    return finish(c, state);
  }
  dispatch(c, event);
  return finish(c, state);
}

function finish(c: Ctx, before: RaftState): Transition {
  const state: RaftState = c.s;
  const meta = metaOf(state);
  const changed = before.role === "STOPPED" ? state.role !== "STOPPED" : false;
  const persist = changed || !sameMeta(meta, metaOf(before)) ? meta : null;
  return { state, persist, effects: c.effects, notes: c.notes, admin: c.admin };
}

function dispatch(c: Ctx, event: RaftEvent): void {
  switch (event.type) {
    case "start":
      return start(c, event.meta);
    case "stop":
      return stop(c);
    case "tick":
      return onTick(c);
    case "message":
      return onMessage(c, event.message);
    case "mysql":
      c.s.mysql = event.observation;
      onMysqlSample(c, event.observation);
      onReplicationRunning(c, event.observation);
      if (c.s.role === "LEADER" && !event.observation.alive) onLeaderTick(c);
      // mysqld always starts with --skip-slave-start: a server that went away replicates again
      // only once it is pointed at the leader anew (the next heartbeat does it).
      if (!event.observation.alive) c.s.replicatingFrom = null;
      // A restarted mysqld may have truncated a tail written since the promote (vote.ts).
      if (!event.observation.alive || event.observation.restarted) c.s.promotedData = null;
      if (event.observation.diverged && (c.s.role === "FOLLOWER" || c.s.role === "IDLE")) {
        return c.becomePassive(
          "INVALID",
          `leader ${c.s.replicatingFrom ?? c.s.leader} refused my position ` +
            `${event.observation.position}: our histories diverged (error 1236); rebuild me`,
        );
      }
      return verifyDataTerm(c);
    case "replicationFrozen":
      c.s.mysql = {
        ...c.s.mysql,
        ioRunning: false,
        position: event.position ?? c.s.mysql.position,
      };
      verifyDataTerm(c);
      return routeFrozen(c, event);
    case "changeMasterFailed":
      return onChangeMasterFailed(c, event.leader, event.error);
    case "catchUpDone":
      return onCatchUpDone(c, event.ok, event.error, event.term);
    case "catchUpProgress":
      return onCatchUpProgress(c, event);
    case "fenced":
      return onFenced(c, event);
    case "stepDown":
      return onShellStepDown(c, event.term, event.reason);
    case "admin":
      return onAdmin(c, event.command);
  }
}

function start(c: Ctx, stored: PersistedMeta | null): void {
  const s = c.s;
  const meta = stored ?? emptyMeta(s.self, c.o.superIdle);
  s.term = meta.viewId;
  s.votedFor = meta.votedFor;
  s.epoch = meta.epochId;
  s.peers = meta.peers.length > 0 || c.o.superIdle ? [...meta.peers] : [s.self];
  s.idlePeers = [...meta.idlePeers];
  s.mode = meta.mode;
  s.modeReason = meta.modeReason;
  s.dataTerm = meta.dataTerm;
  s.source = meta.source;
  s.relayLogLost = meta.relayLogLost ?? null;
  s.mysqldRun = meta.mysqldRun ?? null;
  s.role = "FOLLOWER";
  s.leader = null;
  s.leaderContactAt = null;
  s.votesHeldUntil = c.now + c.o.electionTimeoutMs;
  s.campaignPenaltyUntil = 0;
  // Whatever the last run left behind (writable MySQL, the VIP), it is undone before anything.
  c.effect({
    kind: "runLeaderStop",
    term: s.term,
    reason: "starting: release the VIP a previous run held",
  });
  c.effect({ kind: "fence", reason: "starting: read-only and no client sessions until elected" });
  if (c.o.superIdle || s.mode === "idle") {
    c.becomePassive("IDLE", c.o.superIdle ? "super-idle" : `disabled before restart`);
  } else if (s.mode === "learner") {
    c.becomePassive("LEARNER", s.modeReason || "learner before restart");
  } else if (s.mode === "invalid") {
    c.becomePassive("INVALID", s.modeReason || "invalid before restart");
  } else {
    c.becomeFollower(`started in term ${s.term}, epoch ${s.epoch}, ${s.peers.length} voters`);
  }
}

function stop(c: Ctx): void {
  if (c.s.role === "LEADER") c.becomeFollower("stopping");
  c.s.role = "STOPPED";
  c.s.reason = "stopped";
  c.s.campaign = null;
  c.s.pendingVote = null;
  c.note("-> STOPPED");
}

/**
 * A freeze's result goes to the flow that asked for that freeze, or to nobody: a vote, a follow
 * or a campaign superseded meanwhile must not decide on it (a follow on an older freeze could
 * start replication that a freeze still in flight then stops).
 */
function routeFrozen(c: Ctx, e: Extract<RaftEvent, { type: "replicationFrozen" }>): void {
  const s = c.s;
  const asked = (id: number | undefined) => e.freeze === undefined || e.freeze === id;
  if (s.role === "CANDIDATE") {
    if (asked(s.campaign?.freeze)) onCandidateFrozen(c, e.position, e.error);
    return;
  }
  if (s.pendingFollow !== null && asked(s.pendingFollow.freeze)) {
    return followFrozen(c, e.position);
  }
  if (s.pendingVote !== null && asked(s.pendingVote.freeze)) {
    decidePendingVote(c, e.position, e.error);
  }
}

function onTick(c: Ctx): void {
  const s = c.s;
  if (s.pendingVote !== null && c.now - s.pendingVote.since > c.freezeWindowMs()) {
    decidePendingVote(c, null, `no position reported within ${c.freezeWindowMs()} ms`);
  }
  if (s.pendingFollow !== null && c.now - s.pendingFollow.since > c.freezeWindowMs()) {
    s.pendingFollow = null; // the next heartbeat asks again
  }
  if (s.role === "LEADER") {
    onLeaderTick(c);
    return onCatchUpTick(c);
  }
  if (s.campaign !== null && c.now >= s.campaign.deadline) return onCampaignTimeout(c);
  freezeForQuietLeader(c);
  // A vote waiting for its freeze is not dropped for a campaign of my own (it would win sooner).
  const deciding = s.pendingVote !== null;
  if (s.role === "FOLLOWER" && s.campaign === null && !deciding && c.now >= s.electionDeadline) {
    onElectionTimeout(c);
  }
}

function onMessage(c: Ctx, m: Message): void {
  if (m.to !== c.s.self) return;
  switch (m.kind) {
    case "heartbeat":
      return onHeartbeat(c, m);
    case "heartbeatReply":
      onHeartbeatReply(c, m);
      return reviewCatchUp(c);
    case "preVote":
      return onPreVote(c, m);
    case "preVoteReply":
      return onPreVoteReply(c, m);
    case "vote":
      return onVoteRequest(c, m);
    case "voteReply":
      return onVoteReply(c, m);
    case "transfer":
      return onTransferRequest(c, m);
    case "leaseReleased":
      return onLeaseReleased(c, m);
    case "ping":
      c.send(
        {
          kind: "pingReply",
          from: c.s.self,
          to: m.from,
          term: c.s.term,
          role: c.s.role,
          leader: c.s.leader,
          epoch: c.s.epoch,
        },
        `ping reply to ${m.from}`,
      );
      return;
    case "pingReply":
      return;
  }
}
