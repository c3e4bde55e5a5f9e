/** How command results are printed: xenoncli's tables, or JSON with `--json`. */
import { XenonError } from "../lib/errors.ts";
import type { ActionResult } from "../model/mod.ts";
import type { CliContext } from "./context.ts";
import { renderTable, UNKNOWN } from "./table.ts";

/** A table, or with `--json` an array of objects keyed by the column names ("" for UNKNOW). */
export function printTable(ctx: CliContext, headers: string[], rows: string[][]): void {
  if (!ctx.json) return ctx.out(renderTable(headers, rows));
  const objects = rows.map((row) =>
    Object.fromEntries(headers.map((h, i) => [h, row[i] === UNKNOWN ? "" : row[i] ?? ""]))
  );
  ctx.out(JSON.stringify(objects));
}

/**
 * Prints what a daemon did: `HOST:PORT: reason`, or the result as JSON. A refusal is exit 1; in
 * text it is a one-line error naming the node and what was refused.
 */
export function printAction(
  ctx: CliContext,
  endpoint: string,
  what: string,
  result: ActionResult,
): number {
  if (ctx.json) {
    ctx.out(JSON.stringify({ endpoint, ...result }));
    return result.ok ? 0 : 1;
  }
  if (!result.ok) {
    throw new XenonError(
      `xenon at ${endpoint} refused to ${what}: ${result.reason || "no reason"}`,
    );
  }
  ctx.out(`${endpoint}: ${result.reason || `${what}: done`}`);
  return 0;
}
