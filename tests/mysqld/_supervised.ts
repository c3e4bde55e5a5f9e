/** A harness instance handed to a `Mysqld` supervisor (its own server stopped first). */
import { createInstance, type MariaDBInstance, ROOT_PASSWORD } from "../harness/mod.ts";
import { Mysqld } from "../../src/mysqld/mod.ts";
import { ping } from "../../src/mysql/mod.ts";

/** Disposing it kills mysqld and removes the instance, even after a failed test. */
export interface Supervised extends AsyncDisposable {
  node: MariaDBInstance;
  mysqld: Mysqld;
  login: { host: string; port: number; user: string; password: string };
  /** mysqld answers a ping. */
  ready(): Promise<boolean>;
}

export async function supervisedInstance(): Promise<Supervised> {
  const node = await createInstance();
  await node.stop();
  const login = { host: node.host, port: node.port, user: "root", password: ROOT_PASSWORD };
  const mysqld = new Mysqld({ basedir: "/usr", defaultsFile: node.cnfPath, ...login });
  return {
    node,
    mysqld,
    login,
    ready: async () => (await ping(login)).alive,
    async [Symbol.asyncDispose]() {
      await mysqld.kill().catch(() => {});
      await node[Symbol.asyncDispose]();
    },
  };
}

/** Polls `done` every 50 ms until it holds, for at most `ms`. */
export async function waitFor(
  what: string,
  done: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
