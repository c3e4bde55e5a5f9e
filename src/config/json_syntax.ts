/**
 * Where and why a JSON text is invalid, as `line L, column C: reason`. V8's own messages are not
 * used: some quote the whole input, which would print passwords, and some give no position.
 */

export interface SyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

class Stop {
  constructor(readonly pos: number, readonly reason: string) {}
}

/** Returns the first syntax problem, or undefined when `text` is valid JSON. */
export function findJsonSyntaxError(text: string): SyntaxProblem | undefined {
  let pos = 0;
  const fail = (reason: string): never => {
    throw new Stop(pos, reason);
  };
  const found = () => pos < text.length ? describe(text[pos]) : "end of file";
  const here = () => `unexpected ${found()}`;
  const skipSpace = () => {
    while (pos < text.length && " \t\n\r".includes(text[pos])) pos++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(here());
  };
  const string = () => {
    pos++; // opening quote
    while (pos < text.length && text[pos] !== '"') {
      const c = text[pos];
      if (c < " ") fail("line break or control character inside a string");
      if (c === "\\") {
        pos++;
        if (pos < text.length && 'bfnrt"\\/'.includes(text[pos])) pos++;
        else if (text[pos] === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(pos + 1, pos + 5))) {
          pos += 5;
        } else fail("invalid escape in a string");
      } else pos++;
    }
    if (pos >= text.length) fail("unterminated string");
    pos++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (!match) fail(here());
    pos += match![0].length;
  };
  const value = (): void => {
    skipSpace();
    const c = text[pos];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    fail(c === "$" || c === "%" ? `${here()} (replace the placeholder with a real value)` : here());
  };
  /** An object's or array's comma-separated items, from its opening bracket to `close`. */
  const items = (close: "}" | "]", item: () => void) => {
    pos++;
    skipSpace();
    if (text[pos] === close) return void pos++;
    for (;;) {
      skipSpace();
      if (text[pos] === close) fail(`trailing comma before ${close}`);
      item();
      skipSpace();
      if (text[pos] === ",") pos++;
      else if (text[pos] === close) return void pos++;
      else fail(`expected "," or "${close}", found ${found()}`);
    }
  };
  const member = () => {
    if (text[pos] !== '"') fail(`expected a double-quoted key, found ${found()}`);
    string();
    skipSpace();
    if (text[pos] !== ":") fail(`expected ":" after the key, found ${found()}`);
    pos++;
    value();
  };
  const object = () => items("}", member);
  const array = () => items("]", value);
  try {
    value();
    skipSpace();
    if (pos < text.length) fail("unexpected text after the end of the JSON value");
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { ...lineColumn(text, e.pos), reason: e.reason };
  }
}

function describe(c: string): string {
  return /[\x21-\x7e]/.test(c)
    ? `"${c}"`
    : `character U+${c.codePointAt(0)!.toString(16).padStart(4, "0")}`;
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  return { line, column: pos - before.lastIndexOf("\n") };
}
