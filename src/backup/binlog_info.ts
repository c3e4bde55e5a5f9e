/**
 * The source position a backup was taken at, from the file the backup tool writes next to the
 * data: `<binlog file>\t<offset>\t<GTID position>` (MySQL sets may span lines after commas).
 */
import { XenonError } from "../lib/errors.ts";
import type { BackupTools } from "../mysql/backup_flavor.ts";

/** The GTID position in a binlog info file's text; "" when the source had written none yet. */
export function parseBinlogInfo(text: string, tools: BackupTools, path: string): string {
  const fields = text.split("\t");
  if (fields.length < tools.gtidField) {
    throw new XenonError(
      `${path}: expected "file<TAB>offset<TAB>gtid", got ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return fields.slice(tools.gtidField).join("").replace(/\s+/g, "");
}

/** Reads the first binlog info file the tools name from a prepared backup in `dir`. */
export async function readBackupPosition(dir: string, tools: BackupTools): Promise<string> {
  for (const name of tools.binlogInfoFiles) {
    const path = `${dir}/${name}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    return parseBinlogInfo(text.trim(), tools, path);
  }
  throw new XenonError(
    `no ${
      tools.binlogInfoFiles.join(" or ")
    } in ${dir}: the backup does not say where replication resumes`,
  );
}
