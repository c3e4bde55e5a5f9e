/**
 * @module
 * Everything xenon does to a MySQL or MariaDB server, with the flavor differences in one table
 * (`flavor.ts`) and the SQL text in one place (`sql.ts`). Open a handle with `openMysql`, then
 * pass it to the operations. MariaDB 10.11 is tested live; MySQL 5.7/8.0 by SQL text only.
 */
export * from "./errors.ts";
export * from "./flavor.ts";
export * from "./session.ts";
export * from "./handle.ts";
export * from "./status.ts";
export * from "./read_only.ts";
export * from "./fence.ts";
export * from "./replication.ts";
export * from "./semisync.ts";
export * from "./sysvars.ts";
export * from "./commit_durability.ts";
export * from "./errant.ts";
export * from "./purge.ts";
export * from "./users.ts";
export * from "./doctor.ts";
export * from "./mycnf.ts";
export * from "./gtid_purged.ts";
export * from "./semisync_plugins.ts";
export { INFINITE_SEMI_SYNC_TIMEOUT_MS, type SourceTarget } from "./sql.ts";
export { appliedTransactions, measureApply } from "./backlog.ts";
