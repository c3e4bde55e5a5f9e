/**
 * One record per outage: from the last contact with a writable leader to the next writable
 * leader, across every election in between. A term whose leader stepped back while catching up
 * is listed in that record, never filed as a failover of its own.
 */
import assert from "node:assert/strict";
import { setupLogging } from "../../src/log/mod.ts";
import { FailoverObserver } from "../../src/node/history.ts";
import type { RaftState } from "../../src/raft/mod.ts";
import { FlightRecorder } from "../../src/recorder/mod.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { leadership, node, PEERS, recorded, step } from "../support/history_steps.ts";

setupLogging({ level: "error", format: "text", write: () => {} });

const [A, B, C] = PEERS;
const EPOCH = 1_700_000_000_000;

async function withObserver(
  self: string,
  run: (o: FailoverObserver, recorder: FlightRecorder) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-outage-test-" });
  try {
    const recorder = new FlightRecorder({ dir, recordedBy: self });
    const clock = new FakeClock(0, EPOCH);
    await run(new FailoverObserver({ recorder, flavor: "mariadb", self, clock }), recorder);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const campaign = (term: number) => ({
  phase: "preVote" as const,
  term,
  granted: [C],
  denied: [],
  deadline: 0,
  transfer: false,
  position: "0-1-10",
});

/** `c` follows writable `a` (last heard at 1000); `a` is lost. */
function followingA(o: FailoverObserver): RaftState {
  const s = node(C);
  return step(o, s, { leader: A, leaderContactAt: 1000, leaderWritable: true }, 1000);
}

/** `c` wins `term` at `at`: leader, catching up. */
function cWon(o: FailoverObserver, s: RaftState, term: number, at: number): RaftState {
  return step(o, s, {
    role: "LEADER",
    term,
    leader: C,
    leaderContactAt: null,
    campaign: null,
    leadership: leadership("catchingUp", at),
  }, at);
}

/** `c` wins term 7 at 5300, applies its relay log, is writable at 5450, VIP at 5460. */
function cWins(o: FailoverObserver, s: RaftState): void {
  s = cWon(o, step(o, s, { campaign: campaign(7) }, 5200), 7, 5300);
  step(o, s, { leadership: leadership("ready", 5300) }, 5400);
  o.promoted(5450);
  o.leaderStartDone(5450, 5460);
}

Deno.test("outage: a term that stepped back is part of the next writable leader's record", async () => {
  await withObserver(C, async (o, recorder) => {
    let s = followingA(o);
    // b won term 6 and catches up: its heartbeats say not writable, then it steps back.
    for (const at of [4100, 4500, 4900]) {
      s = step(o, s, { term: 6, leader: B, leaderContactAt: at, leaderWritable: false }, at);
    }
    s = step(o, s, { leader: null }, 5000);
    cWins(o, s);
    const records = await recorded(recorder);
    assert.equal(records.length, 1, "one outage, one record");
    const [r] = records;
    assert.equal(r.id, `t7@${C}`);
    assert.equal(r.oldLeader, A, "the last writable leader, not the one that stepped back");
    assert.equal(r.startedAtMs, EPOCH + 1000);
    assert.equal(r.totalMs, 4460, "from the last writable contact to the next leader's VIP");
    assert.deepEqual(r.phases.map((p) => [p.name, p.startMs - EPOCH, p.durationMs]), [
      ["detect", 1000, 3100],
      ["earlierTerms", 4100, 1100],
      ["elect", 5200, 100],
      ["catchUp", 5300, 100],
      ["promote", 5400, 50],
      ["leaderStartCommand", 5450, 10],
    ]);
    assert.deepEqual(r.intermediateTerms, [
      { term: 6, leader: B, startMs: EPOCH + 4100, durationMs: 800, outcome: "" },
    ]);
    assert.match(
      r.trigger,
      /no heartbeat from leader a:1 for 3100 ms; 1 term\(s\) never became writable first \(t6@b:1\)/,
    );
  });
});

Deno.test("outage: the winner's own stepped-back term is listed with why it ended", async () => {
  await withObserver(C, async (o, recorder) => {
    let s = followingA(o);
    s = cWon(o, step(o, s, { campaign: campaign(6) }, 4000), 6, 4100);
    s = step(o, s, {
      role: "FOLLOWER",
      leader: null,
      leadership: null,
      reason: "stepping back: my SQL thread applied nothing for 6000 ms",
    }, 4600);
    cWins(o, s);
    const [r] = await recorded(recorder);
    assert.equal(r.id, `t7@${C}`);
    assert.equal(r.totalMs, 4460);
    assert.deepEqual(r.phases.slice(0, 3).map((p) => [p.name, p.startMs - EPOCH, p.durationMs]), [
      ["detect", 1000, 3000],
      ["earlierTerms", 4000, 1200],
      ["elect", 5200, 100],
    ]);
    assert.deepEqual(r.intermediateTerms, [{
      term: 6,
      leader: C,
      startMs: EPOCH + 4100,
      durationMs: 500,
      outcome: "stepping back: my SQL thread applied nothing for 6000 ms",
    }]);
  });
});

Deno.test("outage: the old leader's fence goes to the next writable leader, not to a term that stepped back", async () => {
  await withObserver(A, async (o, recorder) => {
    const fence = { kind: "fence" as const, reason: "fencing" };
    const leading: RaftState = {
      ...node(A),
      role: "LEADER",
      leader: A,
      leadership: leadership("writable"),
    };
    o.transition({
      event: { type: "tick", now: 1000 },
      before: node(A),
      after: leading,
      effects: [],
    });
    const down = {
      ...leading,
      role: "FOLLOWER" as const,
      leader: null,
      leadership: null,
      now: 1200,
    };
    o.transition({
      event: { type: "tick", now: 1200 },
      before: leading,
      after: down,
      effects: [fence],
    });
    o.effectDone(fence, 1200, 1202);
    let s = step(
      o,
      down,
      { term: 6, leader: B, leaderContactAt: 4100, leaderWritable: false },
      4100,
    );
    await new Promise((ok) => setTimeout(ok, 50));
    assert.deepEqual(await recorder.read(), [], "b never became writable: no failover to it");
    s = step(o, s, { term: 7, leader: C, leaderContactAt: 5500, leaderWritable: true }, 5500);
    const [fenced] = await recorded(recorder);
    assert.equal(fenced.id, `t7@${C}`);
    assert.deepEqual(fenced.phases.map((p) => [p.name, p.durationMs]), [["fenceOld", 2]]);
  });
});

Deno.test("outage: another node's writable leader ends the outage; nothing recorded here", async () => {
  await withObserver(C, async (o, recorder) => {
    let s = followingA(o);
    s = step(o, s, { term: 6, leader: B, leaderContactAt: 4100, leaderWritable: false }, 4100);
    s = step(o, s, { leaderContactAt: 4600, leaderWritable: true }, 4600);
    // Later b is lost too and c takes over: that outage starts at b's last writable contact.
    cWins(o, step(o, s, { leader: null }, 5000));
    const [r] = await recorded(recorder);
    assert.equal(r.oldLeader, B);
    assert.equal(r.startedAtMs, EPOCH + 4600);
    assert.equal(r.intermediateTerms, undefined);
  });
});
