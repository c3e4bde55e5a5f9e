import assert from "node:assert/strict";
import { defaultConfig, parseConfig, serializeConfig } from "../../src/config/mod.ts";
import { FIELD_NOTES, K8S_OPERATOR, ORIGINAL_SAMPLE, ORIGINAL_SIMPLE } from "./fixtures.ts";

Deno.test("defaults are the original's, derived fields included", () => {
  const c = defaultConfig();
  assert.deepEqual(c.server, {
    clusterSecret: "",
    clusterSecretFile: "",
    tlsCa: "",
    tlsCert: "",
    tlsKey: "",
    endpoint: "127.0.0.1:8080",
    enableApis: false,
    peerAddress: ":6060",
  });
  assert.deepEqual(c.raft, {
    metaDatadir: ".",
    heartbeatTimeout: 1000,
    admitDefeatHearbeatCount: 10,
    electionTimeout: 3000,
    purgeBinlogInterval: 300000,
    superIdle: false,
    leaderStartCommand: "nop",
    leaderStopCommand: "nop",
    purgeBinlogDisabled: false,
    candidateWaitFor2nodes: 60000,
    semiSyncDegrade: false,
    requestTimeout: 1000,
  });
  assert.deepEqual(c.mysql, {
    admin: "root",
    passwd: "",
    host: "localhost",
    port: 3306,
    basedir: "/u01/mysql_20160606/",
    version: "mysql57",
    defaultsFile: "/etc/my3306.cnf",
    pingTimeout: 1000,
    admitDefeatPingCount: 2,
    semiSyncTimeoutForTwoNodes: 10000,
    masterSysvars: "",
    slaveSysvars: "",
    monitorDisabled: false,
    replHost: "127.0.0.1",
    replUser: "repl",
    replPasswd: "repl",
    replGtidPurged: "",
  });
  assert.deepEqual(c.replication, { user: "repl", passwd: "repl", gtidPurged: "" });
  assert.deepEqual(c.backup, {
    sshHost: "",
    sshUser: "",
    sshPasswd: "",
    sshPort: 22,
    backupdir: "/u01/backup",
    xtrabackupBindir: ".",
    backupIopsLimits: 100000,
    backupUseMemory: "2GB",
    backupParallel: 2,
    mysqldMonitorInterval: 1000,
    maxAllowedLocalTrxCount: 0,
    sshIdentityFile: "",
    sshKnownHostsFile: "",
    compress: false,
    admin: "root",
    passwd: "",
    host: "localhost",
    port: 3306,
    basedir: "/u01/mysql_20160606/",
    defaultsFile: "/etc/my3306.cnf",
  });
  assert.deepEqual(c.rpc, { requestTimeout: 1000 });
  assert.deepEqual(c.log, { level: "INFO", format: "text" });
});

Deno.test("an empty object and omitted sections keep every default", () => {
  assert.deepEqual(parseConfig("{}").config, defaultConfig());
  assert.deepEqual(parseConfig('{"raft": null, "mysql": {"port": null}}').config, defaultConfig());
});

Deno.test("the original's sample config (placeholders filled in)", () => {
  const { config: c, warnings } = parseConfig(ORIGINAL_SAMPLE);
  assert.deepEqual(warnings, []); // backup.basedir equals mysql.basedir: silently derived
  assert.equal(c.server.endpoint, "10.0.0.11:8801");
  assert.equal(c.raft.metaDatadir, "raft.meta");
  assert.equal(c.raft.heartbeatTimeout, 1000); // omitted: default
  assert.equal(c.raft.electionTimeout, 3000);
  assert.equal(c.raft.requestTimeout, 500); // derived from rpc.request-timeout
  assert.equal(c.mysql.version, "mysql80");
  assert.equal(c.mysql.host, "localhost");
  assert.equal(c.mysql.replHost, "10.0.0.11");
  assert.equal(c.mysql.replUser, "repl_user");
  assert.equal(c.mysql.replPasswd, "Repl-Sample-Pw1");
  assert.equal(c.backup.sshPasswd, "Ssh-Sample-Pw1");
  assert.equal(c.backup.sshPort, 22);
  assert.equal(c.backup.maxAllowedLocalTrxCount, 0);
  assert.equal(c.backup.basedir, "/usr/local/mysql");
  assert.equal(c.backup.defaultsFile, "/etc/my3306.cnf");
  assert.equal(c.log.level, "INFO");
});

Deno.test("the original's sample with its placeholders left in is refused in one line", () => {
  const raw = ORIGINAL_SAMPLE.replace('"port":3306', '"port":"${YOUR-MYSQL-PORT}"');
  assert.throws(() => parseConfig(raw), {
    name: "ConfigError",
    message: 'mysql.port: "${YOUR-MYSQL-PORT}" is a string; expected a number 1-65535',
  });
});

