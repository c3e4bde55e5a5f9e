-- status: replica
SHOW REPLICA STATUS;

-- status: positions
SELECT @@GLOBAL.gtid_executed AS executed, @@GLOBAL.gtid_purged AS purged;

-- status: server
SELECT VERSION() AS version, @@GLOBAL.server_id AS server_id, @@GLOBAL.read_only AS read_only, @@GLOBAL.super_read_only AS super_read_only;

-- read-only on
SET GLOBAL read_only = 1;
SET GLOBAL super_read_only = 1;

-- read-only off
SET GLOBAL super_read_only = 0;
SET GLOBAL read_only = 0;

-- read-only exempt accounts
(none: super_read_only);

-- sysvar
SET GLOBAL sync_binlog = 1;

-- sysvar keyword
SET GLOBAL tokudb_fsync_log_period = DEFAULT;

-- sysvar string
SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC';

-- start replica
START REPLICA;

-- stop replica
STOP REPLICA;

-- start io thread
START REPLICA IO_THREAD;

-- stop io thread
STOP REPLICA IO_THREAD;

-- reset replica
RESET REPLICA ALL;

-- change source
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST = '10.0.0.2',
  SOURCE_PORT = 3306,
  SOURCE_USER = 'repl',
  SOURCE_PASSWORD = 'pa\'ss\\word',
  SOURCE_CONNECT_RETRY = 1,
  SOURCE_HEARTBEAT_PERIOD = 1,
  SOURCE_AUTO_POSITION = 1,
  GET_SOURCE_PUBLIC_KEY = 1;

-- change source (former primary)
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST = '10.0.0.2',
  SOURCE_PORT = 3306,
  SOURCE_USER = 'repl',
  SOURCE_PASSWORD = 'pa\'ss\\word',
  SOURCE_CONNECT_RETRY = 1,
  SOURCE_HEARTBEAT_PERIOD = 1,
  SOURCE_AUTO_POSITION = 1,
  GET_SOURCE_PUBLIC_KEY = 1;

-- catch up
SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5', 2) AS rc;

-- semi-sync leader 3 voters
SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC';
SET GLOBAL rpl_semi_sync_source_timeout = 1000000000000000000;
SET GLOBAL rpl_semi_sync_source_wait_no_replica = ON;
SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 1;
SET GLOBAL rpl_semi_sync_source_enabled = ON;

-- semi-sync leader 5 voters
SET GLOBAL rpl_semi_sync_source_wait_point = 'AFTER_SYNC';
SET GLOBAL rpl_semi_sync_source_timeout = 1000000000000000000;
SET GLOBAL rpl_semi_sync_source_wait_no_replica = ON;
SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 2;
SET GLOBAL rpl_semi_sync_source_enabled = ON;

-- semi-sync leader 1 voter
SET GLOBAL rpl_semi_sync_source_enabled = OFF;

-- semi-sync replica
SET GLOBAL rpl_semi_sync_source_enabled = OFF;
SET GLOBAL rpl_semi_sync_replica_enabled = ON;

-- semi-sync replica, not acking (idle member)
SET GLOBAL rpl_semi_sync_source_enabled = OFF;
SET GLOBAL rpl_semi_sync_replica_enabled = OFF;

-- semi-sync waiting sessions
SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_wait_sessions';

-- semi-sync leader status
SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_source_status', 'Rpl_semi_sync_source_clients', 'Rpl_semi_sync_source_wait_sessions');

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
SHOW GLOBAL VARIABLES WHERE Variable_name IN ('rpl_semi_sync_source_enabled', 'rpl_semi_sync_source_wait_point', 'rpl_semi_sync_source_timeout', 'rpl_semi_sync_replica_enabled', 'sync_binlog', 'innodb_flush_log_at_trx_commit', 'relay_log_recovery', 'binlog_format', 'log_bin', 'log_replica_updates', 'rpl_semi_sync_source_wait_for_replica_count', 'gtid_mode', 'enforce_gtid_consistency', 'replica_parallel_workers', 'replica_preserve_commit_order');

-- parallel apply (my.cnf)
replica_parallel_workers=4;
replica_preserve_commit_order=ON;

-- replication user, right after the start-up fence
SET GLOBAL super_read_only = 0;
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'r\'pw';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';
SET SESSION sql_log_bin = 1;
SET GLOBAL super_read_only = 1;

-- catch up, deadline under a second
SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5', 1) AS rc;

-- gtid-purged on a fresh server
SET GLOBAL super_read_only = 0;
RESET MASTER;
SET GLOBAL gtid_purged = 'uuid:1-5';
SET GLOBAL super_read_only = 1;

-- semi-sync plugins loaded
SHOW GLOBAL VARIABLES LIKE 'rpl\_semi\_sync\_%\_enabled';

-- createuserwithgrants on one database
CREATE USER 'app'@'%' IDENTIFIED BY 'pw';
GRANT SELECT, INSERT ON `db`.* TO 'app'@'%';
