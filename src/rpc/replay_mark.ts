/**
 * Replay protection across restarts. The nonce cache lives in memory, so after a restart a request
 * captured within the clock window could be accepted again. A restarted server refuses every
 * request stamped before its floor: the later of its start time (which covers a host that crashed
 * and rebooted) and the mark it keeps in a file, which is moved ahead of a request's timestamp
 * before that request is accepted (which covers a quick restart, and a sender whose clock runs
 * ahead of ours). The mark jumps by STEP_MS, so it is written at most about once per STEP_MS.
 *
 * A sender's clock far ahead would push the mark, and so the next run's floor, as far past this
 * node's own clock: after a restart it would refuse every caller with a correct clock until its
 * own clock caught up (up to the whole clock window). So while a mark is kept, requests stamped
 * more than AHEAD_MS ahead of this node's clock are refused (in one line), and the mark stays
 * within AHEAD_MS + STEP_MS of this node's clock. Requests stamped behind keep the whole window.
 */
import { oneLine, XenonError } from "../lib/errors.ts";

/** Where a daemon keeps its mark: `raft.meta-datadir/rpc-replay-mark`. */
export function replayMarkPath(metaDir: string): string {
  return `${metaDir}/rpc-replay-mark`;
}

/** How far ahead of the newest accepted timestamp the mark is written. */
const STEP_MS = 1000;

/** How far ahead of this node's clock a request may be stamped (within the clock window). */
export const AHEAD_MS = 10_000;

export class ReplayMark {
  /** Requests stamped before this are refused: they may have been accepted before the restart. */
  readonly floor: number;
  readonly #path: string;
  #covered: number;
  #pending?: Promise<void>;

  private constructor(path: string, covered: number, floor: number) {
    this.#path = path;
    this.#covered = covered;
    this.floor = floor;
  }

  /**
   * Reads the mark a previous run left in `path` (none: a first start).
   *
   * @throws XenonError when the file exists but cannot be read or holds no timestamp.
   */
  static async open(path: string, startedAt: number): Promise<ReplayMark> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new ReplayMark(path, 0, startedAt);
      throw new XenonError(`cannot read the RPC replay mark ${path}: ${oneLine(error)}`);
    }
    const mark = Number(text.trim());
    if (!/^\d{1,16}$/.test(text.trim())) {
      throw new XenonError(
        `the RPC replay mark ${path} holds no timestamp; remove it and start xenon again`,
      );
    }
    return new ReplayMark(path, mark, Math.max(mark, startedAt));
  }

  /**
   * Why a request stamped `time` cannot be covered at `now` (this node's clock), or null: one
   * stamped further ahead than AHEAD_MS (or the clock window `maxSkewMs`, if smaller).
   */
  refusalFor(time: number, now: number, maxSkewMs: number): string | null {
    const limit = Math.min(AHEAD_MS, maxSkewMs);
    if (time - now <= limit) return null;
    return `request timestamp is ${Math.round((time - now) / 1000)}s ahead of this node's ` +
      `clock (limit ${limit / 1000}s ahead, ${maxSkewMs / 1000}s behind): check NTP on both nodes`;
  }

  /**
   * Resolves once the file covers `time`, so a request stamped `time` may be accepted.
   *
   * @throws XenonError when the mark cannot be written (the request must then be refused).
   */
  async cover(time: number): Promise<void> {
    // Bounded: every pass either moves #covered past an earlier caller's time or throws.
    while (time >= this.#covered) {
      this.#pending ??= this.#write(time + STEP_MS).finally(() => this.#pending = undefined);
      await this.#pending;
    }
  }

  async #write(mark: number): Promise<void> {
    const temp = `${this.#path}.tmp`;
    try {
      // No fsync: it only has to outlive the agent process, and the page cache does; after a
      // host crash and reboot, the start time is later than anything accepted before it.
      await Deno.writeTextFile(temp, `${mark}\n`);
      await Deno.rename(temp, this.#path);
    } catch (error) {
      throw new XenonError(`cannot write the RPC replay mark ${this.#path}: ${oneLine(error)}`);
    }
    this.#covered = Math.max(this.#covered, mark);
  }
}
