/**
 * The local side of a rebuild (src/backup/rebuild.ts LocalSide), in the daemon's two modes:
 * - normal: the election core runs; LEARNER and back go through it, so the node never stays
 *   LEARNER or with its monitor off unless a rebuild past its swap says so in its state file;
 * - rebuild-only: this node's mysqld cannot run yet (no my.cnf, an empty or broken datadir), so
 *   there is no core: the rebuild starts mysqld itself and the core rejoins once the daemon runs.
 */
import type { LocalSide } from "../backup/mod.ts";
import { XenonError } from "../lib/errors.ts";
import {
  familyFromConfig,
  type FlavorId,
  type MysqlHandle,
  readStatus,
  type ServerVersion,
} from "../mysql/mod.ts";
import { waitForPosition } from "../mysql/sql.ts";
import type { Mysqld, MysqldMonitor } from "../mysqld/mod.ts";
import type { RaftStateName } from "../model/mod.ts";
import type { MysqlSession } from "../ports/mod.ts";
import type { XenonNode } from "./node.ts";
import { waitForMysql } from "./wait_mysql.ts";

const MYSQL_UP_MS = 120_000;

/** Parts shared by both modes: MySQL access through one link. */
function mysqlAccess(link: MysqlSession<MysqlHandle>, configuredVersion: string) {
  const family = familyFromConfig(configuredVersion);
  // Until the server answered, the configured family; then the server's own dialect.
  let flavor: FlavorId = family === "mariadb" ? "mariadb" : family;
  let version: ServerVersion | undefined;
  const db = async () => {
    const handle = await link.get();
    flavor = handle.flavor.id;
    version = handle.version;
    return handle;
  };
  return {
    async sample() {
      try {
        const st = await readStatus(await db());
        return { writable: !st.readOnly && !st.superReadOnly, executed: st.positions.executed };
      } catch {
        await link.reset();
        return null;
      }
    },
    async exec(sql: string[]) {
      await (await db()).session.exec(sql);
    },
    flavor: () => flavor,
    version: () => version,
    async replica() {
      try {
        const st = await readStatus(await db());
        const r = st.replica;
        return r &&
          {
            ioRunning: r.ioRunning,
            sqlRunning: r.sqlRunning,
            lastError: r.lastSqlError || r.lastIoError,
          };
      } catch {
        return null;
      }
    },
    async waitApplied(position: string, timeoutMs: number) {
      const handle = await db();
      const rows = await handle.session.query(
        waitForPosition(handle.flavor, position, timeoutMs / 1000),
        {
          timeoutMs: timeoutMs + 2000,
        },
      );
      return Number(rows[0]?.rc) === 0;
    },
  };
}

export interface NormalSideDeps {
  node: XenonNode<MysqlHandle>;
  mysqld: Mysqld;
  monitor: MysqldMonitor;
  link: MysqlSession<MysqlHandle>;
  version: string;
  /** Whether the config has the monitor on (`mysql.monitor-disabled` false). */
  monitorConfigured: boolean;
}

/** The daemon's normal mode. */
export function normalSide(d: NormalSideDeps): LocalSide {
  const access = mysqlAccess(d.link, d.version);
  let before: { role: RaftStateName; monitor: boolean } | null = null;
  const admin = async (command: Parameters<XenonNode["admin"]>[0]) => {
    const answer = await d.node.admin(command);
    if (!answer.ok) throw new XenonError(answer.reason);
    return answer;
  };
  return {
    ...access,
    role: () => d.node.state.role,
    async stop() {
      before = { role: d.node.state.role, monitor: d.monitor.info === "ON" };
      await admin({ kind: "setLearner" });
      await d.monitor.stop();
      await d.link.reset();
      await d.mysqld.shutdown();
    },
    async restore() {
      if (!d.mysqld.isRunning()) await d.mysqld.start();
      await waitForMysql(d.link, MYSQL_UP_MS);
      if (before?.monitor) d.monitor.start();
      if (before?.role === "IDLE") await admin({ kind: "disable" });
      else await admin({ kind: "enable" });
    },
    async start() {
      await d.mysqld.start();
      await waitForMysql(d.link, MYSQL_UP_MS);
      // After an agent restart the monitor's state before the rebuild is gone: the config's.
      if (before?.monitor ?? d.monitorConfigured) d.monitor.start();
    },
    async rejoin(members: string[]) {
      for (const m of members) {
        if (!d.node.state.peers.includes(m)) await d.node.admin({ kind: "addPeer", endpoint: m });
      }
      await admin({ kind: "enable" });
    },
  };
}

/** The rebuild-only mode: no election core; mysqld is started by the rebuild itself. */
export function rebuildOnlySide(
  d: { mysqld: Mysqld; link: MysqlSession<MysqlHandle>; version: string },
): LocalSide {
  const access = mysqlAccess(d.link, d.version);
  return {
    ...access,
    role: () => "LEARNER",
    async stop() {
      // Its mysqld cannot run properly (that is why this mode runs): end whatever is left of it.
      await d.link.reset();
      if (d.mysqld.isRunning()) await d.mysqld.kill();
    },
    restore: () => Promise.resolve(),
    async start() {
      await d.mysqld.start();
      await waitForMysql(d.link, MYSQL_UP_MS);
    },
    rejoin: null,
  };
}
