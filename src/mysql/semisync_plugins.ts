/**
 * MySQL's semi-sync variables exist only while their plugin is loaded: `SET GLOBAL
 * rpl_semi_sync_...` fails with error 1193 (unknown system variable) otherwise. Every node needs
 * both plugins, the source one for when it leads and the replica one for when it follows:
 * `semisync_master.so`/`semisync_slave.so` up to 8.0.25, `semisync_source.so`/
 * `semisync_replica.so` from 8.0.26, where either name of each may be loaded, mixed (MySQL 8.0
 * manual 19.4.10.1 "Installing Semisynchronous Replication"). Each side is probed on its own.
 * MariaDB has semi-sync built in (10.3+).
 */
import type { Flavor } from "./flavor.ts";

/** Every semi-sync `_enabled` variable the loaded plugins define. */
export const SEMI_SYNC_PLUGIN_PROBE =
  "SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%\\_enabled'";

export interface SemiSyncPlugins {
  /** `flavor` with the variable names of the plugins actually loaded. */
  flavor: Flavor;
  /** One line naming what to add to my.cnf, or null when both are loaded. */
  missing: string | null;
}

/** Names the loaded plugins use; `loaded` holds the variable names the probe returned. */
export function semiSyncPlugins(f: Flavor, loaded: ReadonlySet<string>): SemiSyncPlugins {
  if (f.gtid === "mariadb") return { flavor: f, missing: null };
  const has = (prefix: string) => loaded.has(`${prefix}_enabled`);
  const modern = f.id === "mysql84";
  const source = modern && !has("rpl_semi_sync_source") && has("rpl_semi_sync_master")
    ? "rpl_semi_sync_master"
    : f.semiSyncSource;
  const replica = modern && !has("rpl_semi_sync_replica") && has("rpl_semi_sync_slave")
    ? "rpl_semi_sync_slave"
    : f.semiSyncReplica;
  const lacking = [
    has(source) ? null : modern ? "semisync_source.so" : "semisync_master.so",
    has(replica) ? null : modern ? "semisync_replica.so" : "semisync_slave.so",
  ].filter((p): p is string => p !== null);
  const flavor: Flavor = {
    ...f,
    semiSyncSource: source,
    semiSyncReplica: replica,
    waitCountVariable: f.waitCountVariable &&
      (source === "rpl_semi_sync_master"
        ? "rpl_semi_sync_master_wait_for_slave_count"
        : "rpl_semi_sync_source_wait_for_replica_count"),
  };
  const missing = lacking.length === 0 ? null : `semi-sync plugin ${lacking.join(" and ")} ` +
    `not loaded (its rpl_semi_sync_* variables do not exist, error 1193): every node needs ` +
    `both; add ${lacking.map((p) => `plugin-load-add=${p}`).join(" and ")} to my.cnf [mysqld] ` +
    `and restart mysqld, or INSTALL PLUGIN it now`;
  return { flavor, missing };
}
