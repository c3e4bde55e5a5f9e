/**
 * The outside world as the shell (src/node's event loop and effect executor) takes it: small
 * interfaces only. The daemon wires the real ones (system clock, the server's sessions, peer
 * RPC, peers.json, the operator's commands, the supervised mysqld); tests and the simulator
 * wire their own.
 */
export type { Clock, Timer } from "./clock.ts";
export type {
  CatchUpReport,
  FenceAttempt,
  LeaderSemiSyncSample,
  MysqlSample,
  MysqlSession,
  ReplicationSource,
  SampledStatus,
} from "./mysql.ts";
export type { LocalMysqld } from "./mysqld.ts";
export type { PeerOutcome, PeerTransport } from "./transport.ts";
export type { StateStore } from "./state_store.ts";
export type {
  LeaderCommandContext,
  LeaderCommandOutcome,
  LeaderCommandRunner,
} from "./leader_commands.ts";
