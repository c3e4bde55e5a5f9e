/**
 * The backup and rebuild part of the RPC contract: a donor streams its hot backup to a receiver
 * over ssh (`BackupRPC.*`, served by the donor); the node being rebuilt runs the whole rebuild
 * and reports its progress (`RebuildRPC.*`, served by that node to its own CLI).
 */

/** Where the donor streams to: the receiver's ssh login and an empty directory there. */
export interface StreamTarget {
  sshHost: string;
  sshUser: string;
  sshPort: number;
  /** Only with `backup.ssh-passwd` (sshpass -e); never logged. Key auth when absent. */
  sshPasswd?: string;
  /** Absolute directory on the receiver that the extractor writes into. */
  dir: string;
  /** The receiver's extractor (mbstream/xbstream), absolute or on its PATH. */
  extractor: string;
}

export interface DoBackupRequest {
  target: StreamTarget;
  /** The receiver's backup-iops-limits (the original sent its own). */
  iopsLimit: number;
  /** Identifies the receiver's job, so a stale status is not mistaken for this one. */
  jobId: string;
}

/** The original's BackupInfo words, plus where a backup or rebuild ended. */
export type BackupState = "NONE" | "BACKUPING" | "CANCELED" | "APPLYLOGGING" | "REBUILDING";

/** `BackupRPC.Status`: the donor's current (or last) stream. */
export interface DonorBackupStatus {
  state: BackupState;
  jobId: string;
  /** Bytes streamed so far. */
  bytes: number;
  /** The donor's data size: the stream's expected length, for the ETA (0 when unknown). */
  expectedBytes: number;
  elapsedMs: number;
  /** How the last stream ended: null while running or before the first. */
  outcome: "ok" | "failed" | "canceled" | null;
  lastError: string;
}

/** `BackupRPC.Check`: can the donor run its backup tool and reach the receiver over ssh? */
export interface CheckStreamRequest {
  target: StreamTarget;
}

/** What a rebuild is doing; the state file on disk holds the same word. */
export type RebuildPhase =
  | "checking"
  | "streaming"
  | "preparing"
  | "stopping"
  | "moving"
  | "starting"
  | "positioning"
  | "rejoining"
  | "done"
  | "failed"
  | "canceled";

export interface RebuildRequest {
  /** Donor endpoint; the best replica when absent. */
  from?: string;
  /** Rebuild even with local transactions the donor lacks (the old datadir is kept aside). */
  force?: boolean;
  /** `mysql backup --to DIR`: stream and prepare into DIR only (no rebuild). */
  to?: string;
  /** Without a my.cnf: write a minimal one from the donor's settings first. */
  initConfig?: boolean;
}

/** `RebuildRPC.Status`: the rebuild (or backup --to) this node runs or ran last. */
export interface RebuildStatus {
  /** "none" before the first job. */
  kind: "rebuild" | "backup" | "none";
  phase: RebuildPhase | "none";
  donor: string;
  bytes: number;
  expectedBytes: number;
  elapsedMs: number;
  /** One line per finished step, oldest first. */
  steps: string[];
  /** Why it failed or what to do next (one line); "" otherwise. */
  error: string;
  /** The old datadir moved aside (with --force), "" otherwise. */
  keptAside: string;
  finished: boolean;
}
