/**
 * The outside world as the shell (src/node's event loop and effect executor) takes it: small
 * interfaces only. The daemon wires the real ones (system clock, the server's sessions, peer
 * RPC, peers.json, the operator's commands, the supervised mysqld); tests and the simulator
 * wire their own.
 */
export type * from "./clock.ts";
export type * from "./mysql.ts";
export type * from "./mysqld.ts";
export type * from "./transport.ts";
export type * from "./state_store.ts";
export type * from "./leader_commands.ts";
