/** Operator commands (`xenoncli raft ...`, `xenoncli cluster ...`): accepted or refused, and why. */
import type { Ctx } from "./context.ts";
import type { AdminCommand } from "./events.ts";
import { campaignRefusal, startVote } from "./campaign.ts";
import { broadcastHeartbeat, repromote } from "./leader.ts";
import { semiSyncWaitCount } from "../lib/quorum.ts";
import { forgetLostRelayLog } from "./relay.ts";

export function onAdmin(c: Ctx, cmd: AdminCommand): void {
  const s = c.s;
  const ok = (reason: string) => (c.admin = { ok: true, reason });
  const refuse = (reason: string) => (c.admin = { ok: false, reason });
  if (s.role === "STOPPED") return void refuse("the election is stopped");
  switch (cmd.kind) {
    case "enable": {
      if (s.role === "INVALID") {
        return void refuse(
          `INVALID: ${s.modeReason}; rebuild it: xenon mysql rebuildme (it rejoins as FOLLOWER)`,
        );
      }
      if (c.o.superIdle || s.idlePeers.includes(s.self)) {
        return void refuse("this node is an idle member (super-idle or idle peer): it stays IDLE");
      }
      if (s.role !== "IDLE" && s.role !== "LEARNER") return void ok(`already ${s.role}`);
      // A LEARNER was rebuilt: whatever its old relay log held, its data is new and complete.
      if (s.role === "LEARNER") forgetLostRelayLog(c);
      s.mode = "normal";
      s.modeReason = "";
      s.replicatingFrom = null;
      c.becomeFollower("enabled by the operator");
      return void ok("enabled: FOLLOWER");
    }
    case "disable":
      if (s.role === "IDLE") return void ok("already IDLE");
      c.becomePassive("IDLE", "disabled by the operator (raft disable)");
      return void ok("disabled: IDLE (never votes, never campaigns)");
    case "setLearner":
      if (s.role === "LEADER") {
        return void refuse(
          "this node is the leader: run `raft trytoleader` on another node or `raft disable` first",
        );
      }
      c.becomePassive("LEARNER", "set to LEARNER by the operator (rebuild)");
      return void ok("LEARNER: read-only, does not replicate or vote");
    case "tryToLead":
      return tryToLead(c, ok, refuse);
    case "addPeer":
    case "removePeer":
    case "addIdlePeer":
    case "removeIdlePeer":
      return changeMembership(c, cmd, ok, refuse);
    case "purgeBinlog":
      s.purgeBinlog = cmd.enabled;
      return void ok(`binlog purge ${cmd.enabled ? "enabled" : "disabled"}`);
    case "checkSemiSync":
      s.checkSemiSync = cmd.enabled;
      return void ok(`semi-sync check ${cmd.enabled ? "enabled" : "disabled"}`);
  }
}

type Answer = (reason: string) => unknown;

function tryToLead(c: Ctx, ok: Answer, refuse: Answer): void {
  const s = c.s;
  if (s.role === "LEADER") return void ok("already the leader");
  if (s.role !== "FOLLOWER") return void refuse(`a ${s.role} cannot lead; enable it first`);
  const refusal = campaignRefusal(c, true);
  if (refusal !== null) return void refuse(`cannot lead: ${refusal}`);
  if (c.inLease() && s.leader !== null) {
    c.send(
      { kind: "transfer", from: s.self, to: s.leader, term: s.term },
      "raft trytoleader: asking the leader to fence itself and hand over",
    );
    return void ok(`asked leader ${s.leader} to hand over`);
  }
  // A vote for myself is a vote: the start hold (state.ts) applies to it as to any other. A
  // single voter's only possible leader was its own previous run, which the start fenced.
  if (c.inStartHold() && c.voters().length > 1) {
    const ago = Math.round(c.now - (s.votesHeldUntil - c.o.electionTimeoutMs));
    const left = Math.ceil(s.votesHeldUntil - c.now);
    return void refuse(
      `restarted ${ago} ms ago: a leader may still hold a lease on my last ack; retry in ${left} ms`,
    );
  }
  startVote(c, "raft trytoleader", false);
  ok(`campaigning for term ${s.term}`);
}

