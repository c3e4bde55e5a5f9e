/** Hot backups streamed over ssh, and rebuilding a replica from a live peer (see rebuild.ts). */
export { DonorStream } from "./donor_stream.ts";
export { type LocalSide, Rebuilder, type RebuildPorts } from "./rebuild.ts";
export { backupMethods } from "./rpc.ts";
export { donorOptionsOf, familyOf, toolOptionsOf } from "./options.ts";
export { dataPathsOf } from "./place.ts";
export { readRebuildState } from "./state_file.ts";
export { DONOR_SETTINGS } from "./init_config.ts";
