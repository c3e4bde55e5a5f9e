/**
 * Faults of a host's mysqld, its disk, its clock and the replication stream, beside the
 * network's and the agents' in nemesis.ts: a paused (SIGSTOPped) mysqld, an agent cut off from
 * its own mysqld, slow fences, a statement that holds the event loop's session, wall-clock
 * jumps, a replication link alone cut, slowed or reconnected, a full disk under peers.json, and
 * power loss (what `sync_binlog` / `innodb_flush_log_at_trx_commit` did not make durable is gone).
 */
import type { Durability } from "./mysql_model.ts";
import type { Rng } from "./prng.ts";
import type { SimNode, World } from "./world.ts";

/** The counted faults of this file (World.count), each printed by `deno task sim`. */
export type NewFault =
  | "mysqld paused"
  | "mysqld unreachable"
  | "slow fence"
  | "blocked statement"
  | "wall clock jump"
  | "replication cut"
  | "replication slow"
  | "replication reconnect"
  | "disk full"
  | "power loss"
  | "unsynced tail lost";

export const NEW_FAULTS: readonly NewFault[] = [
  "mysqld paused",
  "mysqld unreachable",
  "slow fence",
  "blocked statement",
  "wall clock jump",
  "replication cut",
  "replication slow",
  "replication reconnect",
  "disk full",
  "power loss",
  "unsynced tail lost",
];

/** What the nemesis draws (nemesis.ts adds these to its own). */
export const HOST_FAULTS = [
  "pauseMysqld",
  "unreachableMysqld",
  "slowFence",
  "blockStatement",
  "wallJump",
  "replicationLink",
  "diskFull",
  "powerLoss",
] as const;
export type HostFault = typeof HOST_FAULTS[number];

/**
 * What slave-sysvars set: half the hosts fully durable (1/1), the others one of the looser
 * settings DBAs use on replicas (xenon's sample config has sync_binlog=1000 and
 * innodb_flush_log_at_trx_commit=2 there). master-sysvars set 1/1, as the doctor requires,
 * and the promote raises the flush to 3 (src/mysql/commit_durability.ts).
 */
export function seededDurability(rng: Rng): Durability {
  if (rng.chance(0.5)) return { syncBinlog: 1, flushAtCommit: 1 };
  return rng.pick<Durability>([
    { syncBinlog: 0, flushAtCommit: 1 },
    { syncBinlog: 0, flushAtCommit: 2 },
    { syncBinlog: 1, flushAtCommit: 2 },
    { syncBinlog: 0, flushAtCommit: 0 },
  ]);
}

/** Applies one host fault to a victim the nemesis chose (`victim` prefers the leader). */
export function applyHostFault(
  w: World,
  rng: Rng,
  fault: HostFault,
  victim: (filter: (n: SimNode) => boolean) => SimNode | undefined,
): void {
  const e = w.nodes[0].options.electionTimeoutMs;
  switch (fault) {
    case "pauseMysqld": {
      const n = victim((x) => x.mysql.alive && !x.mysql.paused);
      if (n === undefined) return;
      const ms = rng.between(200, 4 * e);
      w.count("mysqld paused");
      w.pauseMysqld(n);
      w.log(`  mysqld of ${n.id} paused (SIGSTOP) for ${Math.round(ms)} ms`);
      return w.at(ms, `mysqld of ${n.id} continues`, () => {
        if (n.mysql.paused) w.resumeMysqld(n);
      });
    }
    case "unreachableMysqld": {
      const n = victim((x) => x.agent === "running" && !x.armed.mysqlUnreachable);
      if (n === undefined) return;
      const ms = rng.between(500, 5 * e);
      w.count("mysqld unreachable");
      n.armed.mysqlUnreachable = true;
      w.log(`  the agent of ${n.id} cannot reach its mysqld for ${Math.round(ms)} ms`);
      return w.at(ms, `${n.id} reaches its mysqld again`, () => {
        n.armed.mysqlUnreachable = false;
      });
    }
    case "slowFence": {
      const n = victim((x) => x.agent === "running");
      if (n === undefined) return;
      n.armed.slowFenceMs = rng.between(0.3, 2.5) * n.options.fenceBudgetMs;
      return w.log(`  the next fence on ${n.id} takes ${Math.round(n.armed.slowFenceMs)} ms`);
    }
    case "blockStatement": {
      const n = victim((x) => x.agent === "running");
      if (n === undefined) return;
      n.armed.blockNextMs = rng.between(500, 8000);
      return w.log(
        `  the next election statement on ${n.id} hangs ${Math.round(n.armed.blockNextMs)} ms`,
      );
    }
    case "wallJump": {
      const n = victim(() => true)!;
      const jump = (rng.chance(0.5) ? -1 : 1) * rng.between(1000, 3_600_000);
      n.armed.wallJumpMs += jump;
      w.count("wall clock jump");
      return w.log(`  the wall clock of ${n.id} jumps ${Math.round(jump / 1000)} s`);
    }
    case "replicationLink":
      return replicationLink(w, rng, e);
    case "diskFull": {
      const n = victim((x) => x.agent === "running");
      if (n === undefined) return;
      n.armed.diskFullUntil = w.now + rng.between(200, 10_000);
      return w.log(`  the disk under ${n.id}'s peers.json is full`);
    }
    case "powerLoss": {
      const n = victim((x) => x.mysql.alive);
      if (n === undefined) return;
      w.count("power loss");
      w.crashAgent(n);
      const lost = n.mysql.losePower();
      w.resumeMysqld(n);
      if (lost > 0) w.count("unsynced tail lost");
      const d = n.mysql.durability;
      return w.log(
        `  power loss on ${n.id} (sync_binlog=${d.syncBinlog}, ` +
          `innodb_flush_log_at_trx_commit=${d.flushAtCommit}): ${lost} unsynced transactions lost`,
      );
    }
  }
}

/** The replication stream of one replica alone: cut for a while, slowed, or reconnected. */
function replicationLink(w: World, rng: Rng, e: number): void {
  const replicas = w.nodes.filter((x) => x.mysql.master !== null);
  if (replicas.length === 0) return;
  const r = rng.pick(replicas);
  const source = r.mysql.master!;
  const shape = rng.pick(["cut", "slow", "reconnect"] as const);
  const ms = shape === "reconnect" ? rng.between(20, 300) : rng.between(200, 4 * e);
  if (shape === "slow") w.net.slowReplication(r.id, source, rng.int(2, 40));
  else w.net.cutReplication(r.id, source);
  w.count(`replication ${shape}`);
  w.log(`  replication ${r.id} <- ${source}: ${shape} for ${Math.round(ms)} ms`);
  w.at(ms, `replication ${r.id} <- ${source} restored`, () => {
    w.net.restoreReplication(r.id, source);
  });
}
