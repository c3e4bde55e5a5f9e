/**
 * Carrying out the election core's effects against the local MySQL, the peers and the VIP
 * commands. Each effect is logged with the core's reason. MySQL effects are awaited (the next
 * effect may depend on them: a fence completes before any later message leaves); sends are
 * fire-and-forget with the RPC timeout; catch-up and replication freezes run on connections of
 * their own and report back as events, so the loop is never held for the relay log or for an IO
 * thread that is slow to stop. A failed CHANGE MASTER is reported (the core tries again). A fence
 * and the leader-stop-command after it report their outcome (the loop turns it into a `fenced`
 * event).
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import { RAFT_MESSAGE_METHOD, type RaftEnvelope } from "../model/mod.ts";
import type {
  LeaderCommandOutcome,
  LeaderCommandRunner,
  MysqlSession,
  PeerTransport,
} from "../ports/mod.ts";
import type { Effect, Message, RaftEvent, RaftOptions } from "../raft/mod.ts";
import { fenceLocal, type FenceOutcome, type LocalFenceDeps } from "./local_fence.ts";
import type { PeerAddresses } from "./peer_addresses.ts";

/** A core event before the loop stamps it with the time it is processed. */
export type EventInput = RaftEvent extends infer E ? E extends { now: number } ? Omit<E, "now">
  : never
  : never;

export interface EffectDeps extends LocalFenceDeps {
  config: XenonConfig;
  options: RaftOptions;
  /** The election's own session (the fence has one of its own: `fenceMysql`). */
  mysql: MysqlSession;
  /** Threads of our other connections, spared by a fence. */
  ownThreads(): number[];
  /** Where freezeReplication effects go: off the loop, in order (freeze_lane.ts). */
  freezes: { ask(id: number): void };
  rpc: PeerTransport;
  peers: PeerAddresses;
  leaderCommands: LeaderCommandRunner;
  /** The local monotonic clock (ms), the one the core's times are on. */
  now(): number;
  /** Feeds a result back into the event loop (catch-up done, replication frozen). */
  enqueue(event: EventInput): void;
  /** The core still waits for the catch-up of `term` (else its wait ends early). */
  catchingUp(term: number): boolean;
  /** Right before the statement that makes MySQL writable (the watchdog guards from then on). */
  onWritable(): void;
  /** Called after a promote succeeded (for the switchover's write-block measurement). */
  onPromoted(): void;
}

/** What a fence or leader-stop effect leaves for the loop to report. */
export type EffectOutcome =
  | { fence: FenceOutcome }
  | { leaderStop: Promise<LeaderCommandOutcome> }
  | { leaderStart: Promise<LeaderCommandOutcome>; term: number }
  | undefined;

const logger = () => log("node");

/** Runs one effect; never throws (failures are logged and, where the core waits, reported). */
export async function runEffect(d: EffectDeps, e: Effect): Promise<EffectOutcome> {
  if (e.kind !== "send") logger().info`effect ${e.kind}: ${e.reason}`;
  try {
    return await dispatch(d, e);
  } catch (error) {
    logger().error`effect ${e.kind} failed: ${oneLine(error)} (${e.reason})`;
    if (e.kind === "catchUp") {
      d.enqueue({ type: "catchUpDone", ok: false, error: oneLine(error), term: e.term });
    }
    if (e.kind === "changeMaster") {
      d.enqueue({ type: "changeMasterFailed", leader: e.to, error: oneLine(error) });
    }
    if (e.kind === "promote" || e.kind === "runLeaderStart") {
      stepDown(d, e, `${e.kind} failed: ${oneLine(error)}`);
    }
    if (e.kind !== "send") await d.mysql.reset();
  }
}

async function dispatch(d: EffectDeps, e: Effect): Promise<EffectOutcome> {
  switch (e.kind) {
    case "send":
      if (e.validUntil === undefined || d.now() < e.validUntil) send(d, e.message);
      return;
    case "setReadOnly": {
      const { exempt } = await d.mysql.setReadOnly(true);
      if (exempt.length > 0) {
        logger().warn`read_only does not stop ${exempt.join(", ")} (READ ONLY ADMIN)`;
      }
      if (d.config.mysql.slaveSysvars.trim() !== "") {
        await d.mysql.applySysvars(d.config.mysql.slaveSysvars);
      }
      return;
    }
    case "fence":
      return { fence: await fenceLocal(d, loopFenceSpares(d)) };
    case "freezeReplication":
      d.freezes.ask(e.id);
      return;
    case "changeMaster": {
      const target = d.peers.get(e.to);
      if (target === undefined) throw new Error(`no MySQL address known for ${e.to} yet`);
      await d.mysql.setReadOnly(true);
      await d.mysql.changeMaster({
        host: target.host,
        port: target.port,
        user: d.config.replication.user,
        password: d.config.replication.passwd,
        semiSyncAck: e.semiSyncAck,
      });
      if (d.config.mysql.slaveSysvars.trim() !== "") {
        await d.mysql.applySysvars(d.config.mysql.slaveSysvars);
      }
      logger().info`replicating from ${target.host}:${target.port} (leader ${e.to})`;
      return;
    }
    case "catchUp":
      if (d.options.unsafeSkipCatchUp) {
        return void d.enqueue({ type: "catchUpDone", ok: true, term: e.term });
      }
      startCatchUp(d, e.deadline, e.term);
      return;
    case "promote":
      if (!expired(d, e, "promote")) await promote(d, e);
      return;
    case "runLeaderStart": {
      if (expired(d, e, "leader-start-command")) return;
      // Serialized inside LeaderCommands; not awaited so a slow VIP script never holds the loop.
      // The lease is checked again when the command is about to run, after earlier runs.
      const started = d.leaderCommands.run(
        "start",
        { ...commandContext(d, e), handedOverBy: e.handedOverBy },
        () => {
          const late = lateBy(d, e);
          if (late === null) return null;
          const why = `${Math.round(late)} ms after the lease it relied on`;
          stepDown(d, e, `leader-start-command skipped: ${why}`);
          return why;
        },
      );
      return { leaderStart: started, term: e.term };
    }
    case "runLeaderStop":
      // Not awaited by the loop either; a lease release waits for it (see node.ts).
      return { leaderStop: d.leaderCommands.run("stop", commandContext(d, e)) };
  }
}

