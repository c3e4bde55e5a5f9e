/**
 * Real MariaDB for tests: instances under mysqld_safe in temp dirs on free loopback ports, with
 * GTID, binlog, semi-sync AFTER_SYNC and gtid_strict_mode, and clusters that replicate on request.
 *
 * ```ts
 * await using cluster = await startCluster(3);   // torn down even if the test throws
 * await cluster.replicate();                    // node 0 primary, semi-sync to 1 and 2
 * await cluster.nodes[0].query("CREATE DATABASE app");
 * ```
 * Everything started is killed and removed on ^C, SIGTERM or module unload, and by the next run
 * if this one was killed with -9. `assertNoLeaks()` proves a test left nothing behind.
 */

export { REPL_PASSWORD, REPL_USER, ROOT_PASSWORD } from "./credentials.ts";
export { createInstance, type InstanceOptions, type MariaDBInstance } from "./instance.ts";
export { type MariaDBCluster, startCluster } from "./cluster.ts";
export { assertNoLeaks } from "./registry.ts";
export type { MysqldOptions } from "../../src/sandbox/mycnf.ts";
