/**
 * How long a failover to a node would take if its leader were lost now, from what the node knows:
 * its election timers, the transactions it has received and not applied, and how fast its SQL
 * thread applied lately. Shown by `raft explain`, `mysql doctor` and `/metrics`.
 */

export interface ForecastInput {
  electionTimeoutMs: number;
  requestTimeoutMs: number;
  /** Transactions received and not applied; null when not known. */
  backlogTransactions: number | null;
  /** Transactions per second the SQL thread applied over recent samples; null when not known. */
  applyRate: number | null;
}

export interface FailoverForecast {
  /** detect + apply in seconds; null while the apply time is not known. */
  seconds: number | null;
  detectSeconds: number;
  applySeconds: number | null;
  /** One line, "a failover now would take about 4.3 s (detect 4.0 s + apply backlog 0.3 s)". */
  text: string;
}

/**
 * seconds = detect + apply, where
 *   detect = election timeout + one request timeout (the followers campaign once the leader has
 *            been silent for an election timeout; the pre-vote and vote rounds then answer within
 *            a request timeout on a working network), and
 *   apply  = backlog transactions / apply rate (a new leader applies its relay log before it is
 *            writable, at the rate its SQL thread showed over the poller's recent samples).
 */
export function forecastFailover(i: ForecastInput): FailoverForecast {
  const detectSeconds = round((i.electionTimeoutMs + i.requestTimeoutMs) / 1000);
  const detect = `detect ${detectSeconds.toFixed(1)} s`;
  const applySeconds = applyTime(i.backlogTransactions, i.applyRate);
  if (applySeconds === null) {
    return {
      seconds: null,
      detectSeconds,
      applySeconds,
      text: `a failover now would take ${detect} plus an apply time not known yet: ` +
        unknownWhy(i.backlogTransactions),
    };
  }
  const seconds = round(detectSeconds + applySeconds);
  return {
    seconds,
    detectSeconds,
    applySeconds,
    text: `a failover now would take about ${seconds.toFixed(1)} s (${detect} + apply backlog ` +
      `${applySeconds.toFixed(1)} s: ${i.backlogTransactions} transactions)`,
  };
}

function applyTime(backlog: number | null, rate: number | null): number | null {
  if (backlog === 0) return 0;
  if (backlog === null || rate === null || rate <= 0) return null;
  return round(backlog / rate);
}

function unknownWhy(backlog: number | null): string {
  return backlog === null
    ? "the relay log backlog is unknown"
    : `${backlog} transactions to apply and no apply rate measured (the SQL thread applied ` +
      `nothing lately)`;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
