-- status: replica
SHOW SLAVE STATUS;

-- status: positions
SELECT @@GLOBAL.gtid_current_pos AS current_pos, @@GLOBAL.gtid_binlog_pos AS binlog_pos, @@GLOBAL.gtid_slave_pos AS slave_pos;

-- status: server
SELECT VERSION() AS version, @@GLOBAL.server_id AS server_id, @@GLOBAL.read_only AS read_only;

-- read-only on
SET GLOBAL read_only = 1;

-- read-only off
SET GLOBAL read_only = 0;

-- read-only exempt accounts
SELECT DISTINCT GRANTEE AS grantee FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN ('READ_ONLY ADMIN', 'READ ONLY ADMIN') ORDER BY GRANTEE;

-- sysvar
SET GLOBAL sync_binlog = 1;

-- sysvar keyword
SET GLOBAL tokudb_fsync_log_period = DEFAULT;

-- sysvar string
SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';

-- start replica
START SLAVE;

-- stop replica
STOP SLAVE;

-- start io thread
START SLAVE IO_THREAD;

-- stop io thread
STOP SLAVE IO_THREAD;

-- reset replica
RESET SLAVE ALL;

-- change source
CHANGE MASTER TO
  MASTER_HOST = '10.0.0.2',
  MASTER_PORT = 3306,
  MASTER_USER = 'repl',
  MASTER_PASSWORD = 'pa\'ss\\word',
  MASTER_CONNECT_RETRY = 1,
  MASTER_HEARTBEAT_PERIOD = 1,
  MASTER_USE_GTID = slave_pos;

-- change source (former primary)
CHANGE MASTER TO
  MASTER_HOST = '10.0.0.2',
  MASTER_PORT = 3306,
  MASTER_USER = 'repl',
  MASTER_PASSWORD = 'pa\'ss\\word',
  MASTER_CONNECT_RETRY = 1,
  MASTER_HEARTBEAT_PERIOD = 1,
  MASTER_USE_GTID = current_pos;

-- catch up
SELECT MASTER_GTID_WAIT('0-1-42', 2.5) AS rc;

-- semi-sync leader 3 voters
SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';
SET GLOBAL rpl_semi_sync_master_timeout = 1000000000000000000;
SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON;
SET GLOBAL rpl_semi_sync_master_enabled = ON;

-- semi-sync leader 5 voters
SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';
SET GLOBAL rpl_semi_sync_master_timeout = 1000000000000000000;
SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON;
SET GLOBAL rpl_semi_sync_master_enabled = ON;

-- semi-sync leader 1 voter
SET GLOBAL rpl_semi_sync_master_enabled = OFF;

-- semi-sync replica
SET GLOBAL rpl_semi_sync_master_enabled = OFF;
SET GLOBAL rpl_semi_sync_slave_enabled = ON;
SET GLOBAL rpl_semi_sync_slave_kill_conn_timeout = 1;

-- semi-sync replica, not acking (idle member)
SET GLOBAL rpl_semi_sync_master_enabled = OFF;
SET GLOBAL rpl_semi_sync_slave_enabled = OFF;
SET GLOBAL rpl_semi_sync_slave_kill_conn_timeout = 1;

-- semi-sync waiting sessions
SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_wait_sessions';

-- semi-sync leader status
SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients', 'Rpl_semi_sync_master_wait_sessions');

-- process list
SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command, TIME AS time, STATE AS state FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() ORDER BY ID;

-- shutdown
SHUTDOWN;

-- kill connection
KILL CONNECTION 42;

-- kill query
KILL QUERY 42;

-- binary logs
SHOW BINARY LOGS;

-- purge
PURGE BINARY LOGS TO 'mysql-bin.000007';

-- replication user
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r\'pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';
SET SESSION sql_log_bin = 1;

-- user exists
SELECT User AS user FROM mysql.user WHERE User = 'repl' AND Host = '%';

-- list users
SELECT User AS user, Host AS host, Super_priv AS super_priv FROM mysql.user ORDER BY User, Host;

-- create user
CREATE USER 'app'@'%' IDENTIFIED BY 's3cr\'et';

-- create user ssl
CREATE USER 'app'@'10.%' IDENTIFIED BY 'pw' REQUIRE X509;

-- drop user
DROP USER 'app'@'%';

-- change password
ALTER USER 'app'@'%' IDENTIFIED BY 'n3w';

-- grant
GRANT SELECT, INSERT ON `db`.* TO 'app'@'%';

-- doctor variables
SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync_master_enabled', 'rpl_semi_sync_master_wait_point', 'rpl_semi_sync_master_timeout', 'rpl_semi_sync_slave_enabled', 'sync_binlog', 'innodb_flush_log_at_trx_commit', 'relay_log_recovery', 'binlog_format', 'log_bin', 'log_slave_updates', 'gtid_strict_mode', 'slave_parallel_threads', 'slave_parallel_mode');

-- parallel apply (my.cnf)
slave_parallel_threads=4;
slave_parallel_mode=optimistic;

-- replication user, right after the start-up fence
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r\'pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';
SET SESSION sql_log_bin = 1;

-- catch up, deadline under a second
SELECT MASTER_GTID_WAIT('uuid:1-5', 0.3) AS rc;

-- gtid-purged on a fresh server
SET GLOBAL gtid_slave_pos = 'uuid:1-5';

-- semi-sync plugins loaded
SHOW GLOBAL VARIABLES LIKE 'rpl\_semi\_sync\_%\_enabled';

-- createuserwithgrants on one database
CREATE USER 'app'@'%' IDENTIFIED BY 'pw';
GRANT SELECT, INSERT ON `db`.* TO 'app'@'%';
