/**
 * peers.json in `raft.meta-datadir`: the core's persisted term, vote and membership. Written
 * durably before any effect of the same transition runs: temp file, fsync, rename, fsync of the
 * directory, mode 0600.
 */
import { writeFileDurably } from "../lib/fs.ts";
import type { StateStore } from "../ports/mod.ts";
import { decodePeersJson, encodePeersJson, type PersistedMeta } from "../raft/mod.ts";
import { oneLine, XenonError } from "../lib/errors.ts";

export const PEERS_FILE = "peers.json";

export function peersPath(metaDir: string): string {
  return `${metaDir.replace(/\/+$/, "") || "/"}/${PEERS_FILE}`;
}

/** The stored meta, or null when there is no file yet (a new node). */
export async function readPeersFile(metaDir: string): Promise<PersistedMeta | null> {
  const path = peersPath(metaDir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new XenonError(`cannot read ${path}: ${oneLine(error)}; check raft.meta-datadir`);
  }
  return decodePeersJson(text, path);
}

/** Writes `meta` so that a crash leaves either the old or the new file, never a torn one. */
export async function writePeersFile(metaDir: string, meta: PersistedMeta): Promise<void> {
  const path = peersPath(metaDir);
  try {
    await writeFileDurably(path, new TextEncoder().encode(encodePeersJson(meta)));
  } catch (error) {
    throw new XenonError(`cannot write ${path}: ${oneLine(error)}; check raft.meta-datadir`);
  }
}

/** Creates the directory (0700) if missing; one line when it cannot. */
export async function ensureMetaDir(metaDir: string): Promise<void> {
  try {
    await Deno.mkdir(metaDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new XenonError(
      `raft.meta-datadir ${metaDir} cannot be created: ${oneLine(error)}`,
    );
  }
}

/** peers.json in `metaDir` as the shell's durable state store. */
export class PeersFile implements StateStore {
  constructor(readonly metaDir: string) {}

  load(): Promise<PersistedMeta | null> {
    return readPeersFile(this.metaDir);
  }

  save(meta: PersistedMeta): Promise<void> {
    return writePeersFile(this.metaDir, meta);
  }
}
