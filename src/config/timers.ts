/**
 * Timer relations that make elections unsafe or flappy. The roles of each timer (inventory §3.3):
 * the leader heartbeats every heartbeat-timeout (HB); a heartbeat call may take up to
 * 2×request-timeout (RT), vote requests up to RT; a follower calls an election after
 * election-timeout (ET) without a heartbeat; a candidate collects votes for ET/2. The original's
 * admit-defeat-hearbeat-count no longer bounds how long a cut-off leader stays writable: the lease
 * does (src/raft/lease.ts), so it has no rule here. Each rule is documented in conf/README.md
 * ("Timer rules").
 */
import { error, type Finding, warning } from "./finding.ts";
import type { XenonConfig } from "./derive.ts";

const HB = "raft.heartbeat-timeout";
const ET = "raft.election-timeout";
const RT = "rpc.request-timeout";

interface TimerRule {
  /** Keys the rule reads; it is skipped when one of them is itself invalid. */
  uses: string[];
  check(t: { hb: number; et: number; rt: number }): Finding | undefined;
}

export const TIMER_RULES: TimerRule[] = [
  {
    uses: [HB, ET],
    check: ({ hb, et }) =>
      et <= hb
        ? error(
          ET,
          `${et} ms is not above heartbeat-timeout (${hb} ms): followers call elections against a healthy leader between two heartbeats; use at least 3× heartbeat-timeout`,
        )
        : undefined,
  },
  {
    uses: [HB, ET],
    check: ({ hb, et }) =>
      et > hb && et < 3 * hb
        ? warning(
          ET,
          `${et} ms is less than 3× heartbeat-timeout (${hb} ms): two late heartbeats start an election; use at least ${
            3 * hb
          } ms`,
        )
        : undefined,
  },
  {
    uses: [HB, ET, RT],
    check: ({ hb, et, rt }) =>
      et <= hb || et >= hb + 2 * rt ? undefined : warning(
        RT,
        `heartbeat-timeout (${hb} ms) + the heartbeat call timeout (2× request-timeout = ${
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
    hb: config.raft.heartbeatTimeout,
    et: config.raft.electionTimeout,
    rt: config.rpc.requestTimeout,
  };
  return TIMER_RULES.filter((rule) => !rule.uses.some((key) => invalid.has(key)))
    .map((rule) => rule.check(t))
    .filter((f): f is Finding => f !== undefined);
}
