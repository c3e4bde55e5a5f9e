/**
 * `rebuild.json` in `raft.meta-datadir`: which step a rebuild is in, written durably before the
 * step starts, so that an interrupted rebuild (agent killed, host rebooted) can be finished by
 * running it again, and the directories it moved are never guessed.
 */
import { writeFileDurably } from "../lib/fs.ts";
import { oneLine, XenonError } from "../lib/errors.ts";
import type { RebuildPhase } from "../model/mod.ts";

const REBUILD_STATE_FILE = "rebuild.json";

export interface RebuildState {
  phase: RebuildPhase;
  donor: string;
  force: boolean;
  datadir: string;
  /** The extracted backup before it is moved into place. */
  staging: string;
  /** Where the old datadir goes (and binlogs kept outside it, under `external/`). */
  aside: string;
  /** The position the backup was taken at (known after preparing). */
  position: string;
  /** Why it stopped, "" while it runs or after it succeeded. */
  error: string;
  updatedAt: string;
}

/** Phases after which the old datadir may no longer be in place: only forward from here. */
export const PAST_THE_SWAP: readonly RebuildPhase[] = [
  "moving",
  "starting",
  "positioning",
  "rejoining",
];

function statePath(metaDir: string): string {
  return `${metaDir.replace(/\/+$/, "") || "/"}/${REBUILD_STATE_FILE}`;
}

export async function readRebuildState(metaDir: string): Promise<RebuildState | null> {
  const path = statePath(metaDir);
  let state: RebuildState;
  try {
    state = JSON.parse(await Deno.readTextFile(path)) as RebuildState;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new XenonError(
      `cannot read ${path}: ${oneLine(error)}; remove it only if no rebuild is half done`,
    );
  }
  // A rebuild removes its staging and aside directories recursively: a damaged or hand-edited
  // file must not name any other directory.
  if (!namesOwnDirectories(state)) {
    throw new XenonError(
      `${path} names directories a rebuild does not make (datadir, staging, aside); ` +
        "remove it only if no rebuild is half done",
    );
  }
  return state;
}

function namesOwnDirectories(s: RebuildState): boolean {
  const d = s.datadir;
  return typeof d === "string" && d.startsWith("/") && d !== "/" &&
    s.staging === `${d}.xenon-staging` &&
    typeof s.aside === "string" && s.aside.startsWith(`${d}.before-rebuild-`) &&
    !s.aside.slice(d.length).includes("/");
}

/** Temp file, fsync, rename, fsync of the directory: a crash leaves the old or the new state. */
export async function writeRebuildState(metaDir: string, state: RebuildState): Promise<void> {
  const path = statePath(metaDir);
  const text = JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2);
  try {
    await writeFileDurably(path, new TextEncoder().encode(text));
  } catch (error) {
    throw new XenonError(`cannot write ${path}: ${oneLine(error)}`);
  }
}
