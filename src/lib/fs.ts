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
