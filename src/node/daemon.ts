/**
 * `xenon serve` (and the original's `xenon -c FILE [-r ROLE]`): start mysqld through the monitor
 * (unless `mysql.monitor-disabled`), wait until MySQL works, make it read-only, create the
 * replication user if missing, start peer RPC, start the election. SIGINT/SIGTERM: a leader
 * fences and runs leader-stop-command first, then the agent exits; mysqld keeps running,
 * read-only. A SIGKILLed agent leaves mysqld as it was: the next start fences it before anything.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import { log, logLevelFromConfig, setupLogging, toStdout } from "../log/mod.ts";
import {
  familyFromConfig,
  hasInitRplRole,
  type MysqlStatus,
  shutdownFromSql,
} from "../mysql/mod.ts";
import { MysqldMonitor } from "../mysqld/mod.ts";
import { leaseArithmetic } from "../raft/mod.ts";
import {
  clientTlsOf,
  clusterKeyOf,
  replayMarkPath,
  RpcClient,
  RpcServer,
  serverTlsOf,
} from "../rpc/mod.ts";
import { FlightRecorder } from "../recorder/mod.ts";
import { LEADER_COMMAND_TIMEOUT_MS, runCommand } from "../vip/mod.ts";
import { readRebuildState } from "../backup/mod.ts";
import { FailoverObserver, RecordedLeaderCommands } from "./history.ts";
import { startHttp } from "./http_listener.ts";
import { LeaderDuties } from "./leader_duties.ts";
import { connectionOptions, LocalMysql } from "./local_mysql.ts";
import { XenonNode } from "./node.ts";
import { ensureMetaDir, PeersFile } from "./peers_file.ts";
import { MysqlPoller } from "./poller.ts";
import {
  backupSide,
  callThrough,
  rebuildOnlyReason,
  recoverRebuild,
  serveRebuildOnly,
} from "./rebuild_only.ts";
import { normalSide } from "./rebuild_side.ts";
import { localInvoke, registerServices } from "./service_registry.ts";
import { buildServices } from "./services.ts";
import { applyStartRole, parseRole } from "./start_role.ts";
import { electionOptions, refuseUnsafeConfig } from "./startup_checks.ts";
import { fenceAtStartup, prepareReplication } from "./startup_mysql.ts";
import { ApplyRate } from "./apply_rate.ts";
import { buildNodeStatus } from "./status.ts";
import { SupervisedMysqld } from "./supervised_mysqld.ts";
import { systemClock } from "./system_clock.ts";
import { waitForMysql } from "./wait_mysql.ts";

export interface DaemonOptions {
  role?: string;
  configPath: string;
  /** Resolves to stop the daemon as SIGTERM would (tests). */
  stopSignal?: Promise<void>;
  /** Longest wait for MySQL to accept connections at startup. @default 120000 */
  mysqlWaitMs?: number;
}

const KEY_FROM_PASSWORD = "peer RPC is signed with a key derived from replication.passwd, " +
  "which every replication client knows; give every node the same server.cluster-secret-file";

/** Effects after which the MySQL sample is taken again at once. */
const SAMPLE_AFTER = new Set(["promote", "fence", "setReadOnly", "changeMaster"]);

