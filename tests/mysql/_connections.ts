/** Filling a server's connection slots, as clients that leave no room for the agent would. */
import mysql from "mysql2/promise";

/** Bound on connection attempts: the test servers' few max_connections, plus slack. */
const MAX_ATTEMPTS = 20;

/**
 * Opens connections as `user` until the server refuses one; returns them and the refusal. Each
 * stays open however short the server's wait_timeout, so no slot frees up during the test.
 */
export async function fill(
  port: number,
  user: string,
  password: string,
): Promise<{ conns: mysql.Connection[]; refusal: string }> {
  const conns: mysql.Connection[] = [];
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    try {
      const c = await mysql.createConnection({
        host: "127.0.0.1",
        port,
        user,
        password,
        connectTimeout: 2000,
      });
      c.on("error", () => {});
      await c.query("SET SESSION wait_timeout = 3600");
      conns.push(c);
    } catch (error) {
      return { conns, refusal: String((error as { code?: string }).code) };
    }
  }
  return { conns, refusal: "none" };
}
