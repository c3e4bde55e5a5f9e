/**
 * What a node must remember across restarts, and its peers.json form. The original wrote only
 * `{"idlepeers":[...],"peers":[...]}`; the extra keys keep term (ViewID), vote and membership
 * version (EpochID) durable, and Go's reader ignores them, so the file stays compatible.
 * Writing it (temp file + fsync + rename) is the daemon's job: it must be durable before any
 * effect of the same transition runs.
 */
import { XenonError } from "../lib/errors.ts";

/** Roles an operator or the core chose on purpose; they survive a restart. */
export type PersistedMode = "normal" | "idle" | "learner" | "invalid";

export interface PersistedMeta {
  readonly viewId: number;
  readonly votedFor: string | null;
  readonly epochId: number;
  /** Voters, self included (xenon's `Peers`). */
  readonly peers: readonly string[];
  /** Members that follow the leader but never vote. */
  readonly idlePeers: readonly string[];
  readonly mode: PersistedMode;
  /** Why the mode was chosen (for INVALID: which transactions the leader lacks). */
  readonly modeReason: string;
  /**
   * Term of the leader whose history this node's data is verified to follow (Raft's last log
   * term): votes compare it before positions, because MariaDB positions alone cannot tell an old
   * leader's unacknowledged tail ("0-1-265") from a newer leader's history ("0-2-259").
   */
  readonly dataTerm: number;
  /** The leader this node last replicated from, kept so a restart can still verify data. */
  readonly source: ReplicationSource | null;
  /**
   * Set when mysqld dropped unapplied relay log events at a restart (relay.ts): the source whose
   * acknowledged writes may be missing here, kept until this node caught up with a leader.
   * Written only when set, so files without it stay byte for byte as before.
   */
  readonly relayLogLost?: LostRelayLog | null;
  /**
   * The mysqld run whose relay log this file accounts for (relay.ts): a sample of another run,
   * even one no agent saw start, may have lost relay log. Written only when known.
   */
  readonly mysqldRun?: MysqldRun | null;
}

/** Which run of mysqld a sample came from (a boot of the host, and a start within it). */
export interface MysqldRun {
  readonly boot: string;
  readonly start: string;
}

export interface LostRelayLog {
  readonly from: string;
  readonly term: number;
}

/** Set at CHANGE MASTER: data that grows past `termStart` came from that leader's term. */
export interface ReplicationSource {
  readonly leader: string;
  readonly term: number;
  /** The leader's position when elected. */
  readonly termStart: string;
  /** This node's position when it started replicating from the leader. */
  readonly from: string;
  /**
   * The leader's latest term this node kept replicating (and acking) through, when the leader
   * was re-elected without being followed anew (relay.ts); absent: `term`.
   */
  readonly ackedTerm?: number;
}

export function emptyMeta(self: string, superIdle: boolean): PersistedMeta {
  return {
    viewId: 0,
    votedFor: null,
    epochId: 0,
    peers: superIdle ? [] : [self],
    idlePeers: superIdle ? [self] : [],
    mode: "normal",
    modeReason: "",
    dataTerm: 0,
    source: null,
    relayLogLost: null,
    mysqldRun: null,
  };
}

/** Keys sorted like Go's map encoding, so a diff against the original's file stays small. */
export function encodePeersJson(meta: PersistedMeta): string {
  return JSON.stringify({
    dataterm: meta.dataTerm,
    epochid: meta.epochId,
    idlepeers: meta.idlePeers.length > 0 ? [...meta.idlePeers] : null,
    mode: meta.mode,
    mode_reason: meta.modeReason,
    peers: [...meta.peers],
    ...(meta.mysqldRun ? { mysqld_run: meta.mysqldRun } : {}),
    ...(meta.relayLogLost ? { relay_log_lost: meta.relayLogLost } : {}),
    source: meta.source,
    viewid: meta.viewId,
    votedfor: meta.votedFor ?? "",
  }) + "\n";
}

/** Reads ours and the original's peers.json; `source` names the file in errors. */
export function decodePeersJson(text: string, source = "peers.json"): PersistedMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new XenonError(
      `${source} is not valid JSON (${firstLine(err)}); restore it or remove it`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new XenonError(`${source} must hold a JSON object with "peers" and "idlepeers"`);
  }
  const o = raw as Record<string, unknown>;
  const modes: PersistedMode[] = ["normal", "idle", "learner", "invalid"];
  const mode = o.mode ?? "normal";
  if (!modes.includes(mode as PersistedMode)) {
    throw new XenonError(`${source}: "mode" must be one of ${modes.join(", ")}`);
  }
  return {
    viewId: count(o.viewid, "viewid", source),
    votedFor: text_(o.votedfor, "votedfor", source) || null,
    epochId: count(o.epochid, "epochid", source),
    peers: list(o.peers, "peers", source),
    idlePeers: list(o.idlepeers, "idlepeers", source),
    mode: mode as PersistedMode,
    modeReason: text_(o.mode_reason, "mode_reason", source),
    dataTerm: count(o.dataterm, "dataterm", source),
    source: replicationSource(o.source, source),
    relayLogLost: lostRelayLog(o.relay_log_lost, source),
    mysqldRun: mysqldRun(o.mysqld_run, source),
  };
}

function mysqldRun(v: unknown, file: string): MysqldRun | null {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o !== "object" || typeof o.boot !== "string" || typeof o.start !== "string") {
    throw new XenonError(`${file}: "mysqld_run" must hold boot and start`);
  }
  return { boot: o.boot, start: o.start };
}

function lostRelayLog(v: unknown, file: string): LostRelayLog | null {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o !== "object" || typeof o.from !== "string") {
    throw new XenonError(`${file}: "relay_log_lost" must hold from and term`);
  }
  return { from: o.from, term: count(o.term, "relay_log_lost.term", file) };
}

function replicationSource(v: unknown, file: string): ReplicationSource | null {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  if (
    typeof o !== "object" || typeof o.leader !== "string" || typeof o.termStart !== "string" ||
    typeof o.from !== "string"
  ) {
    throw new XenonError(`${file}: "source" must hold leader, term, termStart and from`);
  }
  const acked = o.ackedTerm === undefined ? {} : {
    ackedTerm: count(o.ackedTerm, "source.ackedTerm", file),
  };
  return {
    leader: o.leader,
    term: count(o.term, "source.term", file),
    termStart: o.termStart,
    from: o.from,
    ...acked,
  };
}

function count(v: unknown, key: string, source: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new XenonError(`${source}: "${key}" must be a non-negative integer`);
  }
  return v;
}

function text_(v: unknown, key: string, source: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new XenonError(`${source}: "${key}" must be a string`);
  return v;
}

function list(v: unknown, key: string, source: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
    throw new XenonError(`${source}: "${key}" must be a list of "host:port" strings`);
  }
  return [...new Set(v as string[])];
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

export function sameMeta(a: PersistedMeta, b: PersistedMeta): boolean {
  return encodePeersJson(a) === encodePeersJson(b);
}
