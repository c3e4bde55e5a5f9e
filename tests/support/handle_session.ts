/** The daemon's MySQL session (src/node/local_mysql.ts) over a handle the test supplies. */
import type { MysqlHandle } from "../../src/mysql/mod.ts";
import { LocalMysql } from "../../src/node/local_mysql.ts";

/** Every statement runs on the handle `handle` gives (a stand-in, or a real one wrapped). */
export function sessionOver(handle: () => Promise<MysqlHandle>): LocalMysql {
  return new class extends LocalMysql {
    override get(): Promise<MysqlHandle> {
      return handle();
    }
  }({ host: "127.0.0.1", port: 1, user: "unused", password: "" }, "mariadb");
}
