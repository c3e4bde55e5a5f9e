/**
 * JSON text → typed config, collecting every problem instead of stopping at the first (config
 * check reports them all; the loader refuses on the first). Matching follows Go's encoding/json
 * as the original uses it: keys match case-insensitively, omitted or null keys keep their
 * defaults, the last duplicate wins; unlike Go, unknown keys are reported as warnings.
 */
import { derive, DERIVED, type XenonConfig } from "./derive.ts";
import { error, type Finding, warning } from "./finding.ts";
import { findJsonSyntaxError } from "./json_syntax.ts";
import { camel, type SchemaValues, type SectionName, SECTIONS, specsOf } from "./schema.ts";
import { jsonTypeOf, show } from "./spec.ts";

export interface DecodeResult {
  config: XenonConfig;
  /** Type and range errors; keys in error keep their defaults in `config`. */
  errors: Finding[];
  /** Unknown keys and ignored derived keys. */
  warnings: Finding[];
  /** `section.key` of every key the file sets (canonical spelling). */
  present: Set<string>;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Exact match first, then case-insensitive (Go's rule). */
function match<T extends string>(name: string, candidates: readonly T[]): T | undefined {
  return candidates.find((c) => c === name) ??
    candidates.find((c) => c.toLowerCase() === name.toLowerCase());
}

export function defaultValues(): SchemaValues {
  const values: Record<string, Obj> = {};
  for (const section of SECTIONS) {
    values[section] = {};
    for (const [key, spec] of specsOf(section)) values[section][camel(key)] = spec.default;
  }
  return values as SchemaValues;
}

export function decodeConfig(text: string, source: string): DecodeResult {
  const values = defaultValues() as unknown as Record<string, Obj>;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const present = new Set<string>();
  const derivedRaw: { section: SectionName; keyName: string; goName: string; raw: unknown }[] = [];
  const done = () => ({
    config: derive(values as unknown as SchemaValues),
    errors,
    warnings,
    present,
  });

  const body = text.replace(/^\uFEFF/, "");
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    const where = findJsonSyntaxError(body);
    const message = body.trim() === ""
      ? "the file is empty; expected a JSON object with sections server, raft, mysql, ..."
      : where
      ? `invalid JSON at line ${where.line}, column ${where.column}: ${where.reason}`
      : "invalid JSON";
    errors.push(error(source, message));
    return done();
  }
  if (!isObject(root)) {
    errors.push(error(
      source,
      `the file holds ${jsonTypeOf(root)}; expected a JSON object with sections ${
        SECTIONS.join(", ")
      }`,
    ));
    return done();
  }

  for (const [name, sectionRaw] of Object.entries(root)) {
    const section = match(name, SECTIONS);
    if (section === undefined) {
      warnings.push(warning(name, "unknown key, ignored"));
      continue;
    }
    if (sectionRaw === null) continue;
    if (!isObject(sectionRaw)) {
      errors.push(
        error(section, `${show(sectionRaw)} is ${jsonTypeOf(sectionRaw)}; expected an object`),
      );
      continue;
    }
    const specs = specsOf(section);
    const keys = specs.map(([key]) => key);
    const derived = DERIVED[section] ?? [];
    for (const [keyName, raw] of Object.entries(sectionRaw)) {
      const key = match(keyName, keys);
      if (key === undefined) {
        const goName = match(keyName, derived.map((d) => d.goName));
        if (goName !== undefined) derivedRaw.push({ section, keyName, goName, raw });
        else warnings.push(warning(`${section}.${keyName}`, "unknown key, ignored"));
        continue;
      }
      const path = `${section}.${key}`;
      present.add(path);
      if (raw === null) continue;
      const spec = specs.find(([k]) => k === key)![1];
      const decoded = spec.decode(raw);
      if (decoded.ok) values[section][camel(key)] = decoded.value;
      else for (const problem of decoded.problems) errors.push(error(path, problem));
    }
  }

  const result = done();
  for (const { section, keyName, goName, raw } of derivedRaw) {
    const field = DERIVED[section]!.find((d) => d.goName === goName)!;
    const actual = (result.config[section] as Obj)[field.prop];
    if (raw === null || raw === actual) continue;
    const uses = field.secret ? field.from : `${field.from} (${show(actual)})`;
    warnings.push(warning(`${section}.${keyName}`, `ignored; xenon uses ${uses}`));
  }
  return result;
}
