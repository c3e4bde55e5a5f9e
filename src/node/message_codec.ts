/**
 * Checks an election message from the wire before it reaches the core: every field the core
 * reads has the right type, or the request is answered with a one-line error. The sender must be
 * the authenticated peer (a member cannot speak for another) and the addressee this node.
 */
import { RAFT_STATES, type RaftEnvelope } from "../model/mod.ts";
import type { Message } from "../raft/mod.ts";
import { v, ValidationError, type Validator } from "../rpc/mod.ts";

const ROLES = RAFT_STATES;

const envelope = { from: v.string(), to: v.string(), term: v.count() };
const nullable = (inner: Validator<string>) => (value: unknown, path?: string) =>
  value === null || value === undefined ? null : inner(value, path);
/** A field older peers do not send: absent stays absent, null stays null. */
const newer = <T>(inner: Validator<T>) => (value: unknown, path?: string) =>
  value === null || value === undefined ? value : inner(value, path);

const shapes: Record<Message["kind"], Validator<unknown>> = {
  heartbeat: v.object({
    ...envelope,
    epoch: v.count(),
    peers: v.strings(),
    idlePeers: v.strings(),
    position: nullable(v.string()),
    termStart: nullable(v.string()),
    writable: v.boolean(),
    sentAt: v.number(),
    ranking: v.strings(),
  }),
  heartbeatReply: v.object({
    ...envelope,
    ok: v.boolean(),
    reason: v.string(),
    sentAt: v.number(),
    position: nullable(v.string()),
    role: v.oneOf(ROLES),
    backlog: newer(v.count()),
  }),
  preVote: v.object({ ...envelope, position: v.string(), dataTerm: v.count() }),
  preVoteReply: v.object({
    ...envelope,
    granted: v.boolean(),
    reason: v.string(),
    role: v.oneOf(ROLES),
  }),
  vote: v.object({
    ...envelope,
    position: v.string(),
    dataTerm: v.count(),
    transfer: v.boolean(),
  }),
  voteReply: v.object({
    ...envelope,
    granted: v.boolean(),
    reason: v.string(),
    position: nullable(v.string()),
    dataTerm: v.count(),
    role: v.oneOf(ROLES),
  }),
  transfer: v.object(envelope),
  leaseReleased: v.object({
    ...envelope,
    target: v.string(),
    leaderCommandsOk: newer(v.boolean()),
  }),
  ping: v.object(envelope),
  pingReply: v.object({
    ...envelope,
    role: v.oneOf(ROLES),
    leader: nullable(v.string()),
    epoch: v.count(),
  }),
};

const KINDS = Object.keys(shapes) as Message["kind"][];
const kindOf = v.oneOf(KINDS);
const mysqlAddress = v.object({ host: v.string(), port: v.count() });

/** Validates a `RaftRPC.Message` body. */
export function validateEnvelope(value: unknown): RaftEnvelope<Message> {
  const outer = v.object({ message: v.anyJson(), mysql: mysqlAddress })(value);
  const raw = outer.message as Record<string, unknown> | null;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError("message: expected an object");
  }
  const kind = kindOf(raw.kind, "message.kind");
  const message = { ...(shapes[kind](raw, "message") as object), kind } as Message;
  if (outer.mysql.port < 1 || outer.mysql.port > 65535 || outer.mysql.host === "") {
    throw new ValidationError("mysql: expected a host and a port 1-65535");
  }
  return { message, mysql: outer.mysql };
}
