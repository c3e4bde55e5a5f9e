/**
 * The donor's side of a backup: `<backup tool> --backup --stream=xbstream | ssh receiver
 * '<extractor> -x -C <dir>'`, the two programs joined by a kernel pipe (the kernel's I/O counters
 * give the progress). Success is decided after both streams drained and both programs exited: both
 * exit 0 and the tool's last line says `completed OK!`. One stream at a time; cancel ends both
 * process trees, and the receiver's extractor ends with its ssh session.
 */
import { oneLine, XenonError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type {
  ActionResult,
  DoBackupRequest,
  DonorBackupStatus,
  StreamTarget,
} from "../model/mod.ts";
import { lastLine, type Running, signalTrees, spawn, spawnPipeline } from "./process_tree.ts";
import { extractCommand, probeCommand, type SshClientOptions, sshInvocation } from "./ssh.ts";
import {
  backupArgs,
  loginOptionFile,
  type ToolLogin,
  type ToolOptions,
  toolPath,
} from "./tool_args.ts";

export interface DonorOptions {
  tool: Omit<ToolOptions, "iopsLimit">;
  login: ToolLogin;
  ssh: SshClientOptions;
  /** This server's datadir: its size is the stream's expected length. */
  datadir: string;
}

const CANCEL_GRACE_MS = 3000;
const COUNT_MS = 200;
const COMPLETED_OK = "completed OK!";

/** Whether a tool's output ends with its success line. */
export function completedOk(lines: readonly string[]): boolean {
  return lastLine(lines).includes(COMPLETED_OK);
}

export class DonorStream {
  #status: DonorBackupStatus = {
    state: "NONE",
    jobId: "",
    bytes: 0,
    expectedBytes: 0,
    elapsedMs: 0,
    outcome: null,
    lastError: "",
  };
  #startedAt = 0;
  #procs: Running[] = [];
  #canceled = false;
  #finished: Promise<void> = Promise.resolve();

  constructor(readonly options: DonorOptions) {}

  status(): DonorBackupStatus {
    const s = this.#status;
    const elapsedMs = s.state === "BACKUPING" ? performance.now() - this.#startedAt : s.elapsedMs;
    return { ...s, elapsedMs: Math.round(elapsedMs) };
  }

  get running(): boolean {
    return this.#status.state === "BACKUPING";
  }

  /** Starts streaming; refuses while another stream runs. Returns at once. */
  start(request: DoBackupRequest): ActionResult {
    if (this.running) {
      return { ok: false, reason: `a backup is already streaming (job ${this.#status.jobId})` };
    }
    this.#canceled = false;
    this.#startedAt = performance.now();
    this.#status = {
      state: "BACKUPING",
      jobId: request.jobId,
      bytes: 0,
      expectedBytes: dataSize(this.options.datadir),
      elapsedMs: 0,
      outcome: null,
      lastError: "",
    };
    this.#finished = this.#run(request).then(
      (outcome) => this.#end(outcome, ""),
      (error) => this.#end(this.#canceled ? "canceled" : "failed", oneLine(error)),
    );
    return { ok: true, reason: `streaming to ${request.target.sshHost}:${request.target.dir}` };
  }

  /** Ends the running stream (both process trees); resolves once it has ended. */
  async cancel(): Promise<ActionResult> {
    if (!this.running) return { ok: true, reason: "no backup is streaming here" };
    this.#canceled = true;
    const pids = this.#procs.map((p) => p.pid);
    signalTrees(pids, "SIGTERM");
    const timer = setTimeout(() => signalTrees(pids, "SIGKILL"), CANCEL_GRACE_MS);
    await this.#finished;
    clearTimeout(timer);
    return { ok: true, reason: `canceled the backup stream of job ${this.#status.jobId}` };
  }

  /** Checks that the tool runs here and the target takes an extraction over ssh. */
  async check(target: StreamTarget): Promise<ActionResult> {
    const o = this.options;
    const tool = toolPath(o.tool.bindir, o.tool.tools.backup);
    const version = spawn({ program: tool, args: ["--version"] }, {
      stdin: "null",
      stdout: "null",
    });
    const v = await version.done;
    if (v.code !== 0) {
      return { ok: false, reason: `${tool} does not run on the donor: ${lastLine(v.lines)}` };
    }
    const probe = spawn(sshInvocation(target, o.ssh, probeCommand(target)), {
      stdin: "null",
      stdout: "null",
    });
    const p = await probe.done;
    if (p.code !== 0) {
      const why = p.code === 1 && p.lines.length === 0
        ? `${target.extractor} is missing there or ${target.dir} is not a writable directory`
        : lastLine(p.lines) || `ssh exit ${p.code}`;
      return {
        ok: false,
        reason:
          `the donor cannot stream to ${target.sshUser}@${target.sshHost}:${target.sshPort}: ${why}`,
      };
    }
    return { ok: true, reason: "the donor reaches the target over ssh" };
  }

  #end(outcome: "ok" | "failed" | "canceled", error: string): void {
    const lastError = outcome === "canceled" ? "canceled" : error;
    this.#status = {
      ...this.#status,
      state: outcome === "canceled" ? "CANCELED" : "NONE",
      elapsedMs: Math.round(performance.now() - this.#startedAt),
      outcome,
      lastError,
    };
    this.#procs = [];
    const s = this.#status;
    log("backup").info`backup stream ${s.jobId} ${outcome}: ${s.bytes} bytes in ${s.elapsedMs} ms${
      lastError ? `; ${lastError}` : ""
    }`;
  }

  async #run(request: DoBackupRequest): Promise<"ok" | "canceled"> {
    const o = this.options;
    const scratch = await Deno.makeTempDir({ prefix: "xenon-backup-" });
    try {
      await Deno.chmod(scratch, 0o700);
      const optionFile = `${scratch}/login.cnf`;
      await Deno.writeTextFile(optionFile, loginOptionFile(o.tool.tools, o.login), { mode: 0o600 });
      const toolOptions = { ...o.tool, iopsLimit: request.iopsLimit };
      const [backup, ssh] = spawnPipeline(
        {
          program: toolPath(o.tool.bindir, o.tool.tools.backup),
          args: backupArgs(toolOptions, optionFile, `${scratch}/target`),
        },
        sshInvocation(request.target, o.ssh, extractCommand(request.target)),
      );
      this.#procs.push(backup, ssh);
      const count = () => {
        const written = ioCounter(backup.pid, "wchar");
        const read = ioCounter(ssh.pid, "rchar");
        this.#status.bytes = Math.max(this.#status.bytes, written, read);
      };
      const counting = setInterval(count, COUNT_MS);
      void backup.done.then(count, () => {});
      const [b, s] = await Promise.all([backup.done, ssh.done]).finally(() =>
        clearInterval(counting)
      );
      if (this.#canceled) return "canceled";
      if (s.code !== 0) {
        throw new XenonError(
          `ssh to ${request.target.sshHost} failed (exit ${s.code}): ${lastLine(s.lines)}`,
        );
      }
      if (b.code !== 0 || !completedOk(b.lines)) {
        throw new XenonError(
          `${o.tool.tools.backup} failed (exit ${b.code ?? b.signal}): ${
            lastLine(b.lines) || "no output"
          }`,
        );
      }
      return "ok";
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }
}

/** A counter of /proc/<pid>/io (bytes the process wrote or read); 0 once it is gone. */
function ioCounter(pid: number, name: "wchar" | "rchar"): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/io`);
    return Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Bytes of the files a hot backup copies (binlogs and relay logs are not copied). */
function dataSize(dir: string): number {
  let total = 0;
  const walk = (path: string, depth: number) => {
    if (depth > 8) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch {
      return;
    }
    for (const e of entries) {
      const full = `${path}/${e.name}`;
      if (e.isDirectory) walk(full, depth + 1);
      else if (e.isFile && !/(\.\d{6}|\.index)$|^ib_logfile/.test(e.name)) {
        try {
          total += Deno.statSync(full).size;
        } catch {
          // removed meanwhile
        }
      }
    }
  };
  walk(dir, 0);
  return total;
}
