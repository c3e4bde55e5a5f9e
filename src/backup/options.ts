/** The backup settings of xenon.json as the tools need them. */
import type { XenonConfig } from "../config/mod.ts";
import { backupToolsOf } from "../mysql/backup_flavor.ts";
import { familyFromConfig } from "../mysql/flavor.ts";
import type { DonorOptions } from "./donor_stream.ts";
import type { ToolOptions } from "./tool_args.ts";

/** MariaDB or MySQL, from `mysql.version` (the server may not run yet during a rebuild). */
export function familyOf(config: XenonConfig): "mariadb" | "mysql" {
  return familyFromConfig(config.mysql.version) === "mariadb" ? "mariadb" : "mysql";
}

export function toolOptionsOf(config: XenonConfig): ToolOptions {
  const b = config.backup;
  return {
    tools: backupToolsOf(familyOf(config)),
    bindir: b.xtrabackupBindir,
    parallel: b.backupParallel,
    iopsLimit: b.backupIopsLimits,
    useMemory: b.backupUseMemory,
    compress: b.compress,
  };
}

/** The donor side: tools, login (the password goes into an option file), ssh client. */
export function donorOptionsOf(config: XenonConfig, datadir: string): DonorOptions {
  const { iopsLimit: _, ...tool } = toolOptionsOf(config);
  return {
    tool,
    login: {
      defaultsFile: config.mysql.defaultsFile,
      host: config.mysql.host,
      port: config.mysql.port,
      user: config.mysql.admin,
      password: config.mysql.passwd,
    },
    ssh: {
      identityFile: config.backup.sshIdentityFile,
      knownHostsFile: config.backup.sshKnownHostsFile,
    },
    datadir,
  };
}
