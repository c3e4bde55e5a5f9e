/**
 * What a writable leader does besides heartbeats:
 * - purge binary logs every `raft.purge-binlog-interval`, only below the oldest file any member
 *   still executes (every member must answer; `raft purge-binlog-disabled` and `raft
 *   disablepurgebinlog` turn it off);
 * - report a blocked primary: semi-sync never falls back to async, so commits waiting for acks
 *   are logged (once per episode) instead of silently continuing without them.
 * Both run in the node's maintenance lane, never in the election's loop.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine } from "../lib/errors.ts";
import { Periodic } from "../lib/periodic.ts";
import { log } from "../log/mod.ts";
import type { MysqlStatusResult } from "../model/mod.ts";
import type { Clock, LeaderSemiSyncSample, MysqlSession, PeerTransport } from "../ports/mod.ts";
import type { RaftOptions } from "../raft/mod.ts";
import type { XenonNode } from "./node.ts";

export interface LeaderDutiesDeps {
  config: XenonConfig;
  node: Pick<XenonNode, "state" | "writableLeader" | "stats" | "maintenance">;
  rpc: PeerTransport;
  options: RaftOptions;
  clock: Clock;
}

export class LeaderDuties {
  #duties: Periodic[] = [];
  #blockedSince: number | null = null;
  #lastReconnect = Number.NEGATIVE_INFINITY;
  #semiSync: LeaderSemiSyncSample | null = null;

  /**
   * The leader's semi-sync as last read (`/sync`, `/metrics`, NodeStatus); null unless this node
   * is the writable leader and has read it.
   */
  get semiSync(): LeaderSemiSyncSample | null {
    return this.#semiSync;
  }

  /** Clock reading since commits wait for acks without any arriving; null = not blocked. */
  get blockedSince(): number | null {
    return this.#blockedSince;
  }

  constructor(readonly d: LeaderDutiesDeps) {}

  /** Each duty first runs one interval from now, then an interval after each run ends. */
  start(): void {
    const every = (ms: number, job: () => Promise<unknown>) => {
      const duty = new Periodic(this.d.clock, ms, async () => {
        await job().catch((error) => log("node").warn`leader duty failed: ${oneLine(error)}`);
      });
      duty.start(ms);
      this.#duties.push(duty);
    };
    every(this.d.config.raft.purgeBinlogInterval, () => this.purge());
    every(Math.max(1000, this.d.options.heartbeatMs), () => this.checkSemiSync());
  }

  async stop(): Promise<void> {
    const duties = this.#duties;
    this.#duties = [];
    await Promise.all(duties.map((d) => d.stop()));
  }

  /** One purge round (exposed for tests); returns the file purged up to, or null. */
  async purge(): Promise<string | null> {
    const { node, config } = this.d;
    const s = node.state;
    if (!node.writableLeader || !s.purgeBinlog || config.raft.purgeBinlogDisabled) return null;
    const others = [...s.peers, ...s.idlePeers].filter((p) => p !== s.self);
    const outcomes = await this.d.rpc.callAll<MysqlStatusResult>(others, "MysqlRPC.Status", {}, {
      timeoutMs: this.d.options.requestTimeoutMs,
    });
    const files: string[] = [];
    for (const o of outcomes) {
      if (!o.ok) return null; // a member that did not answer may still need every file
      files.push(o.result.replication.relayMasterLogFile);
    }
    if (files.length === 0) return null;
    try {
      const purged = await node.maintenance((db) => db.purgeBinlogs(files));
      if (purged !== null) {
        node.stats.leaderPurgeBinlogs++;
        log("node").info`purged binary logs before ${purged} (all members are past it)`;
      }
      return purged;
    } catch (error) {
      node.stats.leaderPurgeBinlogFails++;
      throw error;
    }
  }

  /** Logs commits blocked on semi-sync acks (once per episode) and when they flow again. */
  async checkSemiSync(): Promise<void> {
    const node = this.d.node;
    if (!node.writableLeader || !node.state.checkSemiSync) {
      this.#blockedSince = null;
      this.#semiSync = null;
      return;
    }
    const { waiting, clients } = await node.maintenance(async (db) => {
      const sample = await db.readLeaderSemiSync();
      this.#semiSync = sample;
      await this.#reconnectIfAsync(db, sample.clients, sample.waiting);
      return sample;
    });
    if (waiting > 0 && this.#blockedSince === null) {
      this.#blockedSince = this.d.clock.now();
      log("node")
        .error`primary BLOCKED: ${waiting} commits wait for semi-sync acks, ${clients} replicas connected; writes resume when a replica acks (no silent async fallback)`;
    } else if (waiting === 0 && this.#blockedSince !== null) {
      const ms = Math.round(this.d.clock.now() - this.#blockedSince);
      log("node").info`primary unblocked after about ${ms} ms`;
      this.#blockedSince = null;
    }
  }

  /**
   * A replica that connected before semi-sync was on replicates without acknowledging (MariaDB
   * decides per connection): while commits wait and fewer semi-sync replicas are connected than
   * needed, the replicas are made to reconnect, at most every 5 s.
   */
  async #reconnectIfAsync(db: MysqlSession, clients: number, waiting: number): Promise<void> {
    const needed = await db.appliedWaitCount(this.d.node.state.peers.length);
    if (waiting === 0 || clients >= needed) return;
    if (this.d.clock.now() - this.#lastReconnect < 5000) return;
    this.#lastReconnect = this.d.clock.now();
    const ended = await db.killReplicaConnections();
    if (ended.length > 0) {
      log("node").warn`${clients} of ${needed} semi-sync replicas acknowledge: made ${
        ended.join(", ")
      } reconnect to negotiate semi-sync`;
    }
  }
}