/** Agent sessions a fence from the loop spares: the election's own is idle while it fences. */
export function loopFenceSpares(d: Pick<EffectDeps, "ownThreads" | "mysql">): number[] {
  const own = d.mysql.threadId;
  return own === null ? d.ownThreads() : [...d.ownThreads(), own];
}

function commandContext(d: EffectDeps, e: { reason: string; term: number }) {
  return { reason: e.reason, endpoint: d.options.self, term: e.term };
}

/** How late, in ms, `e` is for the lease it was decided under; null while it still holds. */
function lateBy(d: EffectDeps, e: { validUntil: number }): number | null {
  const late = d.now() - e.validUntil;
  return late >= 0 ? late : null;
}

/**
 * A promote or leader-start reached after the lease it was decided under (the agent was paused or
 * slow) is skipped, and the core is told to step down: acks queued meanwhile may renew its lease,
 * and it must not lead on over a read-only MySQL or without its VIP.
 */
function expired(d: EffectDeps, e: { validUntil: number; term: number }, what: string): boolean {
  const late = lateBy(d, e);
  if (late === null) return false;
  const why = `skipped ${what}: reached ${Math.round(late)} ms after the lease it relied on`;
  logger().warn`${why}`;
  stepDown(d, e, why);
  return true;
}

/** Tells the core that MySQL stays (or was made) read-only outside its decisions. */
function stepDown(d: EffectDeps, e: { term: number }, reason: string): void {
  d.enqueue({ type: "stepDown", term: e.term, reason });
}

function send(d: EffectDeps, message: Message): void {
  const envelope: RaftEnvelope<Message> = {
    message,
    mysql: { host: d.config.mysql.replHost, port: d.config.mysql.port },
  };
  d.rpc.call(message.to, RAFT_MESSAGE_METHOD, envelope, { timeoutMs: d.options.requestTimeoutMs })
    .then(
      () => d.peers.reached(message.to),
      (error) => d.peers.unreachable(message.to, oneLine(error)),
    );
}

/**
 * Applies the relay log on a connection of its own, telling the core how far the SQL thread got
 * every half heartbeat (`catchUpProgress`: the core decides whether to wait on), then reports
 * `catchUpDone`. It ends early once the core no longer waits for it.
 */
function startCatchUp(d: EffectDeps, deadline: number, term: number): void {
  const deadlineMs = Math.max(100, deadline - d.now());
  (async () => {
    const r = await d.mysql.catchUp({
      deadlineMs,
      reportEveryMs: Math.max(100, d.options.heartbeatMs / 2),
      onProgress: (p) => {
        if (!d.catchingUp(term)) return false;
        d.enqueue({ type: "catchUpProgress", term, ...p });
        return true;
      },
    });
    if (r.reached) logger().info`relay log applied up to ${r.position || "-"} in ${r.waitedMs} ms`;
    d.enqueue({ type: "catchUpDone", ok: r.reached, error: r.reason, term });
  })().catch((error) => {
    d.enqueue({ type: "catchUpDone", ok: false, error: oneLine(error), term });
  });
}

/**
 * Writable leader: stop replicating, semi-sync for the voters (AFTER_SYNC, no timeout to fall
 * back on), master sysvars and commits durable in InnoDB, and only then read_only OFF, if the lease still holds right before
 * that statement (the steps before it may have been slow or paused); a lease that ended while
 * the statement ran makes MySQL read-only again at once.
 */
async function promote(
  d: EffectDeps,
  e: { replicas: readonly string[]; voters: number; validUntil: number; term: number },
): Promise<void> {
  const db = d.mysql;
  if (await db.isReplica()) await db.resetReplica();
  const allowed = e.replicas.map((r) => d.peers.get(r)?.host).filter((h) => h !== undefined);
  const cut = await db.killForeignReplicas(allowed);
  if (cut.length > 0) logger().warn`cut replication to non-members: ${cut.join(", ")}`;
  const semi = await db.setLeaderSemiSync(e.voters);
  if (semi.shortfall) logger().warn`${semi.shortfall}`;
  // Followers may have connected while semi-sync was still off here: MariaDB decides per
  // connection, so they would replicate without acknowledging and commits would wait forever.
  if (semi.applied > 0) await db.killReplicaConnections();
  if (d.config.mysql.masterSysvars.trim() !== "") {
    await db.applySysvars(d.config.mysql.masterSysvars);
  }
  const raised = d.options.unsafeSkipCommitFlush ? null : await db.keepReturnedCommits();
  if (raised !== null) logger().info`${raised}`;
  if (!d.options.unsafeSkipPromoteLeaseCheck && expired(d, e, "read_only OFF")) return;
  d.onWritable();
  await db.setReadOnly(false);
  const late = lateBy(d, e);
  if (late !== null) {
    await db.setReadOnly(true);
    const why = `read-only again: the lease ended ${Math.round(late)} ms before read_only OFF ` +
      `returned`;
    logger().warn`${why}`;
    stepDown(d, e, why);
    return;
  }
  logger().info`writable: semi-sync waits for ${semi.applied} of ${e.voters - 1} replicas`;
  d.onPromoted();
}
