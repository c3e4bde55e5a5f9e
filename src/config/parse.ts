/** Loading xenon.json: defaults, parsing, reading the file. */
import { ConfigError } from "../lib/errors.ts";
import { registerSecret } from "../lib/redact.ts";
import { decodeConfig, defaultValues } from "./decode.ts";
import { derive, type XenonConfig } from "./derive.ts";
import { formatFinding } from "./finding.ts";
import { camel, SECTIONS, specsOf } from "./schema.ts";

export interface LoadedConfig {
  config: XenonConfig;
  /** One line each: unknown keys, ignored derived keys. */
  warnings: string[];
}

/** The original's defaults (plus ours for new keys), derived fields included. */
export function defaultConfig(): XenonConfig {
  return derive(defaultValues());
}

/**
 * Masks every password of `config` in logs and error text from now on. A password left at its
 * published default (replication.passwd "repl") hides nothing and would mask every "replication".
 */
export function registerConfigSecrets(config: XenonConfig): void {
  for (const section of SECTIONS) {
    for (const [key, spec] of specsOf(section)) {
      const value = (config[section] as Record<string, unknown>)[camel(key)];
      if (spec.secret && value !== spec.default) registerSecret(String(value));
    }
  }
}

/**
 * Parses a config text. Omitted keys keep their defaults; unknown keys come back as warnings; the
 * first wrong type or impossible value throws ConfigError with one line naming key, value and
 * what is expected (and how many more problems `xenon config check` would list).
 */
export function parseConfig(text: string, source = "<file>"): LoadedConfig {
  const { config, errors, warnings } = decodeConfig(text, source);
  registerConfigSecrets(config);
  if (errors.length > 0) {
    const more = errors.length > 1
      ? ` (and ${errors.length - 1} more: run \`xenon config check\`)`
      : "";
    throw new ConfigError(formatFinding(errors[0]) + more);
  }
  return { config, warnings: warnings.map(formatFinding) };
}

/** Reads and parses the config file at `path`. */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  return parseConfig(await readConfigText(path), path);
}

/**
 * The file's text. Invalid UTF-8 is refused rather than replaced with U+FFFD, which would
 * silently change a password.
 */
export async function readConfigText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ConfigError(unreadable(path, e));
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(`config file ${path} is not UTF-8 text; expected a JSON file`);
  }
}

/** One line saying why `path` cannot be read and what to do. */
export function unreadable(path: string, e: unknown): string {
  if (e instanceof Deno.errors.NotFound) {
    return `config file ${path} does not exist; pass -c FILE or fix the path in config.path`;
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return `config file ${path} is not readable by this user; run as its owner (keep it chmod 600)`;
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return `config file ${path} is a directory; pass the xenon.json file inside it`;
  }
  return `cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`;
}