Deno.test("the original's simple config", () => {
  const { config: c, warnings } = parseConfig(ORIGINAL_SIMPLE);
  assert.deepEqual(warnings, []);
  assert.equal(c.server.endpoint, "192.168.0.1:8801");
  assert.equal(c.raft.leaderStartCommand, "");
  assert.equal(c.raft.admitDefeatHearbeatCount, 10);
  assert.equal(c.mysql.host, "127.0.0.1");
  assert.equal(c.mysql.basedir, "/home/ubuntu/mysql_20161216");
  assert.equal(c.mysql.version, "mysql57");
  assert.equal(
    c.mysql.masterSysvars,
    "tokudb_fsync_log_period=default;sync_binlog=default;innodb_flush_log_at_trx_commit=default",
  );
  assert.equal(c.mysql.replHost, "192.168.0.1");
  assert.equal(c.backup.backupUseMemory, "2GB");
  assert.equal(c.backup.backupParallel, 2);
  assert.equal(c.backup.backupIopsLimits, 100000);
  assert.equal(c.backup.mysqldMonitorInterval, 1000);
  assert.equal(c.backup.host, "127.0.0.1");
  assert.equal(c.rpc.requestTimeout, 500);
});

Deno.test("the field notes' 4-node config loads; its backup.basedir is derived", () => {
  const { config: c, warnings } = parseConfig(FIELD_NOTES);
  assert.deepEqual(warnings, []);
  assert.equal(c.server.endpoint, "192.168.188.51:8801");
  assert.equal(c.mysql.replHost, "192.168.188.51");
  assert.match(c.raft.leaderStartCommand, /^sudo \/sbin\/ip a a 192\.168\.188\.50\/16/);
  assert.equal(c.mysql.defaultsFile, "/data/mysql/mysql3306/my3306.cnf");
  assert.equal(c.replication.user, "rep");
  assert.equal(c.backup.backupdir, "/data/mysql/mysql3306/data");
  assert.equal(c.backup.basedir, "/usr/local/mysql");
  assert.equal(c.backup.passwd, "Field-Notes-Pw1");
  assert.equal(c.backup.sshPort, 22);
  assert.equal(c.raft.candidateWaitFor2nodes, 60000);
});

Deno.test("the Kubernetes operator's config loads without warnings; semi-sync-degrade is read", () => {
  const { config: c, warnings } = parseConfig(K8S_OPERATOR);
  assert.deepEqual(warnings, []);
  assert.equal(c.raft.semiSyncDegrade, true);
  assert.equal(c.server.enableApis, true);
  assert.equal(c.server.peerAddress, "sample-mysql-0.sample-mysql.default:6601");
  assert.equal(c.mysql.replHost, "sample-mysql-0.sample-mysql.default");
  assert.equal(c.mysql.monitorDisabled, true);
  assert.equal(c.mysql.admitDefeatPingCount, 3);
  assert.equal(c.mysql.pingTimeout, 2000);
  assert.equal(c.raft.electionTimeout, 10000);
  assert.equal(c.raft.admitDefeatHearbeatCount, 5);
  assert.equal(c.raft.heartbeatTimeout, 2000);
  assert.equal(c.raft.purgeBinlogDisabled, true);
  assert.equal(c.raft.metaDatadir, "/var/lib/xenon/");
  assert.equal(c.raft.requestTimeout, 2000);
  assert.equal(c.replication.gtidPurged, "b2c3c5d9-9060-11ec-9817-12c02189a4ce:1-106624");
  assert.equal(c.mysql.replGtidPurged, c.replication.gtidPurged);
  assert.equal(c.backup.sshPort, 22);
});

Deno.test("keys match case-insensitively, as Go's encoding/json does; the last duplicate wins", () => {
  const { config, warnings } = parseConfig(
    '{"Server": {"Endpoint": "10.1.1.1:8801"}, "RAFT": {"Election-Timeout": 5000, "election-timeout": 6000}}',
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.server.endpoint, "10.1.1.1:8801");
  assert.equal(config.raft.electionTimeout, 6000);
});

Deno.test("log.level is matched in any case; log.format is the one new key", () => {
  const { config } = parseConfig('{"log": {"level": "warning", "format": "json"}}');
  assert.equal(config.log.level, "WARNING");
  assert.equal(config.log.format, "json");
});

Deno.test("derived fields written by the original's init are ignored, with a warning only when they disagree", () => {
  const text = JSON.stringify({
    rpc: { "request-timeout": 1500 },
    raft: { RequestTimeout: 1500 },
    mysql: { passwd: "Derived-Pw-1", ReplUser: "someone", ReplPasswd: "Stale-Pw-2" },
    backup: { Passwd: "Derived-Pw-1", Port: 3307 },
  });
  const { config, warnings } = parseConfig(text);
  assert.equal(config.mysql.replUser, "repl");
  assert.equal(config.backup.port, 3306);
  assert.deepEqual(warnings, [
    'mysql.ReplUser: ignored; xenon uses replication.user ("repl")',
    "mysql.ReplPasswd: ignored; xenon uses replication.passwd",
    "backup.Port: ignored; xenon uses mysql.port (3306)",
  ]);
});

Deno.test("an IPv6 endpoint gives the bare address as Master_Host", () => {
  assert.equal(
    parseConfig('{"server": {"endpoint": "[fd00::11]:8801"}}').config.mysql.replHost,
    "fd00::11",
  );
});

Deno.test("serializeConfig writes the original's key names and loads back to the same config", () => {
  const { config } = parseConfig(K8S_OPERATOR);
  const text = serializeConfig(config);
  assert.match(text, /\t"admit-defeat-hearbeat-count": 5,/);
  assert.doesNotMatch(text, /ReplPasswd|RequestTimeout/);
  assert.deepEqual(parseConfig(text), { config, warnings: [] });
  assert.deepEqual(parseConfig(serializeConfig(defaultConfig())).config, defaultConfig());
});
