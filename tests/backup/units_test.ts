/** The backup's pure parts, pinned: argv (no secret in it), flavor SQL, parsing, donor choice. */
import assert from "node:assert/strict";
import { parseBinlogInfo } from "../../src/backup/binlog_info.ts";
import { chooseDonor, type DonorCandidate } from "../../src/backup/donor_choice.ts";
import { dataPathsOf, externalLogs } from "../../src/backup/place.ts";
import {
  readRebuildState,
  type RebuildState,
  writeRebuildState,
} from "../../src/backup/state_file.ts";
import { renderInitConfig, serverIdOf } from "../../src/backup/init_config.ts";
import { extractCommand, sshInvocation } from "../../src/backup/ssh.ts";
import { backupArgs, loginOptionFile, prepareArgs } from "../../src/backup/tool_args.ts";
import { backupToolsOf, restoredPositionSql } from "../../src/mysql/backup_flavor.ts";
import { parseServerVersion } from "../../src/mysql/flavor.ts";
import type { StreamTarget } from "../../src/model/mod.ts";

const target: StreamTarget = {
  sshHost: "10.0.0.14",
  sshUser: "mysql",
  sshPort: 22,
  dir: "/data/mysql.xenon-staging",
  extractor: "/usr/bin/mbstream",
};
const client = { identityFile: "/etc/xenon/id_ed25519", knownHostsFile: "/etc/xenon/known_hosts" };

Deno.test("ssh: key auth in batch mode, host keys accept-new, never StrictHostKeyChecking no", () => {
  const inv = sshInvocation(target, client, extractCommand(target));
  assert.equal(inv.program, "ssh");
  assert.equal(inv.env, undefined);
  assert.deepEqual(inv.args, [
    "-p",
    "22",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "UserKnownHostsFile=/etc/xenon/known_hosts",
    "-o",
    "BatchMode=yes",
    "-i",
    "/etc/xenon/id_ed25519",
    "-o",
    "IdentitiesOnly=yes",
    "--",
    "mysql@10.0.0.14",
    "'/usr/bin/mbstream'",
    "-x",
    "-C",
    "'/data/mysql.xenon-staging'",
  ]); // deno-fmt-ignore
  assert.ok(!inv.args.join(" ").includes("StrictHostKeyChecking=no"));
});

Deno.test("ssh: a password goes to sshpass -e through SSHPASS, never into argv", () => {
  const inv = sshInvocation({ ...target, sshPasswd: "s3cret-pw" }, client, ["true"]);
  assert.equal(inv.program, "sshpass");
  assert.deepEqual(inv.args.slice(0, 2), ["-e", "ssh"]);
  assert.deepEqual(inv.env, { SSHPASS: "s3cret-pw" });
  assert.ok(!inv.args.join(" ").includes("s3cret-pw"));
});

Deno.test("ssh: a target that could reach the remote shell is refused in one line", () => {
  for (
    const bad of [
      { dir: "/data/x; rm -rf /" },
      { dir: "relative" },
      { dir: "/a/../b" },
      {
        extractor: "mbstream $(id)",
      },
      { sshHost: "host -oProxyCommand=x" },
      { sshUser: "-oProxyCommand" },
    ]
  ) {
    assert.throws(
      () => extractCommand({ ...target, ...bad }),
      (e: Error) => !e.message.includes("\n"),
    );
  }
});

Deno.test("backup tools: argv per flavor, the login only in the option file", () => {
  const mariadb = backupToolsOf("mariadb");
  const o = {
    tools: mariadb,
    bindir: ".",
    parallel: 4,
    iopsLimit: 500,
    useMemory: "1G",
    compress: false,
  };
  assert.deepEqual(backupArgs(o, "/tmp/x/login.cnf", "/tmp/x/target"), [
    "--defaults-file=/tmp/x/login.cnf",
    "--backup",
    "--stream=xbstream",
    "--target-dir=/tmp/x/target",
    "--parallel=4",
    "--throttle=500",
  ]);
  assert.deepEqual(prepareArgs(o, "/d"), [["--prepare", "--use-memory=1G", "--target-dir=/d"]]);
  const mysql = backupToolsOf("mysql");
  assert.deepEqual([mysql.backup, mysql.extract], ["xtrabackup", "xbstream"]);
  assert.deepEqual(prepareArgs({ ...o, tools: mysql, compress: true }, "/d"), [
    ["--decompress", "--remove-original", "--target-dir=/d"],
    ["--prepare", "--use-memory=1G", "--target-dir=/d"],
  ]);
  assert.ok(
    backupArgs({ ...o, tools: mysql, compress: true }, "f", "t").includes("--compress=zstd"),
  );
  const login = {
    defaultsFile: "/etc/my.cnf",
    host: "127.0.0.1",
    port: 3306,
    user: "root",
    password: 'p"w',
  };
  assert.equal(
    loginOptionFile(mariadb, login),
    '!include /etc/my.cnf\n[mariabackup]\nhost="127.0.0.1"\nport=3306\nuser="root"\npassword="p\\"w"\n',
  );
  assert.throws(() => loginOptionFile(mariadb, { ...login, password: "a\nb" }));
});