function changeMembership(
  c: Ctx,
  cmd: Extract<AdminCommand, { endpoint: string }>,
  ok: Answer,
  refuse: Answer,
): void {
  const s = c.s;
  const x = cmd.endpoint;
  // Without a live leader (bootstrap, or a cluster that lost its leader) a node may change its
  // own view; with one, only the leader may, so that epochs move forward from one place.
  if (s.role !== "LEADER" && c.inLease()) {
    return void refuse(`membership changes run on the leader: ${s.leader}`);
  }
  const idle = cmd.kind === "addIdlePeer" || cmd.kind === "removeIdlePeer";
  const list = idle ? s.idlePeers : s.peers;
  const adding = cmd.kind === "addPeer" || cmd.kind === "addIdlePeer";
  const changes = adding ? !list.includes(x) : list.includes(x);
  const unsettled = idle || !changes ? null : unsettledVoters(c);
  if (unsettled !== null) return void refuse(unsettled);
  if (adding) {
    if (s.peers.includes(x) || s.idlePeers.includes(x)) return void ok(`${x} is already a member`);
    // Writes were acknowledged by a majority of the current voters; a voter added without a
    // leader could form a new majority with nodes that lack them and elect one of them.
    if (!idle && s.role !== "LEADER" && s.dataTerm > 0) {
      return void refuse(
        `cannot add voter ${x} without a leader: a majority with it could lack acknowledged ` +
          `writes; get a leader first (xenon raft explain says why there is none), then add ` +
          `it through the leader`,
      );
    }
    const refusal = idle || cmd.kind !== "addPeer" || cmd.force ? null : beyondSemiSync(c, x);
    if (refusal !== null) return void refuse(refusal);
  } else {
    if (x === s.self) return void refuse("a node cannot remove itself; run it on another node");
    if (!list.includes(x)) return void ok(`${x} is not a${idle ? "n idle" : ""} member`);
    // Without a leader the other side of a partition may still have one: removing its members
    // here shrinks the majority this side needs, so a minority could elect itself beside it.
    if (!idle && s.role !== "LEADER" && !(cmd.kind === "removePeer" && cmd.force)) {
      return void refuse(
        `cannot remove voter ${x} without a leader: if a leader still runs beyond a partition, ` +
          `a minority here could elect a second one; get a leader first, or, only if ${x} and ` +
          `the old leader are down for good, force it: xenon cluster remove --force ${x}`,
      );
    }
  }
  const next = adding ? [...list, x] : list.filter((p) => p !== x);
  if (idle) s.idlePeers = next;
  else s.peers = next;
  const lead = s.leadership;
  if (!idle && lead !== null) {
    const removing = lead.removing.filter((p) => p !== x);
    const added = (lead.adding?.voters ?? []).filter((p) => p !== x);
    s.leadership = {
      ...lead,
      removing: adding ? removing : [...removing, x],
      votersChangedAt: c.now,
      adding: adding ? { voters: [...added, x], since: c.now } : lead.adding && {
        ...lead.adding,
        voters: added,
      },
    };
  }
  s.epoch += 1;
  const what = `${adding ? "added" : "removed"} ${idle ? "idle peer" : "voter"} ${x}`;
  c.note(`membership epoch ${s.epoch}: ${what}; ${s.peers.length} voters`);
  if (s.role === "LEADER") {
    repromote(c, `membership epoch ${s.epoch}`);
    broadcastHeartbeat(c);
  }
  ok(`${what} (epoch ${s.epoch})`);
}

/** How the refusal of a voter change before the last one settled begins (the shell waits). */
export const ONE_VOTER_CHANGE = "one voter change at a time";

/**
 * Why the leader's last voter change is not settled yet, or null. One voter change at a time:
 * every majority of the voters before a single change meets every majority after it, so the
 * leader's lease (counted on the new voters) keeps another leader from being elected by voters
 * that still know only the old ones. Two changes in a row lose that: after removing two of
 * five voters, two acks make a lease while the other three, still counting five, elect a second
 * leader. So the next change waits until a majority of the new voters acked the change.
 */
function unsettledVoters(c: Ctx): string | null {
  const lead = c.s.leadership;
  if (c.s.role !== "LEADER" || lead === null || lead.votersChangedAt === undefined) return null;
  const since = lead.votersChangedAt;
  // Strictly later: a heartbeat sent at the same clock reading may predate the change.
  const acked = c.voters().filter((p) => p === c.s.self || (lead.acks[p] ?? -Infinity) > since);
  if (acked.length >= c.majority()) return null;
  return `${ONE_VOTER_CHANGE}: the last one (epoch ${c.s.epoch}) is acknowledged by ` +
    `${acked.length} of ${c.voters().length} voters, ${c.majority()} needed; retry once a ` +
    `majority of the voters answers heartbeats`;
}

/**
 * Why a voter more is refused on a flavor whose semi-sync cannot wait for enough acks (K = N − M
 * replicas, lib/quorum.ts), or null. Past that limit an acknowledged write may sit on only limit + 1
 * nodes, so elections need N − limit votes (Ctx.electionQuorum): the voter adds no failure
 * tolerance, which `--force` accepts.
 */
function beyondSemiSync(c: Ctx, x: string): string | null {
  const limit = c.o.semiSyncWaitLimit;
  const voters = c.s.peers.length + 1;
  const need = semiSyncWaitCount(voters);
  if (limit === undefined || need <= limit.count) return null;
  return `cannot add voter ${x}: ${voters} voters need semi-sync to wait for ${need} replicas, ` +
    `but ${limit.why}, so elections would need ${voters - limit.count} of ${voters} votes and ` +
    `this voter would add no failure tolerance; add it as an idle member (xenon cluster ` +
    `addidle ${x}), or add it anyway: xenon cluster add --force ${x}`;
}
