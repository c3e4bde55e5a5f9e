/**
 * The original's untagged fields, derived after loading exactly as its `parseConfig` does. They
 * are never read from the file: a file that sets them (xenoncli init wrote them) is ignored there.
 */
import { endpointHost } from "./address.ts";
import { type SchemaValues, SECTIONS } from "./schema.ts";

export interface XenonConfig {
  server: SchemaValues["server"];
  raft: SchemaValues["raft"] & {
    /** = rpc.request-timeout */
    requestTimeout: number;
  };
  mysql: SchemaValues["mysql"] & {
    /** Host part of server.endpoint: the Master_Host replicas use. */
    replHost: string;
    replUser: string;
    replPasswd: string;
    replGtidPurged: string;
  };
  replication: SchemaValues["replication"];
  backup: SchemaValues["backup"] & {
    admin: string;
    passwd: string;
    host: string;
    port: number;
    basedir: string;
    defaultsFile: string;
  };
  rpc: SchemaValues["rpc"];
  log: SchemaValues["log"];
}

export function derive(v: SchemaValues): XenonConfig {
  return {
    server: { ...v.server },
    raft: { ...v.raft, requestTimeout: v.rpc.requestTimeout },
    mysql: {
      ...v.mysql,
      replHost: endpointHost(v.server.endpoint),
      replUser: v.replication.user,
      replPasswd: v.replication.passwd,
      replGtidPurged: v.replication.gtidPurged,
    },
    replication: { ...v.replication },
    backup: {
      ...v.backup,
      admin: v.mysql.admin,
      passwd: v.mysql.passwd,
      host: v.mysql.host,
      port: v.mysql.port,
      basedir: v.mysql.basedir,
      defaultsFile: v.mysql.defaultsFile,
    },
    rpc: { ...v.rpc },
    log: { ...v.log },
  };
}

export interface DerivedField {
  /** The Go field name the original wrote into the file (matched case-insensitively). */
  goName: string;
  /** Property in XenonConfig's section. */
  prop: string;
  /** Where the value really comes from. */
  from: string;
  secret?: boolean;
}

export const DERIVED: Partial<Record<(typeof SECTIONS)[number], DerivedField[]>> = {
  raft: [{ goName: "RequestTimeout", prop: "requestTimeout", from: "rpc.request-timeout" }],
  mysql: [
    { goName: "ReplHost", prop: "replHost", from: "the host of server.endpoint" },
    { goName: "ReplUser", prop: "replUser", from: "replication.user" },
    { goName: "ReplPasswd", prop: "replPasswd", from: "replication.passwd", secret: true },
    { goName: "ReplGtidPurged", prop: "replGtidPurged", from: "replication.gtid-purged" },
  ],
  backup: [
    { goName: "Admin", prop: "admin", from: "mysql.admin" },
    { goName: "Passwd", prop: "passwd", from: "mysql.passwd", secret: true },
    { goName: "Host", prop: "host", from: "mysql.host" },
    { goName: "Port", prop: "port", from: "mysql.port" },
    { goName: "Basedir", prop: "basedir", from: "mysql.basedir" },
    { goName: "DefaultsFile", prop: "defaultsFile", from: "mysql.defaults-file" },
  ],
};
