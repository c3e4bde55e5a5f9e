/**
 * @module
 * Supervision of the local mysqld through mysqld_safe: start (detached, argv only, optionally
 * `--init-rpl-role=SLAVE`), running by pid file and /proc identity, graceful shutdown with the
 * password in a temporary option file, kill, and a monitor that restarts a dead server.
 */
export * from "./supervisor.ts";
export * from "./monitor.ts";
export * from "./procfs.ts";
