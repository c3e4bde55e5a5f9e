/**
 * Value specifications: one per config key. A spec knows the key's default and turns a raw JSON
 * value into a typed value or into problem phrases such as
 * `"3306" is a string; expected a number 1-65535` (the caller prefixes the key).
 */

export type Decoded<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface Spec<T> {
  readonly default: T;
  /** Passwords: never shown in messages, registered for redaction, checked against file mode. */
  readonly secret: boolean;
  /** What a valid value looks like, for messages and the reference page. */
  readonly expected: string;
  decode(raw: unknown): Decoded<T>;
}

/** Timers run on setTimeout, which fires at once for delays above 2^31-1 ms (24.8 days). */
export const MAX_MS = 2147483647;

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const bad = <T>(...problems: string[]): Decoded<T> => ({ ok: false, problems });

/** "a string", "an array", ...: the JSON type of a raw value, with its article. */
export function jsonTypeOf(raw: unknown): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "object") return "an object";
  if (typeof raw === "boolean") return "a boolean";
  return `a ${typeof raw}`;
}

/** A raw value as the operator wrote it, shortened; secrets are never shown. */
export function show(raw: unknown, secret = false): string {
  if (secret) return "the value";
  const text = typeof raw === "number" ? String(raw) : JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wrongType<T>(raw: unknown, expected: string, secret = false): Decoded<T> {
  return bad(`${show(raw, secret)} is ${jsonTypeOf(raw)}; expected ${expected}`);
}

/**
 * The sample configs ship `${YOUR-HOST}`-style placeholders (one even as `%{YOUR-HOST}`).
 * `${XENON_...}` is not one: the leader commands' environment variables (src/vip).
 */
const PLACEHOLDER = /[$%]\{(?!XENON_[A-Z_]*\})[^}]*\}/;

export interface StringOptions {
  secret?: boolean;
  /** Returns a problem phrase about a string value, or undefined when it is fine. */
  check?: (value: string) => string | string[] | undefined;
  expected?: string;
}

export function str(def: string, options: StringOptions = {}): Spec<string> {
  const secret = options.secret ?? false;
  const expected = options.expected ?? "a string";
  return {
    default: def,
    secret,
    expected,
    decode(raw) {
      if (typeof raw !== "string") {
        if (secret && typeof raw === "number") {
          return bad(`${show(raw, true)} is a number; expected a string (put it in double quotes)`);
        }
        return wrongType(raw, expected, secret);
      }
      const placeholder = PLACEHOLDER.exec(raw);
      if (placeholder) {
        return bad(
          `${show(raw, secret)} holds the placeholder ${
            placeholder[0]
          }; replace it with a real value`,
        );
      }
      const problem = options.check?.(raw);
      if (problem === undefined || problem.length === 0) return ok(raw);
      return bad(...(typeof problem === "string" ? [problem] : problem));
    },
  };
}

export function int(def: number, min: number, max: number, unit = ""): Spec<number> {
  const expected = `a number ${min}-${max}${unit ? ` (${unit})` : ""}`;
  return {
    default: def,
    secret: false,
    expected,
    decode(raw) {
      if (typeof raw !== "number") return wrongType(raw, expected);
      if (!Number.isInteger(raw)) {
        return bad(`${show(raw)} is not a whole number; expected ${expected}`);
      }
      if (raw < min || raw > max) return bad(`${show(raw)} is out of range; expected ${expected}`);
      return ok(raw);
    },
  };
}

/** A duration in milliseconds that a timer can actually wait. */
export const ms = (def: number, min = 1): Spec<number> => int(def, min, MAX_MS, "milliseconds");

export function bool(def: boolean): Spec<boolean> {
  const expected = "true or false";
  return {
    default: def,
    secret: false,
    expected,
    decode: (raw) => typeof raw === "boolean" ? ok(raw) : wrongType(raw, expected),
  };
}

/** One of a fixed set of words; `fold` accepts any letter case and keeps the canonical spelling. */
export function oneOf<const T extends string>(def: T, values: readonly T[], fold = false): Spec<T> {
  const expected = `one of ${values.join(", ")}`;
  return {
    default: def,
    secret: false,
    expected,
    decode(raw) {
      if (typeof raw !== "string") return wrongType(raw, expected);
      const found = values.find((v) => fold ? v.toLowerCase() === raw.toLowerCase() : v === raw);
      return found === undefined ? bad(`${show(raw)} is unknown; expected ${expected}`) : ok(found);
    },
  };
}
