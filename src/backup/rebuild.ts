/**
 * Rebuilding this replica from a live peer, run by the local daemon:
 *
 * checking   refuse a leader or writable node; choose the donor; refuse local transactions the
 *            donor lacks (unless --force); preflight: my.cnf, datadir and its room, tools on both
 *            sides, ssh from the donor to here. Nothing is stopped or moved yet.
 * streaming  the donor streams its hot backup into a staging directory next to the datadir,
 *            while the local mysqld keeps running.
 * preparing  the backup is prepared here; its position must not hold transactions the current
 *            leader lacks (a failover during the stream), else the rebuild stops cleanly.
 * stopping   re-checked: not the leader, not writable; then LEARNER, monitor off, clean shutdown.
 * moving     old datadir (and binlogs kept outside it) aside, the backup into place (renames).
 * starting   mysqld on the restored datadir.
 * positioning replication resumes where the backup was taken (gtid_slave_pos / gtid_purged).
 * rejoining  FOLLOWER again through the election core, replicating, caught up with the leader.
 *
 * Every phase is written to rebuild.json before it starts. Up to `stopping` a failure puts
 * everything back as it was (role, monitor, mysqld) and removes the staging directory; from
 * `moving` on, the rebuild only goes forward: running it again finishes it.
 */
import type { XenonConfig } from "../config/mod.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type {
  ActionResult,
  CallDaemon,
  DonorBackupStatus,
  RaftStateName,
  RebuildPhase,
  RebuildRequest,
  RebuildStatus,
  StreamTarget,
} from "../model/mod.ts";
import { backupToolsOf, restoredPositionSql } from "../mysql/backup_flavor.ts";
import type { FlavorId, ServerVersion } from "../mysql/flavor.ts";
import { findErrant, FLAVORS } from "../mysql/mod.ts";
import { resetReplicaAll, stopReplica } from "../mysql/sql.ts";
import { readBackupPosition } from "./binlog_info.ts";
import { renderInitConfig } from "./init_config.ts";
import { chooseDonor, type DonorCandidate } from "./donor_choice.ts";
import {
  type DataPaths,
  dataPathsOf,
  dirOf,
  externalLogs,
  freeBytes,
  moveIntoPlace,
} from "./place.ts";
import { checkLocalTool, prepareBackup } from "./prepare.ts";
import {
  PAST_THE_SWAP,
  readRebuildState,
  type RebuildState,
  writeRebuildState,
} from "./state_file.ts";
import { toolOptionsOf } from "./options.ts";

/** The local server and election, as the rebuild needs them. */
export interface LocalSide {
  role(): RaftStateName;
  /** The local MySQL's read_only and executed position; null while it does not answer. */
  sample(): Promise<{ writable: boolean; executed: string } | null>;
  /** LEARNER, monitor off, clean shutdown (each skipped when not applicable). */
  stop(): Promise<void>;
  /** Undoes stop() after a failure before anything moved. */
  restore(): Promise<void>;
  /** Starts mysqld on the restored datadir and waits until it answers. */
  start(): Promise<void>;
  /** Runs statements on the local MySQL (the restored position, read-only). */
  exec(sql: string[]): Promise<void>;
  flavor(): FlavorId;
  /** The live server's version, once it answered (MySQL's reset statement depends on it). */
  version(): ServerVersion | undefined;
  /** FOLLOWER through the election core, with the donor's members; null before the core runs. */
  rejoin: ((members: string[]) => Promise<void>) | null;
  /** The local replica: threads and applied position (null while MySQL does not answer). */
  replica(): Promise<{ ioRunning: boolean; sqlRunning: boolean; lastError: string } | null>;
  /** Waits until the local server applied `position` (bounded); true when it did. */
  waitApplied(position: string, timeoutMs: number): Promise<boolean>;
}

export interface RebuildPorts {
  config: XenonConfig;
  metaDir: string;
  /** This node's voters and idle peers (self included) and the leader it knows. */
  members(): { voters: string[]; leader: string };
  call: CallDaemon;
  local: LocalSide;
}

const POLL_MS = 500;
/** The donor may miss this many status polls in a row (≈10 s) before it counts as lost. */
const DONOR_LOST_POLLS = 20;

