/**
 * Configs as they exist in the wild, reconstructed for the loader tests: the original's two
 * samples (conf/ of radondb/xenon, placeholders filled in), the 4-node field-notes config, and
 * the file radondb-mysql-kubernetes' sidecar writes (ET 10000, N 5, so HB = RT = ping = 2000).
 */

/** radondb/xenon conf/xenon-sample.conf.json with every `${...}` replaced. */
export const ORIGINAL_SAMPLE = `{
	"server":
	{
		"endpoint":"10.0.0.11:8801"
	},

	"raft":
	{
		"meta-datadir":"raft.meta",
		"leader-start-command":"ip addr add 10.0.0.100/32 dev eth0",
		"leader-stop-command":"ip addr del 10.0.0.100/32 dev eth0"
	},

	"mysql":
	{
		"admin":"root",
		"version":"mysql80",
		"passwd":"",
		"host":"localhost",
		"port":3306,
		"basedir":"/usr/local/mysql",
		"defaults-file":"/etc/my3306.cnf"
	},

	"replication":
	{
		"user":"repl_user",
		"passwd":"Repl-Sample-Pw1"
	},

	"backup":
	{
		"ssh-host":"10.0.0.11",
		"ssh-user":"mysql",
		"ssh-passwd":"Ssh-Sample-Pw1",
		"basedir":"/usr/local/mysql",
		"backupdir":"/data/mysql/data",
		"xtrabackup-bindir":"/usr/bin",
		"max-allowed-local-trx-count": 0
	},

	"rpc":
	{
		"request-timeout":500
	},

	"log":
	{
		"level":"INFO"
	}
}
`;

/** radondb/xenon conf/xenon-simple.conf.json, verbatim (it has no placeholders). */
export const ORIGINAL_SIMPLE = `{
	"server":
	{
		"endpoint":"192.168.0.1:8801"
	},

	"raft":
	{
		"meta-datadir":"raft.meta",
		"heartbeat-timeout":1000,
		"election-timeout":3000,
		"leader-start-command":"",
		"leader-stop-command":""
	},

	"mysql":
	{
		"admin":"root",
		"passwd":"",
		"host":"127.0.0.1",
		"port":3306,
		"basedir":"/home/ubuntu/mysql_20161216",
		"defaults-file":"/etc/my3306.cnf",
		"ping-timeout":1000,
		"master-sysvars":"tokudb_fsync_log_period=default;sync_binlog=default;innodb_flush_log_at_trx_commit=default",
		"slave-sysvars": "tokudb_fsync_log_period=1000;sync_binlog=1000;innodb_flush_log_at_trx_commit=2"
	},

	"replication":
	{
		"user":"repl",
		"passwd":"repl"
	},

	"backup":
	{
		"ssh-host":"192.168.0.1",
		"ssh-user":"ubuntu",
		"ssh-passwd":"ubuntu",
		"ssh-port":22,
		"backupdir":"/home/ubuntu/data3306",
		"xtrabackup-bindir":"/home/ubuntu/xtrabackup_20161216",
		"backup-iops-limits":100000,
		"backup-use-memory": "2GB",
		"backup-parallel": 2
	},

	"rpc":
	{
		"request-timeout":500
	},

	"log":
	{
		"level":"INFO"
	}
}
`;

/** The field notes' node-1 config (MySQL 5.7.30, 4 nodes, VIP 192.168.188.50), typo included. */
export const FIELD_NOTES = `{ "server": { "endpoint":"192.168.188.51:8801" },
"raft": { "meta-datadir":"raft.meta", "heartbeat-timeout":1000, "election-timeout":3000,
  "leader-start-command":"sudo /sbin/ip a a 192.168.188.50/16 dev eth0 && arping -c 3 -A 192.168.188.50 -I eth0",
  "leader-stop-command":"sudo /sbin/ip a d 192.168.188.50/16 dev eth0 " },
"mysql": { "admin":"root", "passwd":"Field-Notes-Pw1", "host":"127.0.0.1", "port":3306,
  "basedir":"/usr/local/mysql", "defaults-file":"/data/mysql/mysql3306/my3306.cnf", "ping-timeout":1000,
  "master-sysvars":"super_read_only=0;read_only=0;sync_binlog=default;innodb_flush_log_at_trx_commit=defaulti;rpl_semi_sync_slave_enabled=0;rpl_semi_sync_master_enabled=1",
  "slave-sysvars": "super_read_only=1;read_only=1;sync_binlog=1000;innodb_flush_log_at_trx_commit=2;rpl_semi_sync_slave_enabled=1;rpl_semi_sync_master_enabled=0" },
"replication": { "user":"rep", "passwd":"Field-Repl-Pw1" },
"backup": { "ssh-host":"192.168.188.51", "ssh-user":"mysql", "ssh-passwd":"Field-Ssh-Pw1", "basedir":"/usr/local/mysql",
  "backupdir":"/data/mysql/mysql3306/data", "xtrabackup-bindir":"/usr/bin" },
"rpc": { "request-timeout":500 },
"log": { "level":"INFO" } }
`;

/** What radondb-mysql-kubernetes' sidecar writes (sidecar/config.go buildXenonConf), plus gtid-purged. */
export const K8S_OPERATOR = `{
    "log": {
        "level": "INFO"
    },
    "server": {
        "endpoint": "sample-mysql-0.sample-mysql.default:8801",
        "peer-address": "sample-mysql-0.sample-mysql.default:6601",
        "enable-apis": true
    },
    "replication": {
        "passwd": "K8s-Repl-Pw1",
        "user": "radondb_repl",
        "gtid-purged": "b2c3c5d9-9060-11ec-9817-12c02189a4ce:1-106624"
    },
    "rpc": {
        "request-timeout": 2000
    },
    "mysql": {
        "admit-defeat-ping-count": 3,
        "admin": "root",
        "ping-timeout": 2000,
        "passwd": "K8s-Root-Pw1",
        "host": "localhost",
        "version": "mysql80",
        "master-sysvars": "sync_binlog=default;innodb_flush_log_at_trx_commit=default",
        "slave-sysvars": "sync_binlog=1000;innodb_flush_log_at_trx_commit=1",
        "port": 3306,
        "monitor-disabled": true
    },
    "raft": {
        "election-timeout": 10000,
        "admit-defeat-hearbeat-count": 5,
        "heartbeat-timeout": 2000,
        "meta-datadir": "/var/lib/xenon/",
        "leader-start-command": "/scripts/leader-start.sh",
        "leader-stop-command": "/scripts/leader-stop.sh",
        "semi-sync-degrade": true,
        "purge-binlog-disabled": true,
        "super-idle": false
    }
}
`;
