/** `config check --live` against a real mariadbd: the SQL the live check sends must work there. */
import assert from "node:assert/strict";
import { checkConfigLive, formatFinding, parseConfig } from "../../src/config/mod.ts";
import { createInstance } from "../harness/mod.ts";

Deno.test("live check on MariaDB: missing variables by name; sync_binlog=default resolves to 0", async () => {
  await using node = await createInstance({ name: "configlive" });
  const { config } = parseConfig(JSON.stringify({
    mysql: {
      host: node.host,
      port: node.port,
      "master-sysvars": "sync_binlog=default;innodb_flush_log_at_trx_commit=default;" +
        "rpl_semi_sync_master_enabled=1;rpl_semi_sync_master_wait_point=AFTER_SYNC",
      "slave-sysvars":
        "sync_binlog=1;innodb_flush_log_at_trx_commit=1;tokudb_fsync_log_period=1000;" +
        "rpl_semi_sync_slave_enabled=1;READ_ONLY=ON",
    },
  }));
  const findings = await checkConfigLive(config, (sql, params) => node.query(sql, params));
  assert.deepEqual(findings.map(formatFinding), [
    `mysql.slave-sysvars: tokudb_fsync_log_period does not exist on 127.0.0.1:${node.port}; fix the name, or load the plugin that provides it`,
    `mysql.master-sysvars: sync_binlog=default is 0 on 127.0.0.1:${node.port}: the primary can lose acknowledged transactions if its host crashes; use sync_binlog=1`,
  ]);
});