class Refusal extends XenonError {}

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");

/** The rebuild (or `backup --to`) job of this node: one at a time. */
export class Rebuilder {
  #status: RebuildStatus = emptyStatus();
  #startedAt = 0;
  #running: Promise<void> | null = null;
  #cancel = false;
  #ports: RebuildPorts;

  constructor(ports: RebuildPorts) {
    this.#ports = ports;
  }

  /** Swaps the ports (the daemon's normal mode after the rebuild-only mode). */
  attach(ports: RebuildPorts): void {
    this.#ports = ports;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  /** Resolves when the running job (if any) ended. */
  async settled(): Promise<void> {
    await this.#running;
  }

  status(): RebuildStatus {
    const s = this.#status;
    return {
      ...s,
      steps: [...s.steps],
      elapsedMs: s.finished ? s.elapsedMs : Math.round(performance.now() - this.#startedAt),
    };
  }

  /** What `cluster status` shows in its Backup column for this node. */
  backupInfo(): { info: string; lastError: string } {
    const s = this.#status;
    if (s.kind === "none") return { info: "NONE", lastError: "" };
    const word = s.kind === "rebuild" ? "REBUILDING" : "BACKUPING";
    if (!s.finished) {
      return {
        info: `State:[${word}], Phase:[${s.phase}], Time:[${
          Math.round(this.status().elapsedMs / 1000)
        }s]`,
        lastError: "",
      };
    }
    return { info: s.phase === "canceled" ? "CANCELED" : "NONE", lastError: s.error };
  }

  /** Starts a job; refuses while one runs. Resumes an interrupted rebuild past its swap. */
  async start(request: RebuildRequest): Promise<ActionResult> {
    if (this.#running) {
      return { ok: false, reason: `a ${this.#status.kind} is running: ${this.#status.phase}` };
    }
    const saved = request.to === undefined ? await readRebuildState(this.#ports.metaDir) : null;
    const resume = saved !== null && PAST_THE_SWAP.includes(saved.phase) ? saved : null;
    this.#cancel = false;
    // A rebuild handed over from the rebuild-only mode continues as the same job.
    const continuing = resume !== null && this.#status.kind === "rebuild";
    if (!continuing) this.#startedAt = performance.now();
    this.#status = {
      ...emptyStatus(),
      steps: continuing ? [...this.#status.steps] : [],
      finished: false,
      kind: request.to === undefined ? "rebuild" : "backup",
      phase: resume?.phase ?? "checking",
      donor: resume?.donor ?? request.from ?? "",
    };
    const job = request.to !== undefined
      ? this.#backupTo(request, request.to)
      : resume
      ? this.#finish(resume)
      : this.#rebuild(request);
    this.#running = job.finally(() => (this.#running = null));
    return {
      ok: true,
      reason: resume
        ? `resuming the interrupted rebuild at ${resume.phase} (donor ${resume.donor})`
        : `${this.#status.kind} started`,
    };
  }

  /** Cancels the running job: the donor's stream is ended; the rebuild stops cleanly. */
  async cancel(): Promise<ActionResult> {
    if (!this.#running) return { ok: true, reason: "no rebuild or backup runs here" };
    const phase = this.#status.phase;
    if (phase !== "checking" && phase !== "streaming" && phase !== "preparing") {
      return {
        ok: false,
        reason: `the rebuild is past its stream (${phase}): it only goes forward now`,
      };
    }
    this.#cancel = true;
    const donor = this.#status.donor;
    if (donor !== "") {
      await this.#ports.call(donor, "BackupRPC.CancelBackup", {}).catch(() => {});
    }
    await this.#running;
    const s = this.#status;
    return s.phase === "canceled"
      ? {
        ok: true,
        reason: `canceled the ${s.kind} at its stream from ${donor}; nothing was changed`,
      }
      : { ok: false, reason: `the ${s.kind} ended ${s.phase} before the cancel: ${s.error}` };
  }

  /**
   * Before the daemon starts mysqld after an agent restart: a rebuild interrupted before its
   * swap is marked failed (the old datadir is in place); one interrupted while moving finishes
   * the move. Returns what it did, or null when no rebuild was interrupted.
   */
  async recoverAtStartup(): Promise<string | null> {
    const p = this.#ports;
    const saved = await readRebuildState(p.metaDir);
    if (saved === null || ["done", "failed", "canceled", "rejoining"].includes(saved.phase)) {
      return null;
    }
    const at = saved.phase;
    if (!PAST_THE_SWAP.includes(at)) {
      saved.error =
        `interrupted at ${at} by an agent restart; the old datadir is in place; run rebuildme again`;
      await Deno.remove(saved.staging, { recursive: true }).catch(() => {});
      await writeRebuildState(p.metaDir, { ...saved, phase: "failed" });
      return at === "stopping" ? `${saved.error} (mysqld was stopped for it)` : saved.error;
    }
    if (at === "moving") {
      const mycnf = await Deno.readTextFile(p.config.mysql.defaultsFile);
      await moveIntoPlace(saved, externalLogs(mycnf, saved.datadir));
      await writeRebuildState(p.metaDir, { ...saved, phase: "starting" });
    }
    return `a rebuild was interrupted at ${at}: the restored datadir is in place`;
  }

  /** Shows how the last rebuild ended (from its state file) until a new job starts. */
  async loadLast(): Promise<void> {
    if (this.#status.kind !== "none") return;
    const saved = await readRebuildState(this.#ports.metaDir);
    if (saved === null || !["done", "failed", "canceled"].includes(saved.phase)) return;
    this.#status = {
      ...emptyStatus(),
      kind: "rebuild",
      phase: saved.phase,
      donor: saved.donor,
      error: saved.error,
      keptAside: saved.force ? saved.aside : "",
    };
  }

  /** After an agent restart with the restored datadir but no position yet: set it now. */
  async positionAtStartup(): Promise<string | null> {
    const saved = await readRebuildState(this.#ports.metaDir);
    if (saved === null || (saved.phase !== "starting" && saved.phase !== "positioning")) {
      return null;
    }
    await this.#position(saved);
    return `set the restored position ${saved.position} left by an interrupted rebuild`;
  }

  // ---- the jobs ---------------------------------------------------------------------------

  async #rebuild(request: RebuildRequest): Promise<void> {
    const p = this.#ports;
    let state: RebuildState | null = null;
    let stopped = false;
    try {
      const checked = await this.#check(request);
      state = checked;
      await this.#save(state, "streaming");
      await this.#stream(state.donor, state.staging);
      await this.#save(state, "preparing");
      await prepareBackup(toolOptionsOf(p.config), state.staging);
      state.position = await readBackupPosition(state.staging, backupToolsOf(this.#family()));
      this.#step(`prepared the backup (position ${state.position || "empty"})`);
      await this.#checkBackupAgainstLeader(state.position);
      this.#refuseIfLeaderOrWritable(await p.local.sample());
      await this.#save(state, "stopping");
      stopped = true;
      await p.local.stop();
      this.#step("LEARNER, mysqld monitor off, mysqld shut down");
      this.#refuseIfLeaderOrWritable(null);
    } catch (error) {
      await this.#undo(state, stopped, error);
      return;
    }
    await this.#finish(state);
  }

  /** From `moving` on: forward only; a failure leaves the state for the next run to finish. */
  async #finish(state: RebuildState): Promise<void> {
    const p = this.#ports;
    const paths: DataPaths = state;
    try {
      if (state.phase === "stopping" || state.phase === "moving") {
        await this.#save(state, "moving");
        const mycnf = await Deno.readTextFile(p.config.mysql.defaultsFile);
        for (const line of await moveIntoPlace(paths, externalLogs(mycnf, state.datadir))) {
          this.#step(line);
        }
        state.phase = "starting";
      }
      if (state.phase === "starting" || state.phase === "positioning") {
        await this.#save(state, "starting");
        await p.local.start();
        this.#step("mysqld started on the restored datadir");
        await this.#position(state);
      }
      await this.#save(state, "rejoining");
      if (p.local.rejoin === null) {
        this.#step("waiting for the agent to start its election core to rejoin");
        this.#status.finished = true;
        return;
      }
      await this.#rejoin(state);
      if (state.force) {
        this.#status.keptAside = state.aside;
        this.#step(`the old datadir is kept at ${state.aside}`);
      } else {
        await Deno.remove(state.aside, { recursive: true }).catch(() => {});
        this.#step(`removed the old datadir ${state.aside}`);
      }
      await this.#save(state, "done");
      this.#end("done", "");
    } catch (error) {
      const why = oneLine(error);
      state.error = `${state.phase}: ${why}; run xenon mysql rebuildme again to finish`;
      await writeRebuildState(p.metaDir, state).catch(() => {});
      this.#end("failed", state.error);
      log("backup").error`rebuild stopped at ${state.phase}: ${why}`;
    }
  }

  /** `backup --to DIR`: stream into DIR and prepare it; nothing else is touched. */
  async #backupTo(request: RebuildRequest, dir: string): Promise<void> {
    try {
      if (!dir.startsWith("/")) throw new Refusal(`--to ${dir}: give an absolute directory`);
      await Deno.mkdir(dir, { recursive: true });
      if ([...Deno.readDirSync(dir)].length > 0) {
        throw new Refusal(`--to ${dir} is not empty: give a new or empty directory`);
      }
      const donor = await this.#donor(request.from, true);
      await this.#preflightStream(donor, dir);
      this.#status.phase = "streaming";
      await this.#stream(donor, dir);
      this.#status.phase = "preparing";
      await prepareBackup(toolOptionsOf(this.#ports.config), dir);
      this.#end("done", "");
    } catch (error) {
      this.#end(this.#cancel ? "canceled" : "failed", oneLine(error));
    }
  }

  // ---- steps ------------------------------------------------------------------------------

  /** Writes a minimal my.cnf from the donor's settings (see init_config.ts); returns the donor. */
  async #initConfig(request: RebuildRequest): Promise<string> {
    const p = this.#ports;
    const c = p.config;
    const donor = await this.#donor(request.from);
    const { settings } = await p.call(donor, "BackupRPC.Settings", {});
    const datadir = c.backup.backupdir;
    await Deno.mkdir(datadir, { recursive: true, mode: 0o750 });
    const text = renderInitConfig({
      donor,
      settings,
      datadir,
      port: c.mysql.port,
      endpoint: c.server.endpoint,
      user: c.backup.sshUser || Deno.env.get("USER") || "mysql",
    });
    await Deno.writeTextFile(c.mysql.defaultsFile, text, { createNew: true, mode: 0o644 });
    this.#step(
      `wrote ${c.mysql.defaultsFile} from ${donor}'s settings (datadir ${datadir}); review it`,
    );
    return donor;
  }

  async #check(request: RebuildRequest, chosen?: string): Promise<RebuildState> {
    const p = this.#ports;
    const sample = await p.local.sample();
    this.#refuseIfLeaderOrWritable(sample);
    const defaultsFile = p.config.mysql.defaultsFile;
    let mycnf: string;
    try {
      mycnf = await Deno.readTextFile(defaultsFile);
    } catch {
      if (request.initConfig) {
        return await this.#check(
          { ...request, initConfig: false },
          await this.#initConfig(request),
        );
      }
      throw new Refusal(
        `mysql.defaults-file ${defaultsFile} does not exist: write the my.cnf this server is to run ` +
          "with (datadir, port, socket, server_id, log_bin, the GTID settings of the donor), or run " +
          "rebuildme --init-config to write a minimal one from the donor's settings",
      );
    }
    const paths = dataPathsOf(mycnf, defaultsFile, stamp());
    try {
      if (!Deno.statSync(paths.datadir).isDirectory) throw new Error("not a directory");
    } catch {
      throw new Refusal(
        `datadir ${paths.datadir} (from ${defaultsFile}) is missing: create it (mkdir -p, owned by the mysqld user)`,
      );
    }
    // The backup takes the datadir's place by renames next to it: a mount point cannot move.
    const parent = dirOf(paths.datadir);
    if (Deno.statSync(paths.datadir).dev !== Deno.statSync(parent).dev) {
      throw new Refusal(
        `datadir ${paths.datadir} is a mount point: the rebuild moves it aside by a rename; ` +
          "mount the volume one level up and point datadir at a directory inside it",
      );
    }
    // Before choosing: a peer still streaming our old job would look busy.
    const from = chosen ?? request.from;
    const peers = from ? [from] : p.members().voters;
    await Promise.all(
      peers.filter((e) => e !== p.config.server.endpoint).map((e) => this.#cancelOwnStaleStream(e)),
    );
    const donor = chosen ?? await this.#donor(request.from);
    const donorStatus = await p.call(donor, "MysqlRPC.Status", {});
    if (sample !== null && donorStatus.status === "ALIVE") {
      const errant = findErrant(
        FLAVORS[p.local.flavor()],
        sample.executed,
        donorStatus.replication.executedGtidSet,
      );
      if (errant.errant && !request.force) {
        throw new Refusal(
          `this node has transactions donor ${donor} lacks (${errant.detail}): they would be lost; ` +
            "rebuild with --force to keep the old datadir aside, or pick another donor with --from",
        );
      }
      if (errant.errant) {
        this.#step(`--force: local transactions the donor lacks are kept aside (${errant.detail})`);
      }
    }
    await Deno.remove(paths.staging, { recursive: true }).catch(() => {});
    await Deno.mkdir(paths.staging, { recursive: true, mode: 0o750 });
    await this.#preflightStream(donor, paths.staging);
    return {
      phase: "checking",
      donor,
      force: request.force ?? false,
      ...paths,
      position: "",
      error: "",
      updatedAt: "",
    };
  }

  /** A stream this node asked for before its agent restarted may still run: end it first. */
  async #cancelOwnStaleStream(donor: string): Promise<void> {
    const p = this.#ports;
    const s = await p.call(donor, "BackupRPC.Status", {}).catch(() => null);
    if (s === null) return;
    if (s.state === "BACKUPING" && s.jobId.startsWith(`${p.config.server.endpoint}@`)) {
      await p.call(donor, "BackupRPC.CancelBackup", {}, 30_000);
      this.#step(`ended the stream ${s.jobId} left from before an agent restart`);
    }
  }

  /** Tools on both sides, room for the donor's data, ssh from the donor to here. */
  async #preflightStream(donor: string, dir: string): Promise<void> {
    const p = this.#ports;
    const o = toolOptionsOf(p.config);
    checkLocalTool(o, o.tools.backup);
    checkLocalTool(o, o.tools.extract);
    const donorBackup = await p.call(donor, "BackupRPC.Status", {});
    if (donorBackup.state === "BACKUPING") {
      throw new Refusal(
        `donor ${donor} is streaming another backup; wait or pick another with --from`,
      );
    }
    const free = await freeBytes(dir);
    const need = Math.ceil(donorBackup.expectedBytes * 1.1);
    if (need > free) {
      throw new Refusal(
        `${dir} has ${mib(free)} MiB free; the donor's data needs about ${
          mib(need)
        } MiB: make room first`,
      );
    }
    const check = await p.call(donor, "BackupRPC.Check", { target: this.#target(dir) }, 30_000);
    if (!check.ok) throw new Refusal(check.reason);
    this.#step(`preflight passed: tools, ${mib(free)} MiB free, ssh from ${donor} to here`);
  }

  /** `--from`, else the best peer. A backup --to may take this node's own backup; a rebuild not. */
  async #donor(from: string | undefined, selfAllowed = false): Promise<string> {
    const p = this.#ports;
    const self = p.config.server.endpoint;
    if (from !== undefined && from !== "") {
      if (from === self && !selfAllowed) {
        throw new Refusal("--from names this node: give another member's endpoint");
      }
      this.#status.donor = from;
      this.#step(`donor ${from} (--from)`);
      return from;
    }
    const { voters } = p.members();
    const candidates = await Promise.all(
      voters.filter((e) => e !== self).map((e) => this.#candidate(e)),
    );
    const choice = chooseDonor(self, candidates);
    if (!choice.ok) throw new Refusal(choice.reason);
    this.#status.donor = choice.donor;
    this.#step(`donor ${choice.why}`);
    return choice.donor;
  }

  async #candidate(endpoint: string): Promise<DonorCandidate> {
    const p = this.#ports;
    try {
      const [raft, mysql, backup] = await Promise.all([
        p.call(endpoint, "RaftRPC.Status", {}),
        p.call(endpoint, "MysqlRPC.Status", {}),
        p.call(endpoint, "BackupRPC.Status", {}),
      ]);
      const r = mysql.replication;
      const lag = r.secondsBehindMaster === "" ? null : Number(r.secondsBehindMaster);
      return {
        endpoint,
        role: raft.state,
        alive: mysql.status === "ALIVE",
        ioRunning: r.slaveIoRunning,
        sqlRunning: r.slaveSqlRunning,
        secondsBehind: Number.isFinite(lag) ? lag : null,
        busy: backup.state === "BACKUPING" || backup.state === "REBUILDING",
      };
    } catch {
      return {
        endpoint,
        role: null,
        alive: false,
        ioRunning: false,
        sqlRunning: false,
        secondsBehind: null,
        busy: false,
      };
    }
  }

  #target(dir: string): StreamTarget {
    const c = this.#ports.config;
    const host = c.backup.sshHost || c.mysql.replHost;
    const o = toolOptionsOf(c);
    const extractor = o.bindir === "." || o.bindir === ""
      ? o.tools.extract
      : `${o.bindir.replace(/\/+$/, "")}/${o.tools.extract}`;
    return {
      sshHost: host,
      sshUser: c.backup.sshUser || Deno.env.get("USER") || "root",
      sshPort: c.backup.sshPort,
      ...(c.backup.sshPasswd ? { sshPasswd: c.backup.sshPasswd } : {}),
      dir,
      extractor,
    };
  }

  /** Asks the donor to stream into `dir` and follows it until it ends. */
  async #stream(donor: string, dir: string): Promise<void> {
    const p = this.#ports;
    const jobId = `${p.config.server.endpoint}@${Date.now()}`;
    const started = await p.call(donor, "BackupRPC.DoBackup", {
      target: this.#target(dir),
      iopsLimit: p.config.backup.backupIopsLimits,
      jobId,
    });
    if (!started.ok) throw new Refusal(`donor ${donor}: ${started.reason}`);
    this.#step(`streaming from ${donor}`);
    let misses = 0;
    for (let poll = 0; poll < 10_000_000; poll++) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      let s: DonorBackupStatus;
      try {
        s = await p.call(donor, "BackupRPC.Status", {});
        misses = 0;
      } catch (error) {
        if (++misses >= DONOR_LOST_POLLS) {
          throw new XenonError(`donor ${donor} lost during the stream: ${oneLine(error)}`);
        }
        continue;
      }
      if (s.jobId !== jobId) {
        throw new XenonError(
          `donor ${donor} no longer runs this stream (job ${s.jobId || "none"})`,
        );
      }
      this.#status.bytes = s.bytes;
      this.#status.expectedBytes = s.expectedBytes;
      if (s.outcome === null) continue;
      if (s.outcome === "ok") {
        this.#step(
          `streamed ${mib(s.bytes)} MiB in ${(s.elapsedMs / 1000).toFixed(1)} s (${
            rate(s.bytes, s.elapsedMs)
          } MiB/s)`,
        );
        return;
      }
      if (this.#cancel || s.outcome === "canceled") throw new Refusal("canceled during the stream");
      throw new XenonError(`the stream from ${donor} failed: ${s.lastError}`);
    }
  }

