/**
 * `mysql.master-sysvars` / `mysql.slave-sysvars`: `;`-separated `name=value` items that xenon runs
 * as `SET GLOBAL name=value` on promotion / demotion. The original pasted each item verbatim after
 * `SET GLOBAL`; we accept only a variable name and a plain or quoted value, so an item can never
 * smuggle in more SQL, and a malformed item is refused when the config loads instead of failing in
 * the middle of a failover.
 */
import { ConfigError } from "../lib/errors.ts";

export interface Sysvar {
  name: string;
  /** As written: a bare word/number (`ON`, `default`, `1000`) or a quoted string (`'ROW'`). */
  value: string;
}

export interface ScannedProfile {
  items: Sysvar[];
  /** One phrase per malformed item (without the key). */
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE_VALUE = /^[A-Za-z0-9_.+-]+$/;
const QUOTED_VALUE = /^'[^'\\]*'$|^"[^"\\]*"$/;
const FORMAT = 'expected name=value items separated by ";"';

export function scanSysvarProfile(text: string): ScannedProfile {
  const items: Sysvar[] = [];
  const problems: string[] = [];
  for (const raw of text.split(";")) {
    const item = raw.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) {
      problems.push(`${JSON.stringify(item)} has no value; ${FORMAT}`);
      continue;
    }
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!NAME.test(name)) {
      problems.push(
        `${JSON.stringify(name)} is not a variable name; expected letters, digits and _`,
      );
    } else if (value === "") {
      problems.push(`${name} has an empty value; ${FORMAT}`);
    } else if (!BARE_VALUE.test(value) && !QUOTED_VALUE.test(value)) {
      problems.push(
        `${name}=${value}: the value is neither a plain word or number nor a 'quoted string'`,
      );
    } else {
      items.push({ name, value });
    }
  }
  return { items, problems };
}

/** Parses a profile; a malformed item throws ConfigError naming `key` and the item. */
export function parseSysvarProfile(text: string, key: string): Sysvar[] {
  const { items, problems } = scanSysvarProfile(text);
  if (problems.length > 0) throw new ConfigError(`${key}: ${problems[0]}`);
  return items;
}

/** The value without its quotes, for comparisons. */
export function unquote(value: string): string {
  return QUOTED_VALUE.test(value) ? value.slice(1, -1) : value;
}
