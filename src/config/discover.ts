/**
 * Which config file a command uses: `-c/--config FILE`, then `$XENON_CONFIG`, then xenoncli's
 * rule: the path written inside a `config.path` file in the working directory, else beside the
 * executable. Unlike the original, a relative path inside config.path is taken relative to the
 * config.path file itself, so it means the same thing from every working directory.
 */
import { ConfigError } from "../lib/errors.ts";

export interface DiscoverOptions {
  flag?: string;
  env?: string;
  cwd: string;
  exeDir: string;
}

export const POINTER_FILE = "config.path";

export function discoverConfigPath(options: DiscoverOptions): string {
  if (options.flag !== undefined) {
    if (options.flag.trim() === "") throw new ConfigError("-c/--config: empty path; expected FILE");
    return options.flag;
  }
  if (options.env !== undefined && options.env.trim() !== "") return options.env;
  for (const dir of [options.cwd, options.exeDir]) {
    const pointer = join(dir, POINTER_FILE);
    const target = readPointer(pointer);
    if (target !== undefined) return isAbsolute(target) ? target : join(dir, target);
  }
  throw new ConfigError(
    `no config file: pass -c FILE, set XENON_CONFIG, or write the config's path into ` +
      `${join(options.cwd, POINTER_FILE)}`,
  );
}

/** The trimmed content of a config.path file, or undefined when there is none. */
function readPointer(pointer: string): string | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(pointer);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError(`cannot read ${pointer}: ${why}; fix it or pass -c FILE`);
  }
  const target = text.trim();
  if (target === "") {
    throw new ConfigError(`${pointer} is empty; write the path of xenon.json into it`);
  }
  return target;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}