  /** A failover during the stream must not leave us with transactions the leader lacks. */
  async #checkBackupAgainstLeader(position: string): Promise<void> {
    const p = this.#ports;
    const leader = await this.#currentLeader();
    if (leader === null) {
      throw new XenonError(
        "no leader now to check the backup against; run rebuildme again once one is elected",
      );
    }
    const status = await p.call(leader, "MysqlRPC.Status", {});
    const errant = findErrant(
      FLAVORS[p.local.flavor()],
      position,
      status.replication.executedGtidSet,
    );
    if (errant.errant) {
      throw new XenonError(
        `the backup holds transactions leader ${leader} lacks (${errant.detail}), a failover during the stream; run rebuildme again`,
      );
    }
  }

  /** The leader as the donor and the other members see it now. */
  async #currentLeader(): Promise<string | null> {
    const p = this.#ports;
    for (const e of [this.#status.donor, ...p.members().voters]) {
      const raft = await p.call(e, "RaftRPC.Status", {}).catch(() => null);
      if (raft?.leader) return raft.leader;
    }
    return null;
  }

  async #position(state: RebuildState): Promise<void> {
    const p = this.#ports;
    await this.#save(state, "positioning");
    const f = p.local.flavor();
    await p.local.exec([
      stopReplica(FLAVORS[f]),
      resetReplicaAll(FLAVORS[f]),
      ...restoredPositionSql(f, p.local.version(), state.position),
      "SET GLOBAL read_only = ON",
    ]);
    this.#step(`replication resumes at ${state.position || "(empty)"}`);
  }

  async #rejoin(state: RebuildState): Promise<void> {
    const p = this.#ports;
    const donorNodes = await p.call(state.donor, "NodeRPC.GetNodes", {});
    await p.local.rejoin!(donorNodes.peers);
    this.#step("FOLLOWER again");
    const deadline = performance.now() + Math.max(120_000, 40 * p.config.raft.electionTimeout);
    let leaderPosition: string | null = null;
    while (performance.now() < deadline) {
      const replica = await p.local.replica();
      if (replica?.ioRunning && replica.sqlRunning) {
        const leader = await this.#currentLeader();
        if (leader !== null) {
          leaderPosition =
            (await p.call(leader, "MysqlRPC.Status", {})).replication.executedGtidSet;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (leaderPosition === null) {
      throw new XenonError("replication did not start after the rejoin");
    }
    const left = Math.max(1000, deadline - performance.now());
    if (!await p.local.waitApplied(leaderPosition, left)) {
      throw new XenonError(
        `not caught up with the leader's ${leaderPosition} within ${Math.round(left / 1000)} s`,
      );
    }
    this.#step(`replicating and caught up with the leader (${leaderPosition})`);
  }

  async #undo(state: RebuildState | null, stopped: boolean, error: unknown): Promise<void> {
    const p = this.#ports;
    const why = this.#cancel ? "canceled" : oneLine(error);
    if (stopped) {
      await p.local.restore().catch((e) => this.#step(`could not restore: ${oneLine(e)}`));
    }
    if (state !== null) {
      await Deno.remove(state.staging, { recursive: true }).catch(() => {});
      state.error = why;
      await this.#save(state, this.#cancel ? "canceled" : "failed").catch(() => {});
    }
    this.#end(this.#cancel ? "canceled" : "failed", why);
    if (!(error instanceof Refusal)) {
      log("backup").error`rebuild failed, nothing was changed: ${why}`;
    }
  }

  #refuseIfLeaderOrWritable(sample: { writable: boolean } | null): void {
    const role = this.#ports.local.role();
    if (role === "LEADER") {
      throw new Refusal(
        "this node is the leader: run `xenon raft trytoleader` on another node first",
      );
    }
    if (sample?.writable) {
      throw new Refusal(
        "the local MySQL is writable (read_only=OFF): a writable node is never rebuilt",
      );
    }
  }

  async #save(state: RebuildState, phase: RebuildPhase): Promise<void> {
    state.phase = phase;
    this.#status.phase = phase;
    await writeRebuildState(this.#ports.metaDir, state);
  }

  #step(line: string): void {
    this.#status.steps.push(line);
    log("backup").info`${this.#status.kind}: ${line}`;
  }

  #end(phase: RebuildPhase, error: string): void {
    this.#status.phase = phase;
    this.#status.error = error;
    this.#status.finished = true;
    this.#status.elapsedMs = Math.round(performance.now() - this.#startedAt);
  }

  #family(): "mariadb" | "mysql" {
    return FLAVORS[this.#ports.local.flavor()].gtid;
  }
}

function emptyStatus(): RebuildStatus {
  return {
    kind: "none",
    phase: "none",
    donor: "",
    bytes: 0,
    expectedBytes: 0,
    elapsedMs: 0,
    steps: [],
    error: "",
    keptAside: "",
    finished: true,
  };
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const rate = (bytes: number, ms: number) => (ms > 0 ? bytes / 1048576 / (ms / 1000) : 0).toFixed(1);
