/** Synchronous whole-line writes: log lines and CLI output keep their order, and a pipe that
 * accepts only part of a write gets the rest too. */
const encoder = new TextEncoder();

export function writeAllSync(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

/** Writes `text` plus a newline unless it already ends with one. */
export function lineWriter(stream: { writeSync(p: Uint8Array): number }): (text: string) => void {
  return (text) => writeAllSync(stream, text.endsWith("\n") ? text : text + "\n");
}