/** Resolves on the first SIGINT/SIGTERM (the rebuild-only mode's stop). */
function stopSignalOnce(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const stop = () => {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    resolve();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  return promise;
}

/**
 * Runs the daemon until SIGINT/SIGTERM (or `stopSignal`); returns the exit code.
 *
 * @throws ConfigError / XenonError (one line) when it cannot start.
 */
export async function runDaemon(config: XenonConfig, opts: DaemonOptions): Promise<number> {
  setupLogging({
    level: logLevelFromConfig(config.log.level),
    format: config.log.format,
    write: toStdout,
  });
  const logger = log("node");
  const role = parseRole(opts.role);
  await refuseUnsafeConfig(opts.configPath);
  const self = config.server.endpoint;
  const metaDir = config.raft.metaDatadir;
  await ensureMetaDir(metaDir);
  const store = new PeersFile(metaDir);
  const meta = await store.load();
  // First of all, before MySQL is waited for (a crash recovery or a hard restart takes seconds):
  // a VIP a previous run may still hold here keeps clients on this MySQL, and the new leader,
  // which sees it answer here (arping -D), waits for it. The election core asks again later.
  await runCommand("stop", config.raft.leaderStopCommand, {
    reason: "starting: release the VIP a previous run may hold, before waiting for MySQL",
    endpoint: self,
    term: meta?.viewId ?? 0,
  }, LEADER_COMMAND_TIMEOUT_MS);
  const key = await clusterKeyOf(config);
  if (key.source === "replication.passwd") {
    logger.warn`${KEY_FROM_PASSWORD}`;
  }

  // Until the server has answered, a guess from the configured family; then whether its VERSION()
  // takes --init-rpl-role.
  let initRplRole = familyFromConfig(config.mysql.version) === "mariadb";
  const mysqld = new SupervisedMysqld({
    basedir: config.mysql.basedir,
    defaultsFile: config.mysql.defaultsFile,
    host: config.mysql.host,
    port: config.mysql.port,
    user: config.mysql.admin,
    password: config.mysql.passwd,
  }, () => initRplRole ? "SLAVE" : undefined);
  const monitor = new MysqldMonitor(mysqld, {
    intervalMs: config.backup.mysqldMonitorInterval,
    timers: systemClock,
    onEvent: (e) =>
      e.kind === "restarted"
        ? logger.warn`mysqld was down: restarted it (read-only until elected)`
        : logger.error`mysqld restart failed: ${e.error}`,
  });
  // A node whose mysqld cannot run yet (new, or its datadir lost) waits to be rebuilt. Only when
  // the agent runs mysqld: with monitor-disabled (the Kubernetes operator) mysqld runs elsewhere,
  // and its my.cnf need not exist on this host.
  const setup = { config, key, metaDir, meta, mysqld };
  const recovered = await recoverRebuild(setup);
  if (recovered) logger.warn`${recovered}`;
  const rebuildOnly = config.mysql.monitorDisabled ? null : await rebuildOnlyReason(config);
  const preRebuild = rebuildOnly === null
    ? null
    : await serveRebuildOnly(setup, rebuildOnly, opts.stopSignal ?? stopSignalOnce());
  if (preRebuild !== null && !preRebuild.continue) return 0;
  const startedMysqld = !config.mysql.monitorDisabled && await mysqld.start();
  if (startedMysqld) logger.info`started mysqld from ${config.mysql.defaultsFile}`;
  if (!config.mysql.monitorDisabled) monitor.start();

  const link = new LocalMysql(connectionOptions(config), config.mysql.version);
  const pollLink = new LocalMysql(
    { ...connectionOptions(config), queryTimeoutMs: config.mysql.pingTimeout },
    config.mysql.version,
  );
  const closeAll: (() => Promise<void> | void)[] = [
    () => monitor.stop(),
    () => link.close(),
    () => pollLink.close(),
  ];
  const cleanup = async () => {
    for (const close of closeAll.reverse()) await Promise.resolve(close()).catch(() => {});
  };
  try {
    await waitForMysql(link, opts.mysqlWaitMs ?? 120_000);
    let db = await link.get();
    initRplRole = db.version !== undefined && hasInitRplRole(db.version);
    if (db.mismatch) logger.warn`${db.mismatch}`;
    if (db.semiSyncMissing) {
      throw new XenonError(`MySQL ${db.session.where}: ${db.semiSyncMissing}`);
    }
    if (db.flavor.gtid === "mariadb" && !initRplRole) {
      const server = db.version?.text ?? "this MariaDB";
      logger
        .warn`${server} has no --init-rpl-role (10.6.19+, 10.11.9+, 11.4.3+): a restarted former primary keeps its unacknowledged binlog tail; upgrade MariaDB`;
    }
    /** Ends sessions waiting for acknowledgements without acknowledging them (see fence.ts). */
    const hardStop = async (reason: string): Promise<boolean> => {
      if (config.mysql.monitorDisabled) {
        const flag = initRplRole ? " with --init-rpl-role=SLAVE" : "";
        logger
          .error`${reason}: shutting mysqld down through SQL; whatever supervises it must restart it read-only${flag}`;
        await shutdownFromSql(await link.get());
        await link.reset();
        return true;
      }
      logger.warn`stopping mysqld hard (SIGKILL) and restarting it read-only: ${reason}`;
      await link.reset();
      await mysqld.kill();
      await mysqld.start();
      return true;
    };
    db = await fenceAtStartup(link, hardStop, opts.mysqlWaitMs ?? 120_000);
    await prepareReplication(db, config);
    const options = electionOptions(config, db.flavor);
    const comparator = options.comparator;
    logger.info`election timers: ${leaseArithmetic(options).summary}`;

    const httpClosing = new AbortController();
    const rpc = new RpcClient({ self, key, tls: clientTlsOf(config.server) });
    closeAll.push(() => rpc.close());
    if (preRebuild) closeAll.push(() => preRebuild.rpc.close());
    const flavor = db.flavor.gtid === "mariadb" ? "mariadb" : "mysql";
    const recorder = new FlightRecorder({ dir: metaDir, recordedBy: self });
    // Reads the latest record so /metrics shows the last failover from before a restart.
    await recorder.read({ last: 1 }).catch((error) =>
      logger.warn`cannot read the failover history: ${oneLine(error)}`
    );
    const failovers = new FailoverObserver({ recorder, flavor, self, clock: systemClock });
    const leaderCommands = new RecordedLeaderCommands(
      config.raft.leaderStartCommand,
      config.raft.leaderStopCommand,
      failovers,
    );
    let fatal: string | null = null;
    const stopped = Promise.withResolvers<void>();
    const node = new XenonNode({
      config,
      options,
      clock: systemClock,
      store,
      mysql: link,
      otherThreads: () => [pollLink.threadId].filter((t): t is number => t !== null),
      rpc,
      leaderCommands,
      sampleMysql: (): Promise<void> => poller.pollOnce(),
      mysqld: {
        hardStop: async (reason) => {
          const stopped = await hardStop(reason);
          if (stopped) poller.expectRestart();
          return stopped;
        },
        // No server process: whatever mysqld_safe starts next comes up read-only.
        stopped: () => !config.mysql.monitorDisabled && mysqld.processes().server.length === 0,
      },
      observers: [failovers, {
        transition() {},
        // What `cluster status` shows (READONLY/READWRITE, threads) is the poller's sample:
        // refresh it as soon as an effect has changed them, not a ping interval later.
        effectDone: (effect) => {
          if (SAMPLE_AFTER.has(effect.kind)) void poller.pollOnce().catch(() => {});
        },
      }],
      onFatal: (reason) => {
        fatal = reason;
        logger.fatal`${reason}: stopping`;
        stopped.resolve();
      },
    });
    let lastStatus: MysqlStatus | null = null;
    const applyRate = new ApplyRate(flavor);
    const poller = new MysqlPoller({
      clock: systemClock,
      link: pollLink,
      keepOpen: [node.fenceMysql, node.freezeMysql],
      intervalMs: Math.max(100, config.mysql.pingTimeout),
      admitDefeatCount: config.mysql.admitDefeatPingCount,
      comparator,
      startedMysqld,
      run: () => mysqld.run(),
      report: (observation, readOnly, status) => {
        lastStatus = status;
        applyRate.add(node.now(), status?.positions.executed ?? null);
        // Supervised mysqld with no process left: not a partition, nothing can commit there.
        const stopped = !observation.alive && !config.mysql.monitorDisabled &&
          !mysqld.isRunning();
        node.observe(stopped ? { ...observation, stopped } : observation, readOnly);
      },
    });
    closeAll.push(() => poller.stop());
    const server = new RpcServer({
      listen: self,
      key,
      replayMarkFile: replayMarkPath(metaDir),
      tls: serverTlsOf(config.server),
      allowedPeer: (from) => node.state.peers.includes(from) || node.state.idlePeers.includes(from),
    });
    const rebuildPorts = {
      config,
      metaDir,
      members: () => ({ voters: [...node.state.peers], leader: node.state.leader ?? "" }),
      call: callThrough(rpc),
      local: normalSide({
        node,
        mysqld,
        monitor,
        // The node's maintenance session: the effects' own session stays the core's.
        link: node.workMysql,
        version: config.mysql.version,
        monitorConfigured: !config.mysql.monitorDisabled,
      }),
    };
    const backup = preRebuild ?? backupSide(setup, rpc, rebuildPorts);
    backup.rebuilder.attach(rebuildPorts);
    await backup.rebuilder.loadLast();
    const positioned = await backup.rebuilder.positionAtStartup();
    if (positioned) logger.warn`${positioned}`;
    const startedAt = performance.now();
    const services = buildServices({
      backup,
      config,
      node,
      recorder,
      flavor,
      poller,
      lastStatus: () => lastStatus,
      failoverForecast: () => status().failoverForecast,
      mysqld,
      monitor,
      startedAt,
    });
    registerServices(server, services);
    await server.start();
    closeAll.push(() => server.close());
    const duties = new LeaderDuties({ config, node, rpc, options, clock: systemClock });
    closeAll.push(() => duties.stop());
    const status = () =>
      buildNodeStatus({
        state: node.state,
        options,
        now: node.now(),
        sample: lastStatus,
        semiSync: duties.semiSync,
        blockedSince: duties.blockedSince,
        counters: node.stats.snapshot,
        mysqldRestarts: monitor.starts,
        uptimeSeconds: Math.floor((performance.now() - startedAt) / 1000),
        applyRate: applyRate.perSecond(),
      });
    const http = await startHttp(config, {
      status,
      invoke: localInvoke(services, httpClosing.signal),
      metrics: { lastFailover: () => recorder.last },
      loopAgeMs: () => node.loopAgeMs,
    });
    closeAll.push(async () => {
      httpClosing.abort();
      await http?.close();
    });

    await node.start(meta);
    poller.start();
    duties.start();
    // A rebuild that restored the datadir rejoins now that the election core runs.
    if ((await readRebuildState(metaDir))?.phase === "rejoining") {
      logger.info`${(await backup.rebuilder.start({})).reason}`;
    }
    await applyStartRole(node, poller, role);

    const onSignal = () => stopped.resolve();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    closeAll.push(() => {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    });
    opts.stopSignal?.then(onSignal);
    logger.info`xenon ${self} running`;
    await stopped.promise;
    logger.info`stopping: ${node.writableLeader ? "fencing as leader first" : "not the leader"}`;
    await poller.stop();
    await node.stop();
    await cleanup();
    logger.info`stopped`;
    return fatal === null ? 0 : 1;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
