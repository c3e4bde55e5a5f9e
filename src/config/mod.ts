/** Configuration: xenon.json compatible with the original, plus `xenon config check`. */
export type { XenonConfig } from "./derive.ts";
export {
  defaultConfig,
  loadConfig,
  type LoadedConfig,
  parseConfig,
  readConfigText,
  registerConfigSecrets,
} from "./parse.ts";
export { discoverConfigPath, type DiscoverOptions } from "./discover.ts";
export { serializeConfig } from "./serialize.ts";
export { parseSysvarProfile, type Sysvar } from "./sysvars.ts";
export {
  checkConfig,
  checkConfigLive,
  type CheckOptions,
  type Finding,
  formatFinding,
  type Query,
} from "./check.ts";
export { DEFAULT_PASSWORD_KEY_REFUSAL, isDefaultReplicationPassword } from "./cluster_secret.ts";
export { agentOwnedRefusal, isAgentOwnedSysvar } from "./sysvar_rules.ts";
export { LOG_LEVELS, SCHEMA } from "./schema.ts";
export { checkClusterSize, TWO_NODE_BEHAVIOUR } from "./two_nodes.ts";
export { type ConfiguredTimers, switchoverBoundMs, timersOf } from "./timers_of.ts";
