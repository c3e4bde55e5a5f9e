/**
 * Timer relations that make elections unsafe or flappy. The roles of each timer (inventory §3.3):
 * the leader heartbeats every heartbeat-timeout (HB); a heartbeat call may take up to
 * 2×request-timeout (RT), vote requests up to RT; a follower calls an election after
 * election-timeout (ET) without a heartbeat; a candidate collects votes for ET/2. HB above ET/3
 * is not refused: xenon heartbeats every ET/3 instead (timers_of.ts). The original's
 * admit-defeat-hearbeat-count no longer bounds how long a cut-off leader stays writable: the lease
 * does (src/raft/lease.ts), so it has no rule here. Each rule is documented in conf/README.md
 * ("Timer rules").
 */
import { type Finding, warning } from "./finding.ts";
import type { XenonConfig } from "./derive.ts";
import { heartbeatMsFor } from "./timers_of.ts";

const HB = "raft.heartbeat-timeout";
const ET = "raft.election-timeout";
const RT = "rpc.request-timeout";

interface TimerRule {
  /** Keys the rule reads; it is skipped when one of them is itself invalid. */
  uses: string[];
  /** `hb` is the heartbeat xenon uses (timers_of.ts), `configuredHb` the file's. */
  check(t: { configuredHb: number; hb: number; et: number; rt: number }): Finding | undefined;
}

export const TIMER_RULES: TimerRule[] = [
  {
    uses: [HB, ET],
    check: ({ configuredHb, hb, et }) =>
      configuredHb === hb ? undefined : warning(
        HB,
        `${configuredHb} ms is more than a third of election-timeout (${et} ms): the leader heartbeats every ${hb} ms instead, so its lease outlasts a heartbeat (the original's configs, and the Kubernetes operator's election-timeout / admit-defeat-hearbeat-count with a count of 1 or 2, heartbeat this seldom); set heartbeat-timeout to ${hb} or less to silence this`,
      ),
  },
  {
    uses: [HB, ET, RT],
    check: ({ hb, et, rt }) =>
      et >= hb + 2 * rt ? undefined : warning(
        RT,
        `the heartbeat (${hb} ms) + the heartbeat call timeout (2× request-timeout = ${
          2 * rt
        } ms) exceeds election-timeout (${et} ms): one slow follower can make the others call an election`,
      ),
  },
  {
    uses: [ET, RT],
    check: ({ et, rt }) =>
      rt > et / 2
        ? warning(
          RT,
          `${rt} ms is longer than a candidate's vote-collection window (election-timeout/2 = ${
            et / 2
          } ms): votes arrive too late and elections repeat`,
        )
        : undefined,
  },
  {
    uses: [RT],
    check: ({ rt }) =>
      rt < 1000
        ? warning(
          RT,
          `${rt} ms is below 1000 ms: under load peers look dead and rejoining nodes turn INVALID (maintainers' advice in radondb/xenon#144: at least 1000 ms)`,
        )
        : undefined,
  },
];

export function checkTimers(config: XenonConfig, invalid: Set<string>): Finding[] {
  const t = {
    configuredHb: config.raft.heartbeatTimeout,
    hb: heartbeatMsFor(config.raft.heartbeatTimeout, config.raft.electionTimeout),
    et: config.raft.electionTimeout,
    rt: config.rpc.requestTimeout,
  };
  return TIMER_RULES.filter((rule) => !rule.uses.some((key) => invalid.has(key)))
    .map((rule) => rule.check(t))
    .filter((f): f is Finding => f !== undefined);
}
