/** File helpers: durable writes, TLS material. */
import { oneLine, XenonError } from "./errors.ts";

/** Makes a directory's entries (a rename, a new file) durable: fsync of the directory itself. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Writes `bytes` so that a crash leaves either the old or the new file, never a torn one: a new
 * temp file (mode applied), fsync, rename over `path`, fsync of the directory.
 */
export async function writeFileDurably(
  path: string,
  bytes: Uint8Array,
  mode = 0o600,
): Promise<void> {
  const temp = `${path}.tmp`;
  // `mode` applies only to a new file: a temp file left by a crash would keep its old mode.
  await Deno.remove(temp).catch(() => {});
  const file = await Deno.open(temp, { write: true, createNew: true, mode });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temp, path);
  await syncDir(path.replace(/\/[^/]*$/, "") || "/");
}

/** The PEM certificate and key of a TLS listener; a missing file is one line naming its key. */
export async function readTlsFiles(
  files: { certFile: string; keyFile: string },
): Promise<{ cert: string; key: string }> {
  const read = async (file: string, key: string) => {
    try {
      return await Deno.readTextFile(file);
    } catch (error) {
      throw new XenonError(`cannot read ${key} ${file}: ${oneLine(error)}`, { cause: error });
    }
  };
  return {
    cert: await read(files.certFile, "server.tls-cert"),
    key: await read(files.keyFile, "server.tls-key"),
  };
}
