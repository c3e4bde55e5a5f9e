/**
 * Carrying out the election core's effects against the local MySQL, the peers and the VIP
 * commands. Each effect is logged with the core's reason. MySQL effects are awaited (the next
 * effect may depend on them: a fence completes before any later message leaves); sends are
 * fire-and-forget with the RPC timeout; catch-up runs on its own connection and reports back as
 * an event, so the loop is never held for the relay log.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { AcksPendingError } from "../mysql/mod.ts";
import { log } from "../log/mod.ts";
import { RAFT_MESSAGE_METHOD, type RaftEnvelope } from "../model/mod.ts";
import {
  applySysvars,
  catchUp,
  changeMaster,
  fence,
  killForeignReplicas,
  killReplicaConnections,
  openMysql,
  readStatus,
  resetReplica,
  setLeaderSemiSync,
  setReadOnly,
  stopIo,
} from "../mysql/mod.ts";
import type { Effect, Message, RaftEvent, RaftOptions, RaftState } from "../raft/mod.ts";
import type { RpcClient } from "../rpc/mod.ts";
import type { LeaderCommands } from "../vip/mod.ts";
import { type LocalMysql, receivedPosition } from "./local_mysql.ts";
import type { PeerAddresses } from "./peer_addresses.ts";

/** A core event before the loop stamps it with the time it is processed. */
export type EventInput = RaftEvent extends infer E ? E extends { now: number } ? Omit<E, "now">
  : never
  : never;

export interface EffectDeps {
  config: XenonConfig;
  options: RaftOptions;
  mysql: LocalMysql;
  /** Threads of our other connections, spared by a fence. */
  ownThreads(): number[];
  rpc: RpcClient;
  peers: PeerAddresses;
  leaderCommands: LeaderCommands;
  /** SIGKILLs mysqld and restarts it read-only; false when xenon may not (monitor disabled). */
  hardStopMysqld(reason: string): Promise<boolean>;
  /** Feeds a result back into the event loop (catch-up done, replication frozen). */
  enqueue(event: EventInput): void;
  /** Called after a promote succeeded (for the switchover's write-block measurement). */
  onPromoted(): void;
  /** Called when a fence could not complete: the poller keeps enforcing read-only. */
  onFenceFailed(reason: string): void;
}

const logger = () => log("node");

/** Runs one effect; never throws (failures are logged and, where the core waits, reported). */
export async function runEffect(d: EffectDeps, e: Effect, s: RaftState): Promise<void> {
  if (e.kind !== "send") logger().info`effect ${e.kind}: ${e.reason}`;
  try {
    await dispatch(d, e, s);
  } catch (error) {
    logger().error`effect ${e.kind} failed: ${oneLine(error)} (${e.reason})`;
    if (e.kind === "fence") d.onFenceFailed(oneLine(error));
    if (e.kind === "freezeReplication") {
      d.enqueue({ type: "replicationFrozen", position: null, error: oneLine(error) });
    }
    if (e.kind === "catchUp") d.enqueue({ type: "catchUpDone", ok: false, error: oneLine(error) });
    if (e.kind !== "fence" && e.kind !== "send") await d.mysql.reset();
  }
}

