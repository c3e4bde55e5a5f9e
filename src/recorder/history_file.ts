/**
 * `history.jsonl` on disk: appended one line at a time (open, write, fdatasync), rotated to
 * `history.jsonl.1` … `.N` at a size, and read back newest first with bounded memory.
 */
import { syncDir } from "../lib/fs.ts";
import { oneLine, XenonError } from "../lib/errors.ts";

export const HISTORY_FILE = "history.jsonl";

export interface HistoryFileOptions {
  dir: string;
  /** Rotate before a line would take the current file past this. */
  maxFileBytes: number;
  /** Rotated files kept besides the current one. */
  keepFiles: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function historyPaths(options: HistoryFileOptions): string[] {
  const base = `${options.dir}/${HISTORY_FILE}`;
  return [base, ...Array.from({ length: options.keepFiles }, (_, i) => `${base}.${i + 1}`)];
}

/** Appends one line durably. A torn last line (crash mid-write) is closed off first. */
export async function appendLine(options: HistoryFileOptions, line: string): Promise<void> {
  const [path] = historyPaths(options);
  const bytes = encoder.encode(`${line}\n`);
  try {
    const size = await fileSize(path);
    if (size > 0 && size + bytes.length > options.maxFileBytes) {
      await rotate(options);
      await writeDurably(path, bytes, false);
    } else {
      await writeDurably(path, bytes, size > 0 && !(await endsWithNewline(path, size)));
    }
    if (size === 0) await syncDir(options.dir);
  } catch (error) {
    throw new XenonError(
      `cannot append to ${path}: ${oneLine(error)}; check raft.meta-datadir`,
      { cause: error },
    );
  }
}

async function writeDurably(path: string, bytes: Uint8Array, closeTornLine: boolean) {
  const file = await Deno.open(path, { append: true, create: true, mode: 0o640 });
  try {
    const all = closeTornLine ? concat(encoder.encode("\n"), bytes) : bytes;
    let written = 0;
    while (written < all.length) written += await file.write(all.subarray(written));
    await file.syncData();
  } finally {
    file.close();
  }
}

async function rotate(options: HistoryFileOptions): Promise<void> {
  const paths = historyPaths(options);
  if (options.keepFiles === 0) {
    await Deno.remove(paths[0]);
    return;
  }
  await Deno.remove(paths[paths.length - 1]).catch(ignoreMissing);
  for (let i = paths.length - 2; i >= 0; i--) {
    await Deno.rename(paths[i], paths[i + 1]).catch(ignoreMissing);
  }
  await syncDir(options.dir);
}

/**
 * The last `maxLines` complete lines, oldest first, reading the current file then older ones
 * until enough; a line over `maxLineBytes` is returned as null (the caller reports it).
 */
export async function readLastLines(
  options: HistoryFileOptions,
  maxLines: number,
  maxLineBytes: number,
): Promise<{ lines: (string | null)[]; tornTail: boolean }> {
  const collected: (string | null)[] = [];
  let tornTail = false;
  for (const [index, path] of historyPaths(options).entries()) {
    if (collected.length >= maxLines) break;
    // Files stay under maxFileBytes (plus one line), whatever anyone else wrote into them.
    const text = await readBoundedTail(
      path,
      Math.min(maxLines * maxLineBytes, options.maxFileBytes + maxLineBytes),
    );
    if (text === null) continue;
    const parts = text.split("\n");
    const last = parts.pop() ?? "";
    // Only the current file can end mid-line (rotation happens between whole lines).
    if (index === 0 && last !== "") tornTail = true;
    const lines = parts.filter((l) => l !== "").map((l) =>
      encoder.encode(l).length > maxLineBytes ? null : l
    );
    collected.unshift(...lines.slice(-(maxLines - collected.length)));
  }
  return { lines: collected, tornTail };
}

/** The last `maxBytes` of a file, starting at a line boundary; null when it does not exist. */
async function readBoundedTail(path: string, maxBytes: number): Promise<string | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    const start = Math.max(0, size - maxBytes);
    await file.seek(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(size - start);
    let read = 0;
    while (read < buffer.length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    const text = decoder.decode(buffer.subarray(0, read));
    return start === 0 ? text : text.slice(text.indexOf("\n") + 1);
  } finally {
    file.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

async function endsWithNewline(path: string, size: number): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(size - 1, Deno.SeekMode.Start);
    const byte = new Uint8Array(1);
    return (await file.read(byte)) === 1 && byte[0] === 0x0a;
  } finally {
    file.close();
  }
}

function ignoreMissing(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
