/**
 * The failover observer: phases from the core's transitions on the new leader, fenceOld from
 * the old leader under the same id, and the two merged as `cluster history` shows them.
 */
import assert from "node:assert/strict";
import { sharePhases } from "../../src/cli/commands/history.ts";
import { setupLogging } from "../../src/log/mod.ts";
import { FailoverObserver } from "../../src/node/history.ts";
import type { RaftState } from "../../src/raft/mod.ts";
import { FlightRecorder, mergeHistories } from "../../src/recorder/mod.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { leadership, node, PEERS, recorded, step } from "../support/history_steps.ts";

setupLogging({ level: "error", format: "text", write: () => {} });

const [A, B] = [PEERS[0], PEERS[1]];

Deno.test("history: the new leader records detect..leaderStart, the old leader fenceOld; merged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-history-test-" });
  try {
    // Epoch ms are 1_700_000_000_000 + the monotonic reading.
    const clock = new FakeClock(0, 1_700_000_000_000);
    // b wins after a fails.
    const bRec = new FlightRecorder({ dir: `${dir}`, recordedBy: B });
    const b = new FailoverObserver({ recorder: bRec, flavor: "mariadb", self: B, clock });
    let s = node(B);
    s = step(b, s, {
      leader: A,
      leaderContactAt: 1000,
      leaderPosition: "0-1-10",
      leaderWritable: true,
    }, 1000);
    s = step(b, s, {
      campaign: {
        phase: "preVote",
        term: 6,
        granted: [B],
        denied: [],
        deadline: 0,
        transfer: false,
        position: "0-1-10",
      },
    }, 2600);
    s = step(b, s, {
      role: "LEADER",
      term: 6,
      leader: B,
      leaderContactAt: null,
      campaign: null,
      leadership: leadership("catchingUp"),
    }, 2700);
    s = step(b, s, { leadership: leadership("ready") }, 2750);
    b.promoted(2800);
    b.leaderStartDone(2800, 2810);
    const [record] = await recorded(bRec);
    assert.equal(record.id, `t6@${B}`);
    assert.match(record.trigger, /no heartbeat from leader a:1 for 1600 ms; old leader's position/);
    assert.deepEqual(
      record.phases.map((p) => [p.name, p.durationMs]),
      [["detect", 1600], ["elect", 100], ["catchUp", 50], ["promote", 50], [
        "leaderStartCommand",
        10,
      ]],
    );
    assert.equal(record.totalMs, 1810);
    assert.equal(record.verdict.text, "0 transactions lost");

    // a fenced itself at 1200 for 30 ms, and learns of term 6 later.
    await Deno.mkdir(`${dir}/a`);
    const aRec = new FlightRecorder({ dir: `${dir}/a`, recordedBy: A });
    const a = new FailoverObserver({ recorder: aRec, flavor: "mariadb", self: A, clock });
    let o: RaftState = {
      ...node(A),
      role: "LEADER",
      leader: A,
      leadership: leadership("writable"),
    };
    const fence = { kind: "fence" as const, reason: "fencing" };
    const down = { ...o, role: "FOLLOWER" as const, leader: null, leadership: null, now: 1200 };
    a.transition({ event: { type: "tick", now: 1200 }, before: o, after: down, effects: [fence] });
    a.effectDone(fence, 1200, 1230);
    a.leaderStopDone({
      ran: true,
      ok: true,
      code: 0,
      elapsedMs: 12,
      summary: "leader-stop-command exited 0 after 12 ms",
    });
    o = step(
      a,
      down,
      { term: 6, leader: B, leaderContactAt: 3000, leaderPosition: "0-1-10", leaderWritable: true },
      3000,
    );
    const [fenced] = await recorded(aRec);
    assert.equal(fenced.id, record.id);
    assert.deepEqual(fenced.phases.map((p) => [p.name, p.durationMs]), [["fenceOld", 30]]);
    assert.match(fenced.trigger, /fenced itself; leader-stop-command exited 0 after 12 ms$/);

    const [merged] = mergeHistories(sharePhases([[record], [fenced]]));
    assert.deepEqual(merged.phases.map((p) => p.name), [
      "detect",
      "fenceOld",
      "elect",
      "catchUp",
      "promote",
      "leaderStartCommand",
    ]);
    assert.deepEqual(merged.seenBy, [A, B]);
    assert.equal(merged.recordedBy, B);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("history: a bootstrap election (no leader known before) is not recorded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-history-test-" });
  try {
    const rec = new FlightRecorder({ dir, recordedBy: B });
    const b = new FailoverObserver({
      recorder: rec,
      flavor: "mariadb",
      self: B,
      clock: new FakeClock(),
    });
    let s = node(B);
    s = step(b, s, {
      campaign: {
        phase: "preVote",
        term: 1,
        granted: [B],
        denied: [],
        deadline: 0,
        transfer: false,
        position: "0-1-10",
      },
    }, 100);
    s = step(b, s, {
      role: "LEADER",
      term: 1,
      leader: B,
      campaign: null,
      leadership: leadership("catchingUp"),
    }, 200);
    b.promoted(300);
    b.leaderStartDone(300, 301);
    await new Promise((ok) => setTimeout(ok, 50));
    assert.deepEqual(await rec.read(), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
