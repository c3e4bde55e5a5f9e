/** The local mysqld process, as far as the shell acts on it: the fence's last resort. */
export interface LocalMysqld {
  /**
   * Stops mysqld so no session can commit (SIGKILL and a read-only restart, or a shutdown
   * through SQL where xenon does not supervise it); false when xenon may not (monitor disabled).
   */
  hardStop(reason: string): Promise<boolean>;
  /**
   * Whether xenon supervises mysqld and no mysqld server process runs: nothing can commit, and
   * whatever starts it again (mysqld_safe, the monitor) starts it read-only. Absent: never known.
   */
  stopped?(): boolean;
}
