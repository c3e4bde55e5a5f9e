/**
 * Small validators for RPC bodies: each checks an `unknown` JSON value and returns it typed, or
 * throws a one-line `ValidationError` naming the field (`Nodes[1]: expected a string, got 7`).
 * Objects keep only the declared fields, so unknown fields from newer peers are ignored (as Go's
 * decoder did) and never reach a handler.
 */

/** A JSON value that does not have the expected shape. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

/** Checks `value` (found at `path`, "" for the root) and returns it typed. */
export type Validator<T> = (value: unknown, path?: string) => T;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "object") return "an object";
  return String(value);
}

function fail(path: string | undefined, expected: string, value: unknown): never {
  throw new ValidationError(`${path || "body"}: expected ${expected}, got ${describe(value)}`);
}

/** A string. */
export function string(): Validator<string> {
  return (value, path) => typeof value === "string" ? value : fail(path, "a string", value);
}

/** A finite number. */
export function number(): Validator<number> {
  return (value, path) =>
    typeof value === "number" && Number.isFinite(value) ? value : fail(path, "a number", value);
}

/** A non-negative safe integer (ports, counters, epoch and view ids). */
export function count(): Validator<number> {
  return (value, path) =>
    Number.isSafeInteger(value) && (value as number) >= 0
      ? value as number
      : fail(path, "a non-negative integer", value);
}

/** A boolean. */
export function boolean(): Validator<boolean> {
  return (value, path) => typeof value === "boolean" ? value : fail(path, "true or false", value);
}

/** One of the given strings (states, roles). */
export function oneOf<const T extends string>(choices: readonly T[]): Validator<T> {
  return (value, path) =>
    choices.includes(value as T) ? value as T : fail(path, `one of ${choices.join("|")}`, value);
}

/** An array whose items all pass `item`. */
export function arrayOf<T>(item: Validator<T>): Validator<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, "an array", value);
    return value.map((v, i) => item(v, `${path || "body"}[${i}]`));
  };
}

/** An array of strings (node lists). */
export function strings(): Validator<string[]> {
  return arrayOf(string());
}

/** The field may be missing or null; it is then `undefined`. */
export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (value, path) => value === undefined || value === null ? undefined : inner(value, path);
}

/** The field may be missing or null; it then takes `fallback` (like the original's defaults). */
export function withDefault<T>(inner: Validator<T>, fallback: T): Validator<T> {
  return (value, path) => value === undefined || value === null ? fallback : inner(value, path);
}

/** Any JSON value, passed through as is (for opaque sub-documents). */
export function anyJson(): Validator<unknown> {
  return (value) => value;
}

type Shape = Record<string, Validator<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** An object with the given fields; others are dropped. */
export function object<S extends Shape>(shape: S): Validator<Out<S>> {
  return (value, path) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(path, "an object", value);
    }
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [field, check] of Object.entries(shape)) {
      const got = Object.hasOwn(input, field) ? input[field] : undefined;
      const checked = check(got, path ? `${path}.${field}` : field);
      if (checked !== undefined) out[field] = checked;
    }
    return out as Out<S>;
  };
}