Deno.test("restored position: gtid_slave_pos on MariaDB, gtid_purged after a reset on MySQL", () => {
  const v = (text: string) => parseServerVersion(text);
  assert.deepEqual(restoredPositionSql("mariadb", v("10.11.9-MariaDB"), "0-1-17"), [
    "SET GLOBAL gtid_slave_pos = '0-1-17'",
  ]);
  const lifted = (reset: string) => [
    "SET GLOBAL super_read_only = 0",
    reset,
    "SET GLOBAL gtid_purged = 'u:1-5'",
    "SET GLOBAL super_read_only = 1",
  ];
  assert.deepEqual(restoredPositionSql("mysql57", v("5.7.44"), "u:1-5"), lifted("RESET MASTER"));
  assert.deepEqual(restoredPositionSql("mysql80", v("8.0.25"), "u:1-5"), lifted("RESET MASTER"));
  // 8.0.26 to 8.1 speak the new replica names but have no RESET BINARY LOGS AND GTIDS yet.
  assert.deepEqual(restoredPositionSql("mysql84", v("8.0.36"), "u:1-5"), lifted("RESET MASTER"));
  assert.deepEqual(
    restoredPositionSql("mysql84", v("8.4.3"), "u:1-5"),
    lifted("RESET BINARY LOGS AND GTIDS"),
  );
  assert.deepEqual(restoredPositionSql("mariadb", v("10.11.9-MariaDB"), "0-1-1'; DROP"), [
    "SET GLOBAL gtid_slave_pos = '0-1-1\\'; DROP'",
  ]);
});

Deno.test("binlog info: MariaDB's one line, MySQL's set over several lines", () => {
  const tools = backupToolsOf("mariadb");
  assert.equal(parseBinlogInfo("mysql-bin.000001\t202228978\t0-1-17", tools, "f"), "0-1-17");
  assert.equal(
    parseBinlogInfo("binlog.000003\t195\taaaa:1-10,\nbbbb:1-3", backupToolsOf("mysql"), "f"),
    "aaaa:1-10,bbbb:1-3",
  );
  assert.equal(parseBinlogInfo("mysql-bin.000001\t4\t", tools, "f"), "");
  assert.throws(
    () => parseBinlogInfo("garbage", tools, "f"),
    /expected "file<TAB>offset<TAB>gtid"/,
  );
});

