/**
 * One life of the xenon agent on a simulated host: the daemon's own event loop and effect
 * executor (XenonNode) and its MySQL poller, wired to simulated ports as the daemon wires the
 * real ones. Everything of the process runs through `run`: nothing once it died, nothing while
 * it is paused (held back until it resumes, in order).
 */
import { defaultConfig, type XenonConfig } from "../config/mod.ts";
import { MysqlPoller } from "../node/poller.ts";
import { XenonNode } from "../node/node.ts";
import type { Effect } from "../raft/mod.ts";
import { type Durability, FULLY_DURABLE, type MysqlModel } from "./mysql_model.ts";
import { SimClock } from "./ports/clock.ts";
import { SimLeaderCommands } from "./ports/commands.ts";
import { SimMysqlSession } from "./ports/mysql_session.ts";
import { SimMysqld } from "./ports/mysqld.ts";
import { SimStore } from "./ports/store.ts";
import { SimTransport } from "./ports/transport.ts";
import type { SimNode } from "./sim_node.ts";
import type { World } from "./world.ts";

export type ProcessStatus = "running" | "paused" | "dead";

/** systemd's Restart=on-failure with RestartSec: when a stopped agent is started again. */
const RESTART_SEC: [number, number] = [1000, 5000];

/** Effects after which the daemon samples MySQL at once (daemon.ts, SAMPLE_AFTER). */
const SAMPLE_AFTER = new Set<Effect["kind"]>(["promote", "fence", "setReadOnly", "changeMaster"]);

export class AgentProcess {
  status: ProcessStatus = "running";
  readonly node: XenonNode<MysqlModel>;
  readonly poller: MysqlPoller;
  #held: (() => void)[] = [];

  constructor(private readonly w: World, private readonly n: SimNode) {
    const clock = new SimClock(w, n, this);
    const config = configOf(n);
    const pollLink = new SimMysqlSession(w, n, this);
    const node = new XenonNode<MysqlModel>({
      config,
      options: n.options,
      clock,
      store: new SimStore(w, n),
      mysql: new SimMysqlSession(w, n, this, "election"),
      otherThreads: () => [pollLink.threadId].filter((t): t is number => t !== null),
      rpc: new SimTransport(w, n, this),
      leaderCommands: new SimLeaderCommands(w, n),
      mysqld: new SimMysqld(w, n, this),
      sampleMysql: () => this.poller.pollOnce(),
      onFatal: (reason) => {
        w.log(`${n.id} agent stops: ${reason}`);
        w.crashAgent(n);
        w.later(w.rng.between(...RESTART_SEC), () => {
          if (n.proc === this) w.startAgent(n);
        });
      },
      observers: [{
        transition: ({ before, after, effects, notes }) => {
          w.activity++;
          for (const note of notes ?? []) w.log(`${n.id} ${note}`);
          for (const e of effects) if (e.kind !== "send") w.log(`${n.id} ${e.kind}: ${e.reason}`);
          if (before.role !== "LEADER" && after.role === "LEADER") {
            w.elections++;
            w.inv.becameLeader(n, before);
          }
        },
        effectDone: (effect) => {
          w.activity++;
          if (SAMPLE_AFTER.has(effect.kind)) void this.poller.pollOnce().catch(() => {});
        },
      }],
    });
    this.node = node;
    this.poller = new MysqlPoller({
      clock,
      link: pollLink,
      keepOpen: [node.fenceMysql],
      intervalMs: Math.max(100, config.mysql.pingTimeout),
      admitDefeatCount: config.mysql.admitDefeatPingCount,
      comparator: n.options.comparator,
      // The daemon starts a mysqld it finds stopped: its first sample is a restart then too.
      startedMysqld: !n.mysql.alive,
      // What /proc tells the daemon: which start of this host's mysqld is up.
      run: () => n.mysql.alive ? { boot: "host", start: String(n.mysqlBoots) } : null,
      report: (observation, readOnly) => {
        // Supervised mysqld with no process left: not a partition, nothing can commit there.
        const stopped = !observation.alive && !n.mysql.alive;
        node.observe(stopped ? { ...observation, stopped } : observation, readOnly);
      },
    });
  }

  start(): void {
    // The daemon starts the mysqld it supervises when it finds none (a hard stop's restart may
    // have died with the agent before it), before the election starts.
    if (!this.n.mysql.alive) this.w.restartMysql(this.n, true);
    void this.node.start(this.n.disk);
    this.poller.start();
  }

  /** Runs `job` as part of this process: now, once resumed, or never (it died). */
  run(job: () => void): void {
    this.w.activity++;
    if (this.status === "running") job();
    else if (this.status === "paused") this.#held.push(job);
  }

  pause(): void {
    if (this.status === "running") this.status = "paused";
  }

  /** Runs again: what was held back happens now, in the order it arrived. */
  resume(): void {
    if (this.status !== "paused") return;
    this.status = "running";
    const held = this.#held;
    this.#held = [];
    for (const job of held) this.w.later(0, () => this.run(job));
  }

  kill(): void {
    this.status = "dead";
    this.#held = [];
  }
}

function configOf(n: SimNode): XenonConfig {
  const config = defaultConfig();
  return {
    ...config,
    server: { ...config.server, endpoint: n.id },
    mysql: {
      ...config.mysql,
      replHost: n.host,
      port: 3306,
      masterSysvars: sysvarProfile(FULLY_DURABLE),
      slaveSysvars: sysvarProfile(n.mysql.replicaDurability),
    },
  };
}

function sysvarProfile(d: Durability): string {
  return `sync_binlog=${d.syncBinlog};innodb_flush_log_at_trx_commit=${d.flushAtCommit}`;
}
