/** Waiting for the local MySQL after a start: the daemon's start-up and a rebuild's restart. */
import { oneLine, XenonError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import type { MysqlHandle } from "../mysql/mod.ts";
import type { MysqlSession } from "../ports/mod.ts";

/** Waits (bounded) until the local MySQL answers on `link`, logging progress every 5 s. */
export async function waitForMysql(
  link: MysqlSession<MysqlHandle>,
  timeoutMs: number,
): Promise<MysqlHandle> {
  const started = performance.now();
  let lastLog = started;
  let lastError = "";
  while (performance.now() - started < timeoutMs) {
    try {
      return await link.get();
    } catch (error) {
      lastError = oneLine(error);
      await link.reset();
    }
    if (performance.now() - lastLog >= 5000) {
      lastLog = performance.now();
      log("node").info`waiting for MySQL: ${lastError}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new XenonError(`MySQL did not answer within ${timeoutMs / 1000} s: ${lastError}`);
}
