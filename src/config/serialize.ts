/**
 * Config → xenon.json text in the original's key names and layout (tab-indented, as its
 * WriteConfig). Derived fields are left out, unlike the original: they only repeated passwords in
 * the file, and every loader (ours and the original) recomputes them. The caller writes it 0600.
 */
import type { XenonConfig } from "./derive.ts";
import { camel, SECTIONS, specsOf } from "./schema.ts";

export function serializeConfig(config: XenonConfig): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const section of SECTIONS) {
    out[section] = {};
    const values = config[section] as Record<string, unknown>;
    for (const [key] of specsOf(section)) out[section][key] = values[camel(key)];
  }
  return JSON.stringify(out, null, "\t") + "\n";
}
