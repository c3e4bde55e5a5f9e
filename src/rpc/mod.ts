/**
 * @module
 * Authenticated peer RPC: JSON over HTTP(S), `POST /rpc/<Service.Method>` with the original
 * xenon's service and method names (not wire-compatible with its Go gob RPC).
 *
 * Every request carries an HMAC-SHA256 over method, sender, addressee, timestamp, nonce and body
 * digest, keyed by the cluster key (`deriveClusterKey`: from `server.cluster-secret`, else from
 * `replication.passwd`). A server refuses requests with no or a bad MAC, a timestamp more than
 * 120 s from its clock (10 s ahead where it keeps a replay mark), a replayed nonce, a sender not in its peer list, or the CLI on a
 * peers-only method; answers are signed too. TLS is optional, on top.
 */
export { type ClusterKey, clusterKeyOf, type ClusterKeySource, deriveClusterKey } from "./key.ts";
export {
  type CallContext,
  type Callers,
  type Handler,
  type MethodOptions,
  RpcServer,
  type RpcServerOptions,
} from "./server.ts";
export {
  type CallOptions,
  type CallOutcome,
  cliIdentity,
  RpcClient,
  type RpcClientOptions,
} from "./client.ts";
export * from "./errors.ts";
export { HTTP_STATUS, RpcCode } from "./codes.ts";
export { clientTlsOf, serverTlsOf } from "./tls_options.ts";
export { replayMarkPath } from "./replay_mark.ts";
export { type Endpoint, formatEndpoint, parseEndpoint } from "./endpoint.ts";
export * as v from "./validate.ts";
export { ValidationError, type Validator } from "./validate.ts";
