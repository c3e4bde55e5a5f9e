/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests. The npm package
 * `parse-prometheus-text-format` was tried and is too lenient to prove anything (it accepts
 * `foo bar baz` as a sample and silently merges duplicate TYPE lines), so this one throws on
 * anything the format does not allow: bad names, bad escapes, non-numeric values, a TYPE after
 * its samples, a family split in two, duplicate series, a missing final newline.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL: Record<string, number> = { "NaN": NaN, "+Inf": Infinity, "-Inf": -Infinity };
const SUFFIXES = ["_bucket", "_sum", "_count"];

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text !== "" && !text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;
  const family = (name: string): Family => {
    if (current !== name) {
      if (closed.has(name)) throw new Error(`family ${name} is split in two`);
      if (current !== undefined) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) families.set(name, f = { name, type: "untyped", help: "", samples: [] });
    return f;
  };
  for (const [index, line] of text.split("\n").slice(0, -1).entries()) {
    const where = `line ${index + 1} ${JSON.stringify(line)}`;
    if (line.trim() === "") continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ""] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`);
      const f = family(name);
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        if (f.samples.length > 0 || (f as { typed?: boolean }).typed) {
          throw new Error(`${where}: TYPE after samples or twice`);
        }
        (f as { typed?: boolean }).typed = true;
        f.type = rest;
      } else {
        if ((f as { helped?: boolean }).helped) throw new Error(`${where}: HELP twice`);
        (f as { helped?: boolean }).helped = true;
        f.help = unescape(rest, false, where);
      }
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = parseSample(line, where);
    const base = familyName(sample.name, families);
    const f = family(base);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: duplicate series`);
    series.add(key);
    f.samples.push(sample);
  }
  for (const f of families.values()) {
    delete (f as { typed?: boolean }).typed;
    delete (f as { helped?: boolean }).helped;
  }
  return families;
}

function familyName(sampleName: string, families: Map<string, Family>): string {
  for (const suffix of SUFFIXES) {
    const base = sampleName.slice(0, -suffix.length);
    if (
      sampleName.endsWith(suffix) &&
      ["histogram", "summary"].includes(families.get(base)?.type ?? "")
    ) {
      return base;
    }
  }
  return sampleName;
}

function parseSample(line: string, where: string): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw new Error(`${where}: bad metric name`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const m = /^([^=]*)="/.exec(rest);
      if (!m || !LABEL_NAME.test(m[1])) throw new Error(`${where}: bad label`);
      if (m[1] in labels) throw new Error(`${where}: label ${m[1]} twice`);
      rest = rest.slice(m[0].length);
      let value = "";
      while (true) {
        if (rest === "") throw new Error(`${where}: unterminated label value`);
        if (rest[0] === '"') break;
        if (rest[0] === "\\") {
          value += rest.slice(0, 2);
          rest = rest.slice(2);
        } else {
          value += rest[0];
          rest = rest.slice(1);
        }
      }
      labels[m[1]] = unescape(value, true, where);
      rest = rest.slice(1);
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`${where}: expected , or }`);
    }
    rest = rest.slice(1);
  }
  const parts = rest.split(" ");
  if (parts[0] !== "" || parts.length < 2 || parts.length > 3) {
    throw new Error(`${where}: expected one space, a value and an optional timestamp`);
  }
  const text = parts[1];
  const value = text in SPECIAL ? SPECIAL[text] : FLOAT.test(text) ? Number(text) : undefined;
  if (value === undefined) {
    throw new Error(`${where}: value ${JSON.stringify(text)} is not a float`);
  }
  if (parts.length === 3 && !/^-?[0-9]+$/.test(parts[2])) {
    throw new Error(`${where}: timestamp is not an integer`);
  }
  return { name, labels, value };
}

function unescape(text: string, quotes: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    throw new Error(`${where}: bad escape \\${c}`);
  });
}
