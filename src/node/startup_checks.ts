/** What `xenon serve` checks before it starts anything: the configuration and its timers. */
import { checkConfig, readConfigText, timersOf, type XenonConfig } from "../config/mod.ts";
import { ConfigError } from "../lib/errors.ts";
import { log } from "../log/mod.ts";
import { comparatorFor } from "../gtid/mod.ts";
import type { Flavor } from "../mysql/mod.ts";
import { type RaftOptions, raftOptions, validateTimers } from "../raft/mod.ts";

/** The election timers from xenon.json, in ms; refuses (one line) unsafe combinations. */
export function optionsFromConfig(
  config: XenonConfig,
  comparator: RaftOptions["comparator"],
): RaftOptions {
  const options = raftOptions(config.server.endpoint, comparator, {
    ...timersOf(config),
    superIdle: config.raft.superIdle,
  });
  validateTimers(options);
  return options;
}

/** The election's options once the server's flavor is known. */
export function electionOptions(config: XenonConfig, flavor: Flavor): RaftOptions {
  return {
    ...optionsFromConfig(config, comparatorFor(flavor.gtid === "mariadb" ? "mariadb" : "mysql")),
    // Without a wait-count variable semi-sync waits for one replica: 5 voters need 2.
    semiSyncWaitLimit: flavor.waitCountVariable === null
      ? { count: 1, why: `${flavor.label} semi-sync waits for one replica at most` }
      : undefined,
  };
}

/**
 * Refuses to start on any error `config check` finds (its first error, in one line), except the
 * few it starts anyway with (`startsAnyway`); logs its warnings, which the CLI does not print.
 */
export async function refuseUnsafeConfig(configPath: string): Promise<void> {
  const text = await readConfigText(configPath);
  const findings = checkConfig(text, { path: configPath });
  for (const f of findings.filter((f) => f.severity === "warning")) {
    log("config").warn`${f.key}: ${f.message}`;
  }
  const errors = findings.filter((f) => f.severity === "error" && !f.startsAnyway);
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more: xenon config check)` : "";
    throw new ConfigError(`${errors[0].key}: ${errors[0].message}${more}`);
  }
}
