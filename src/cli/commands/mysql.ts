import type { GroupSpec } from "../spec.ts";

/** `xenon mysql ...`: the local mysqld, users (through the leader), backup and rebuild. */
export const mysqlCommands: GroupSpec = {
  name: "mysql",
  description: "the local mysqld, MySQL users (through the leader), backup and rebuild",
  commands: [
    {
      usage: "startmonitor",
      description: "start supervising the local mysqld (restart it when it dies)",
    },
    { usage: "stopmonitor", description: "stop supervising the local mysqld" },
    { usage: "start", description: "start the local mysqld through mysqld_safe" },
    {
      usage: "shutdown",
      description: "shut the local mysqld down cleanly and wait until it is stopped",
    },
    {
      usage: "kill",
      description: "kill the local mysqld_safe and mysqld (careful: no clean shutdown)",
    },
    {
      usage: "status",
      description: "the local mysqld's replication and supervision status, as JSON",
    },
    { usage: "sysvar <sql>", description: 'run one "SET GLOBAL name=value" on the local MySQL' },
    {
      usage: "doctor",
      description: "check the local durability settings and state the guarantee they give",
    },
    {
      usage: "createuser <user> <host> <password> <ssl>",
      description: "create a user with the usual application grants; ssl is YES or NO",
    },
    {
      usage: "createsuperuser <user> <host> <password> <ssl>",
      description: "create a user with ALL PRIVILEGES WITH GRANT OPTION; ssl is YES or NO",
    },
    {
      usage: "createuserwithgrants",
      description: "create a user with the listed privileges on one database/table",
      options: [
        { flags: "--user <user>", description: "user name" },
        { flags: "--passwd <password>", description: "password" },
        {
          flags: "--database <db>",
          description: "database, * or empty for all",
          defaultValue: "*",
        },
        { flags: "--table <table>", description: "table, * or empty for all", defaultValue: "*" },
        { flags: "--host <host>", description: "host, empty for %", defaultValue: "%" },
        { flags: "--privs <privs>", description: "comma-separated privileges, e.g. SELECT,INSERT" },
        { flags: "--ssl <YES|NO>", description: "require X509", defaultValue: "NO" },
      ],
    },
    { usage: "dropuser <user> <host>", description: "drop a user" },
    { usage: "changepassword <user> <host> <password>", description: "change a user's password" },
    { usage: "getuser", description: "list users with their SUPER privilege, as JSON" },
    {
      usage: "backup",
      description:
        "stream a hot backup from the best replica into a local directory and prepare it",
      options: [{
        flags: "--to <dir>",
        description: "empty local directory to receive the backup",
      }],
    },
    { usage: "cancelbackup", description: "cancel the running backup on its donor" },
    {
      usage: "rebuildme",
      description:
        "rebuild this replica from the best live peer (hot backup over ssh), then rejoin",
      options: [
        { flags: "--from <endpoint>", description: "donor HOST:PORT instead of the best replica" },
        {
          flags: "--force",
          description: "skip the local-transactions check (loses this node's errant GTIDs)",
        },
      ],
    },
  ],
};