async function dispatch(d: EffectDeps, e: Effect, s: RaftState): Promise<void> {
  switch (e.kind) {
    case "send":
      return send(d, e.message);
    case "setReadOnly": {
      const db = await d.mysql.get();
      const { exempt } = await setReadOnly(db, true);
      if (exempt.length > 0) {
        logger().warn`read_only does not stop ${exempt.join(", ")} (READ ONLY ADMIN)`;
      }
      if (d.config.mysql.slaveSysvars.trim() !== "") {
        await applySysvars(db, d.config.mysql.slaveSysvars);
      }
      return;
    }
    case "fence": {
      const db = await d.mysql.get();
      try {
        const r = await fence(db, {
          budgetMs: Math.max(d.options.fenceBudgetMs, 100),
          keepThreadIds: d.ownThreads(),
        });
        logger().info`fenced in ${r.elapsedMs} ms, killed ${r.killed.length} client connections`;
      } catch (error) {
        // Commits wait for acknowledgements no replica will send; only a hard stop ends them
        // without acknowledging them (src/mysql/fence.ts).
        if (!(error instanceof AcksPendingError)) throw error;
        if (!await d.hardStopMysqld(oneLine(error))) throw error;
      }
      return;
    }
    case "freezeReplication": {
      const db = await d.mysql.get();
      const before = await readStatus(db);
      if (before.replica !== null) await stopIo(db);
      const status = await readStatus(db);
      const position = receivedPosition(status, flavorOf(db), d.options.comparator);
      d.enqueue({ type: "replicationFrozen", position });
      return;
    }
    case "changeMaster": {
      const target = d.peers.get(e.to);
      if (target === undefined) throw new Error(`no MySQL address known for ${e.to} yet`);
      const db = await d.mysql.get();
      await setReadOnly(db, true);
      await changeMaster(db, {
        host: target.host,
        port: target.port,
        user: d.config.replication.user,
        password: d.config.replication.passwd,
        semiSyncAck: e.semiSyncAck,
      });
      if (d.config.mysql.slaveSysvars.trim() !== "") {
        await applySysvars(db, d.config.mysql.slaveSysvars);
      }
      logger().info`replicating from ${target.host}:${target.port} (leader ${e.to})`;
      return;
    }
    case "catchUp":
      startCatchUp(d, e.deadline);
      return;
    case "promote":
      if (expired(e)) return;
      return await promote(d, s, e.replicas);
    case "runLeaderStart":
      if (expired(e)) return;
      /* falls through */
    case "runLeaderStop": {
      const which = e.kind === "runLeaderStart" ? "start" : "stop";
      // Serialized inside LeaderCommands; not awaited so a slow VIP script never holds the loop.
      d.leaderCommands.run(which, { reason: e.reason, endpoint: s.self, term: s.term });
      return;
    }
  }
}

/**
 * A promote or leader-start reached after the lease it was decided under (the agent was paused or
 * slow) is skipped: the core has stepped down or will fence by then.
 */
function expired(e: { kind: string; validUntil: number }): boolean {
  const late = performance.now() - e.validUntil;
  if (late <= 0) return false;
  logger().warn`skipped ${e.kind}: reached ${Math.round(late)} ms after the lease it relied on`;
  return true;
}

function flavorOf(db: { flavor: { gtid: "mariadb" | "mysql" } }): "mariadb" | "mysql" {
  return db.flavor.gtid;
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

/** Applies the relay log on a connection of its own, then reports `catchUpDone`. */
function startCatchUp(d: EffectDeps, deadline: number): void {
  const deadlineMs = Math.max(100, deadline - performance.now());
  (async () => {
    await using db = await openMysql(d.mysql.options, { version: d.mysql.version });
    const r = await catchUp(db, { deadlineMs });
    if (r.reached) logger().info`relay log applied up to ${r.position || "-"} in ${r.waitedMs} ms`;
    d.enqueue({ type: "catchUpDone", ok: r.reached, error: r.reason });
  })().catch((error) => {
    d.enqueue({ type: "catchUpDone", ok: false, error: oneLine(error) });
  });
}

/**
 * Writable leader: stop replicating, semi-sync for the voters (AFTER_SYNC, no timeout to fall
 * back on), master sysvars, and only then read_only OFF.
 */
async function promote(d: EffectDeps, s: RaftState, replicas: readonly string[]): Promise<void> {
  const db = await d.mysql.get();
  const status = await readStatus(db);
  if (status.replica !== null) await resetReplica(db);
  const allowed = replicas.map((r) => d.peers.get(r)?.host).filter((h) => h !== undefined);
  const cut = await killForeignReplicas(db, allowed);
  if (cut.length > 0) logger().warn`cut replication to non-members: ${cut.join(", ")}`;
  const semi = await setLeaderSemiSync(db, { voters: s.peers.length });
  if (semi.shortfall) logger().warn`${semi.shortfall}`;
  // Followers may have connected while semi-sync was still off here: MariaDB decides per
  // connection, so they would replicate without acknowledging and commits would wait forever.
  if (semi.applied > 0) await killReplicaConnections(db, () => true);
  if (d.config.mysql.masterSysvars.trim() !== "") {
    await applySysvars(db, d.config.mysql.masterSysvars);
  }
  await setReadOnly(db, false);
  logger().info`writable: semi-sync waits for ${semi.applied} of ${s.peers.length - 1} replicas`;
  d.onPromoted();
}
