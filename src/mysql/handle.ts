/**
 * An open connection together with the dialect of the server behind it: what every operation in
 * this folder takes. The dialect comes from `SELECT VERSION()`; a `mysql.version` that disagrees
 * is reported in `mismatch` (the daemon logs it) rather than trusted.
 */
import { chooseFlavor, type Flavor, parseServerVersion, type ServerVersion } from "./flavor.ts";
import { SEMI_SYNC_PLUGIN_PROBE, semiSyncPlugins } from "./semisync_plugins.ts";
import { type MysqlConnectionOptions, MysqlSession } from "./session.ts";

/** A session and its flavor. */
export interface MysqlHandle extends AsyncDisposable {
  readonly session: MysqlSession;
  readonly flavor: Flavor;
  readonly options: MysqlConnectionOptions;
  /** One line when `mysql.version` names another server family than the live one. */
  readonly mismatch?: string;
  /** The live server's `VERSION()` (absent on handles made from a known flavor). */
  readonly version?: ServerVersion;
  /** MySQL: the semi-sync plugins to add, one line (semisync_plugins.ts); absent when loaded. */
  readonly semiSyncMissing?: string;
  close(): Promise<void>;
}

/**
 * Connects, detects the flavor, and returns the handle. Throws MysqlUnavailableError when the
 * server cannot be reached, ConfigError when `version` is not a known `mysql.version` value.
 */
export async function openMysql(
  options: MysqlConnectionOptions,
  config: { version?: string } = {},
): Promise<MysqlHandle> {
  const session = await MysqlSession.open(options);
  try {
    const version = parseServerVersion(await session.scalar("SELECT VERSION() AS v", "v"));
    const choice = chooseFlavor(config.version, version);
    let flavor = choice.flavor;
    let semiSyncMissing: string | null = null;
    if (flavor.gtid === "mysql") {
      const rows = await session.query(SEMI_SYNC_PLUGIN_PROBE);
      const plugins = semiSyncPlugins(
        flavor,
        new Set(rows.map((r) => String(r.Variable_name).toLowerCase())),
      );
      flavor = plugins.flavor;
      semiSyncMissing = plugins.missing;
    }
    return {
      ...handleOf(session, flavor, options, choice.mismatch),
      version,
      ...(semiSyncMissing ? { semiSyncMissing } : {}),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** A handle over an already open session with a known flavor (tests, second connections). */
export function handleOf(
  session: MysqlSession,
  flavor: Flavor,
  options: MysqlConnectionOptions,
  mismatch?: string,
): MysqlHandle {
  return {
    session,
    flavor,
    options,
    mismatch,
    close: () => session.close(),
    [Symbol.asyncDispose]: () => session.close(),
  };
}
