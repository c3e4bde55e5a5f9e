/**
 * Every key of xenon.json, in the original's spelling (including `admit-defeat-hearbeat-count`),
 * with the original's default. Adding a key is one line here; its camelCase property in
 * `XenonConfig` follows from the table. Each key is documented in conf/README.md.
 */
import { checkEndpoint, checkListenAddress } from "./address.ts";
import { versionProblem } from "./mysql_version.ts";
import { bool, int, ms, oneOf, type Spec, str } from "./spec.ts";
import { scanSysvarProfile } from "./sysvars.ts";

const nonEmpty = (what: string) => (value: string) =>
  value.trim() === "" ? `"" is empty; expected ${what}` : undefined;

/** `rebuildme --init-config` makes this the datadir; the original ran `rm -rf <backupdir>/*`. */
const datadirLike = (value: string) =>
  value.replace(/\/+$/, "") === ""
    ? `${JSON.stringify(value)} is the filesystem root, which no rebuild may restore into; ` +
      `expected a dedicated directory such as "/data/mysql/data"`
    : undefined;

const sysvars = (value: string) => scanSysvarProfile(value).problems;

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "FATAL", "PANIC"] as const;

export const SCHEMA = {
  server: {
    "endpoint": str("127.0.0.1:8080", { check: checkEndpoint, expected: "HOST:PORT" }),
    "enable-apis": bool(false),
    "peer-address": str(":6060", { check: checkListenAddress, expected: "[HOST]:PORT" }),
    // New in xenon: peer RPC authentication and optional TLS (src/rpc). Without a secret the
    // cluster key is derived from replication.passwd, which every node already shares.
    "cluster-secret": str("", { secret: true }),
    "cluster-secret-file": str(""),
    "tls-cert": str(""),
    "tls-key": str(""),
    "tls-ca": str(""),
  },
  raft: {
    "meta-datadir": str(".", { check: nonEmpty("a directory path") }),
    "heartbeat-timeout": ms(1000),
    "admit-defeat-hearbeat-count": int(10, 1, 1000000),
    "election-timeout": ms(3000),
    "purge-binlog-interval": ms(300000),
    "super-idle": bool(false),
    "leader-start-command": str("nop"),
    "leader-stop-command": str("nop"),
    "purge-binlog-disabled": bool(false),
    // Read, never honoured: config check says so (two_nodes.ts).
    "candidate-wait-for-2nodes": ms(60000),
    "semi-sync-degrade": bool(false),
  },
  mysql: {
    "admin": str("root", { check: nonEmpty("a MySQL user name") }),
    "passwd": str("", { secret: true }),
    "host": str("localhost", { check: nonEmpty("a host name or address") }),
    "port": int(3306, 1, 65535),
    "basedir": str("/u01/mysql_20160606/"),
    "version": str("mysql57", { check: versionProblem, expected: "mariadb, mysql57 or mysql80" }),
    "defaults-file": str("/etc/my3306.cnf"),
    "ping-timeout": ms(1000),
    "admit-defeat-ping-count": int(2, 0, 1000000),
    // rpl_semi_sync_master_timeout's range on MySQL; MariaDB accepts more but needs no more.
    "semi-sync-timeout-for-two-nodes": int(10000, 0, 4294967295, "milliseconds"),
    "master-sysvars": str("", { check: sysvars, expected: "name=value;name=value" }),
    "slave-sysvars": str("", { check: sysvars, expected: "name=value;name=value" }),
    "monitor-disabled": bool(false),
  },
  replication: {
    "user": str("repl", { check: nonEmpty("a MySQL user name") }),
    "passwd": str("repl", { secret: true }),
    "gtid-purged": str(""),
  },
  backup: {
    "ssh-host": str(""),
    "ssh-user": str(""),
    "ssh-passwd": str("", { secret: true }),
    "ssh-port": int(22, 1, 65535),
    "backupdir": str("/u01/backup", { check: datadirLike }),
    "xtrabackup-bindir": str("."),
    "backup-iops-limits": int(100000, 0, 2147483647),
    "backup-use-memory": str("2GB"),
    "backup-parallel": int(2, 1, 1024),
    "mysqld-monitor-interval": ms(1000),
    "max-allowed-local-trx-count": int(0, 0, 2147483647),
    // New in xenon: the donor's ssh client files, and compression of the stream.
    "ssh-identity-file": str(""),
    "ssh-known-hosts-file": str(""),
    "compress": bool(false),
  },
  rpc: {
    "request-timeout": ms(1000),
  },
  log: {
    "level": oneOf("INFO", LOG_LEVELS, true),
    /** New in this re-implementation: JSON lines for log shippers. */
    "format": oneOf("text", ["text", "json"]),
  },
} as const;

export type Schema = typeof SCHEMA;
export type SectionName = keyof Schema;
export const SECTIONS = Object.keys(SCHEMA) as SectionName[];

/** `admit-defeat-hearbeat-count` → `admitDefeatHearbeatCount`. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

export function camel(key: string): string {
  return key.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
}

type ValueOf<S> = S extends Spec<infer T> ? T : never;

/** The typed values of one section, as written in (or defaulted for) the file. */
export type SectionValues<S> = { -readonly [K in keyof S & string as Camel<K>]: ValueOf<S[K]> };

export type SchemaValues = { [N in SectionName]: SectionValues<Schema[N]> };

/** The spec of `section.key`, for code that walks the table. */
export function specsOf(section: SectionName): [string, Spec<unknown>][] {
  return Object.entries(SCHEMA[section]) as [string, Spec<unknown>][];
}
