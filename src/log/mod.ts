/**
 * Logging for the daemon and the CLI, on LogTape. One line per record, as text (the default) or as
 * JSON lines (`log.format: "json"`); every registered secret is masked in the final line, whatever
 * part of the record it came from (message, properties, an error's text).
 */
import {
  configureSync,
  getLogger,
  getTextFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  resetSync,
} from "@logtape/logtape";
import { lineWriter } from "../lib/io.ts";
import { redact } from "../lib/redact.ts";

export type LogFormat = "text" | "json";

/** The original's level names (xlog), and what each means here. PANIC logs like FATAL. */
const LEVELS: Record<string, LogLevel> = {
  DEBUG: "debug",
  INFO: "info",
  WARNING: "warning",
  ERROR: "error",
  FATAL: "fatal",
  PANIC: "fatal",
};

/** The level for a `log.level` value; unknown names log everything, as the original did. */
export function logLevelFromConfig(name: string): LogLevel {
  return LEVELS[name.toUpperCase()] ?? "debug";
}

const LEVEL_NAMES: Record<LogLevel, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warning: "WARNING",
  error: "ERROR",
  fatal: "FATAL",
};

/** `2026/11/27 14:50:01.123456` in local time, the original's timestamp layout. */
function timestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

const textFormatter = getTextFormatter({
  value: "bare",
  format: (v) =>
    `${timestamp(v.record.timestamp)} [${
      LEVEL_NAMES[v.record.level]
    }] \t${v.category}: ${v.message}`,
  category: (c) => c.slice(1).join(".") || c.join("."),
});

/** One JSON object per line; values in the message render bare, as in the text format. */
function jsonFormatter(record: LogRecord): string {
  const message = record.message.map((part, i) =>
    i % 2 === 0 || typeof part === "string" ? String(part) : JSON.stringify(part)
  ).join("");
  return JSON.stringify({
    time: new Date(record.timestamp).toISOString(),
    level: LEVEL_NAMES[record.level],
    logger: record.category.join("."),
    message,
    ...record.properties,
  });
}

export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go: the daemon logs to stdout (as the original), the CLI to stderr. */
  write: (line: string) => void;
}

/** Sets up the `xenon` logger tree; calling it again replaces the previous setup. */
export function setupLogging(options: LogOptions): void {
  const format = options.format === "json" ? jsonFormatter : textFormatter;
  const sink = (record: LogRecord) => {
    const line = redact(format(record));
    options.write(line);
  };
  resetSync();
  configureSync({
    sinks: { out: sink },
    loggers: [
      { category: ["xenon"], lowestLevel: options.level, sinks: ["out"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
}

/** Writers for `LogOptions.write`, synchronous so that lines keep their order. */
export const toStdout = lineWriter(Deno.stdout);
export const toStderr = lineWriter(Deno.stderr);

/** The logger of one concern, e.g. `log("raft")` logs as category `raft`. */
export function log(concern: string): Logger {
  return getLogger(["xenon", concern]);
}