Deno.test("my.cnf: the datadir, and binlogs outside it in every spelling", () => {
  const cnf = [
    "[client]",
    "log-bin=/not/this",
    "[mysqld]",
    "datadir = /data/mysql/",
    "log_bin = /binlogs/mysql-bin",
    "log-bin-index=/binlogs/mysql-bin.index",
    "relay-log=relay-bin",
  ].join("\n");
  assert.deepEqual(dataPathsOf(cnf, "/etc/my.cnf", "S"), {
    datadir: "/data/mysql",
    staging: "/data/mysql.xenon-staging",
    aside: "/data/mysql.before-rebuild-S",
  });
  assert.deepEqual(externalLogs(cnf, "/data/mysql"), [
    { dir: "/binlogs", prefix: "mysql-bin", exact: false },
    { dir: "/binlogs", prefix: "mysql-bin.index", exact: true },
  ]);
  assert.throws(
    () => dataPathsOf("[mysqld]\nport=1", "/etc/my.cnf", "S"),
    /sets no absolute datadir/,
  );
  assert.throws(() => dataPathsOf("[mysqld]\ndatadir=/", "/etc/my.cnf", "S"), /datadir=\//);
});

const peer = (endpoint: string, over: Partial<DonorCandidate>): DonorCandidate => ({
  endpoint,
  role: "FOLLOWER",
  alive: true,
  ioRunning: true,
  sqlRunning: true,
  secondsBehind: 0,
  busy: false,
  ...over,
});

Deno.test("donor: the follower with the least lag; the leader only when no follower qualifies", () => {
  const leader = peer("l:1", { role: "LEADER" });
  const choice = chooseDonor("me:1", [
    leader,
    peer("a:1", { secondsBehind: 5 }),
    peer("b:1", { secondsBehind: 1 }),
    peer("c:1", { secondsBehind: 0, busy: true }),
    peer("d:1", { secondsBehind: null }),
    peer("e:1", { role: "LEARNER" }),
    peer("me:1", {}),
  ]);
  assert.deepEqual(choice.ok && choice.donor, "b:1");
  const onlyLeader = chooseDonor("me:1", [leader, peer("a:1", { sqlRunning: false })]);
  assert.ok(onlyLeader.ok && onlyLeader.donor === "l:1", JSON.stringify(onlyLeader));
  const none = chooseDonor("me:1", [peer("a:1", { role: null }), peer("b:1", { busy: true })]);
  assert.ok(!none.ok);
  assert.match(none.reason, /no donor: a:1 unreachable, b:1 busy; pass --from/);
});

Deno.test("--init-config: the donor's shared settings, this node's own port, datadir and server_id", () => {
  const text = renderInitConfig({
    donor: "10.0.0.12:8801",
    settings: {
      binlog_format: "ROW",
      log_bin_basename: "/data/mysql/mysql-bin",
      innodb_page_size: "16384",
      gtid_strict_mode: "ON",
      log_slave_updates: "ON",
      skip_name_resolve: "ON",
    },
    datadir: "/data/mysql/",
    port: 3307,
    endpoint: "10.0.0.14:8801",
    user: "mysql",
  });
  assert.equal(
    text,
    [
      "# Written by xenon mysql rebuildme --init-config from donor 10.0.0.12:8801; review it.",
      "[mysqld]",
      "user=mysql",
      "datadir=/data/mysql",
      "port=3307",
      "socket=/data/mysql/mysqld.sock",
      "pid_file=/data/mysql/mysqld.pid",
      "log_error=/data/mysql/mysqld.err",
      `server_id=${serverIdOf("10.0.0.14:8801")}`,
      "read_only=ON",
      "log_bin=mysql-bin",
      "binlog_format=ROW",
      "innodb_page_size=16384",
      "gtid_strict_mode=ON",
      "log_slave_updates=ON",
      "skip_name_resolve=ON",
      "",
    ].join("\n"),
  );
  const id = serverIdOf("10.0.0.14:8801");
  assert.ok(id >= 1 && id < 2 ** 31 && id === serverIdOf("10.0.0.14:8801"));
  assert.notEqual(serverIdOf("10.0.0.13:8801"), id);
});

Deno.test("a rebuild.json that names other directories than a rebuild makes is refused in one line", async () => {
  const metaDir = await Deno.makeTempDir({ prefix: "xenon-rebuild-state-" });
  try {
    const own = dataPathsOf("[mysqld]\ndatadir=/data/mysql\n", "/etc/my.cnf", "20261201T2300");
    const state: RebuildState = {
      phase: "streaming",
      donor: "10.0.0.2:8801",
      force: false,
      ...own,
      position: "0-1-5",
      error: "",
      updatedAt: "",
    };
    await writeRebuildState(metaDir, state);
    assert.equal((await readRebuildState(metaDir))?.aside, own.aside);
    for (const bad of [{ staging: "/" }, { aside: "/data" }, { aside: `${own.aside}/../../etc` }]) {
      await writeRebuildState(metaDir, { ...state, ...bad });
      await assert.rejects(readRebuildState(metaDir), (e: Error) => {
        assert.match(e.message, /names directories a rebuild does not make/);
        assert.ok(!e.message.includes("\n"));
        return true;
      });
    }
  } finally {
    await Deno.remove(metaDir, { recursive: true });
  }
});
