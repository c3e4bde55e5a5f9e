/** Accounts every test instance has. Test-only values; they never guard anything real. */

/** Password of root@'%', the account tests use over TCP (root@localhost is unix_socket only). */
export const ROOT_PASSWORD = "xenon-test-root-pw";
/** The replication account every replica connects with. */
export const REPL_USER = "repl";
export const REPL_PASSWORD = "xenon-test-repl-pw";
