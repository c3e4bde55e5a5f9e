/**
 * `RaftRPC.DryRunFailover` on a daemon: its own report from its core, the others' by Explain
 * calls, judged with its own options (a peer that does not answer is named, never guessed).
 */
import assert from "node:assert/strict";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import type { ExplainResult } from "../../src/model/mod.ts";
import { type ExplainSource, failoverDryRun } from "../../src/node/explain.ts";
import type { PeerOutcome } from "../../src/ports/mod.ts";
import { initialState, raftOptions, type RaftState } from "../../src/raft/mod.ts";

const [A, B, C] = ["a:1", "b:1", "c:1"];
const options = raftOptions(A, mariadbComparator);

function here(overrides: Partial<RaftState> = {}): ExplainSource {
  const state: RaftState = {
    ...initialState(options),
    role: "FOLLOWER",
    peers: [A, B, C],
    leader: B,
    mysql: { alive: true, ioRunning: true, sqlRunning: true, position: "0-1-12" },
    ...overrides,
  };
  return { state, options, now: 10_000, flavor: "mariadb" };
}

function report(endpoint: string, role: "LEADER" | "FOLLOWER", position: string): ExplainResult {
  return {
    self: {
      endpoint,
      role,
      position,
      dataTerm: 0,
      modeReason: "",
      promotable: { ok: true, reason: "" },
    },
    term: 5,
    leader: B,
    voters: [A, B, C],
    flavor: "mariadb",
    lines: [],
  };
}

/** Answers Explain for `reports`; every other endpoint is unreachable. Records who was asked. */
function peers(reports: ExplainResult[]) {
  const asked: { endpoints: readonly string[]; method: string; timeoutMs: number }[] = [];
  return {
    asked,
    callAll<Res>(
      endpoints: readonly string[],
      method: string,
      _r: unknown,
      o: { timeoutMs: number },
    ) {
      asked.push({ endpoints, method, timeoutMs: o.timeoutMs });
      return Promise.resolve(endpoints.map((endpoint): PeerOutcome<Res> => {
        const found = reports.find((r) => r.self.endpoint === endpoint);
        return found === undefined
          ? { endpoint, ok: false, error: new Error("connection refused") }
          : { endpoint, ok: true, result: found as Res };
      }));
    },
  };
}

Deno.test("dry run on the daemon: the leader assumed failed, this node's data from its core, the winner named", async () => {
  const rpc = peers([report(B, "LEADER", "0-1-12"), report(C, "FOLLOWER", "0-1-10")]);
  const verdict = await failoverDryRun(here(), [A, B, C], rpc);
  assert.deepEqual(rpc.asked, [{
    endpoints: [B, C],
    method: "RaftRPC.Explain",
    timeoutMs: options.requestTimeoutMs,
  }]);
  assert.equal(verdict.leader, B);
  assert.equal(verdict.winner, A);
  assert.deepEqual(verdict.nodes.map((n) => n.endpoint), [A, B, C]);
  assert.deepEqual(verdict.lines, [
    `${B}: the leader, assumed failed`,
    `${A}: could win with 2 of 3 votes (need 2)`,
    `${C}: could not win: 1 of 3 votes (need 2); refused by ${A}: its GTID 0-1-10 is behind 0-1-12 (mine)`,
    `${A} would win: the only eligible node`,
  ]);
});

Deno.test("dry run on the daemon: members that do not answer are named; none could win is said", async () => {
  const down = here({
    mysql: { alive: false, ioRunning: false, sqlRunning: false, position: null },
  });
  const verdict = await failoverDryRun(down, [A, B, C], peers([report(B, "LEADER", "0-1-12")]));
  assert.equal(verdict.winner, null);
  assert.deepEqual(verdict.nodes.map((n) => n.endpoint), [A, B]);
  assert.match(verdict.lines.join("\n"), new RegExp(`${C}: could not win: did not answer`));
  assert.match(verdict.lines.join("\n"), new RegExp(`${A}: could not win: .*MySQL is down`));
  assert.match(verdict.lines.at(-1)!, /^no node could win an election now/);
});

Deno.test("dry run on the daemon: a report it cannot read counts as no answer, never a crash", async () => {
  const garbled = { ...report(C, "FOLLOWER", "0-1-12"), self: { endpoint: C, role: "BOSS" } };
  const rpc = peers([report(B, "LEADER", "0-1-12"), garbled as unknown as ExplainResult]);
  const verdict = await failoverDryRun(here(), [A, B, C], rpc);
  assert.deepEqual(verdict.nodes.map((n) => n.endpoint), [A, B]);
  assert.match(verdict.lines.join("\n"), new RegExp(`${C}: could not win: did not answer`));
  assert.equal(verdict.winner, null, "without c, a has 1 of 3 votes");
});
