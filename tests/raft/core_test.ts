import assert from "node:assert/strict";
import { step } from "../../src/raft/mod.ts";
import { TestCluster } from "../support/test_cluster.ts";

const ABC = ["a:1", "b:1", "c:1"];

/** `from` asks `to` for its vote in the next term, as holding 0-1-10 at `to`'s data term. */
function voteFor(c: TestCluster, from: string, to: string) {
  return {
    type: "message",
    now: c.now,
    message: {
      kind: "vote",
      from,
      to,
      term: c.state(to).term + 1,
      position: "0-1-10",
      dataTerm: c.state(to).dataTerm,
      transfer: false,
    },
  } as const;
}

Deno.test("three nodes elect one leader that becomes writable with semi-sync K=1", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  assert.equal(c.leaders().length, 1, c.log.join("\n"));
  assert.deepEqual([...c.writable], c.leaders());
  assert.ok(c.log.some((l) => /promote: .*semi-sync waits for 1 of 2 replicas/.test(l)));
});

Deno.test("a leader tells its replicas it is writable in the step that promotes it", async () => {
  // Replicas repoint only at a heartbeat that says writable, and until one of them acks, every
  // commit on the new leader waits for semi-sync: a heartbeat period later is that much outage.
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const promoting = c.steps(leader).find((s) => s.effects.some((e) => e.kind === "promote"))!;
  const told = promoting.effects.flatMap((e) =>
    e.kind === "send" && e.message.kind === "heartbeat" && e.message.writable ? [e.message.to] : []
  );
  assert.deepEqual(told.sort(), ABC.filter((n) => n !== leader));
});

Deno.test("a candidate behind a voter is denied, and the reason names both GTIDs", async () => {
  const c = await TestCluster.create(ABC);
  for (const n of ABC) c.cut.add(n);
  c.positions.set("b:1", "0-1-42");
  await c.observe("b:1");
  await c.run(3100); // past the hold on votes after the start
  const vote = {
    kind: "vote",
    from: "a:1",
    to: "b:1",
    term: 5,
    dataTerm: 0,
    transfer: false,
  } as const;
  await c.apply("b:1", { type: "message", now: c.now, message: { ...vote, position: "0-1-40" } });
  assert.ok(
    c.log.includes("b:1: send: vote denied to a:1: its GTID 0-1-40 is behind 0-1-42 (mine)"),
  );
  assert.equal(c.disk.get("b:1")?.votedFor, null);
  await c.apply("b:1", { type: "message", now: c.now, message: { ...vote, position: "0-2-42" } });
  assert.ok(c.log.some((l) => /vote denied to a:1: its GTID 0-2-42 and 0-1-42 diverged/.test(l)));
  await c.apply("b:1", { type: "message", now: c.now, message: { ...vote, position: "0-1-43" } });
  assert.ok(
    c.log.includes("b:1: send: vote granted to a:1 for term 5: its GTID 0-1-43 is ahead of 0-1-42"),
  );
  assert.equal(c.disk.get("b:1")?.votedFor, "a:1");
});

Deno.test("followers within the lease refuse votes; the leader fences before anyone else wins", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [old] = c.leaders();
  c.cut.add(old);
  let fencedAt = -1;
  let electedAt = -1;
  for (let i = 0; i < 100 && electedAt < 0; i++) {
    await c.run(100);
    if (fencedAt < 0 && !c.writable.has(old)) fencedAt = c.now;
    if (c.leaders().some((l) => l !== old && c.writable.has(l))) electedAt = c.now;
  }
  assert.ok(fencedAt > 0 && electedAt > 0, c.log.join("\n"));
  assert.ok(electedAt - fencedAt >= 1000, `fenced ${fencedAt}, new leader ${electedAt}`);
  assert.ok(
    c.log.some((l) => l.startsWith(`${old}: fence: fencing: lease lost: acks from 1 of 3`)),
  );
});

Deno.test("a vote request within the lease is refused with the leader's name", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const other = ABC.find((n) => n !== leader)!;
  const third = ABC.find((n) => n !== leader && n !== other)!;
  const t = await c.apply(other, {
    type: "message",
    now: c.now,
    message: {
      kind: "vote",
      from: third,
      to: other,
      term: c.state(other).term + 5,
      position: "0-1-99",
      dataTerm: 0,
      transfer: false,
    },
  });
  const reply = t.effects.find((e) => e.kind === "send");
  assert.ok(reply && reply.kind === "send" && reply.message.kind === "voteReply");
  assert.equal(reply.message.granted, false);
  assert.match(reply.reason, new RegExp(`I heard from leader ${leader} \\d+ ms ago`));
  assert.equal(t.persist, null, "a refused vote changes nothing durable");
});

Deno.test("a restarted voter never votes twice in one term", async () => {
  const c = await TestCluster.create(ABC);
  c.cut.add("a:1");
  c.cut.add("b:1");
  c.cut.add("c:1");
  await c.run(3100); // past the hold on votes after the start
  const vote = (from: string) =>
    c.apply("c:1", {
      type: "message",
      now: c.now,
      message: {
        kind: "vote",
        from,
        to: "c:1",
        term: 5,
        position: "0-1-10",
        dataTerm: 0,
        transfer: false,
      },
    });
  await vote("a:1");
  assert.equal(c.disk.get("c:1")?.votedFor, "a:1", "the vote is on disk before the reply");
  await c.start("c:1"); // crash + restart from what was persisted
  await c.run(3100);
  const second = await vote("b:1");
  const reply = second.effects.find((e) => e.kind === "send");
  assert.ok(reply && reply.kind === "send" && reply.message.kind === "voteReply");
  assert.equal(reply.message.granted, false);
  assert.match(reply.reason, /already voted for a:1 in term 5/);
});

Deno.test("a restarted voter refuses votes for one election timeout, as if it had just heard a leader", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter, candidate] = ABC.filter((n) => n !== leader);
  c.cut.add(leader); // the leader's lease counts on the voter's last ack
  await c.start(voter); // ...and the voter's agent restarts right after that ack
  const ask = async () => {
    const t = await c.apply(voter, voteFor(c, candidate, voter));
    await c.deliver();
    return t;
  };
  const early = (await ask()).effects.find((e) => e.kind === "send");
  assert.ok(early && early.kind === "send" && early.message.kind === "voteReply");
  assert.equal(early.message.granted, false);
  assert.match(early.reason, /I restarted and may have acknowledged a leader just before/);
  // Only the voter's clock moves: no timer runs, nobody else campaigns meanwhile.
  c.jump(voter, c.options.get(voter)!.electionTimeoutMs - 1);
  await ask();
  assert.notEqual(c.disk.get(voter)?.votedFor, candidate, "held 1 ms before one election timeout");
  c.jump(voter, 1);
  await ask();
  assert.equal(c.disk.get(voter)?.votedFor, candidate, "granted once the hold is over");
});

Deno.test("trytoleader on a voter in its start hold is refused: no second writable leader", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter, other] = ABC.filter((n) => n !== leader);
  c.cut.add(other); // the leader's lease now counts on the voter's acks alone
  await c.run(4000);
  assert.ok(c.writable.has(leader));
  // The voter acked the leader's last heartbeat; then the leader is cut off and the voter's agent
  // restarts, and the operator asks it to lead before it heard any leader.
  c.cut.add(leader);
  c.cut.delete(other);
  await c.start(voter);
  const t = await c.apply(voter, { type: "admin", now: c.now, command: { kind: "tryToLead" } });
  const hold = c.options.get(voter)!.electionTimeoutMs;
  assert.equal(t.admin?.ok, false);
  assert.equal(
    t.admin?.reason,
    `restarted 0 ms ago: a leader may still hold a lease on my last ack; retry in ${hold} ms`,
  );
  await c.deliver();
  await c.run(300);
  assert.ok(!c.writable.has(voter), `${leader} (lease via ${voter}) and ${voter} both writable`);
});

Deno.test("a hand-over from the current leader ends the start hold of the voters it tells", async () => {
  const five = ["a:1", "b:1", "c:1", "d:1", "e:1"];
  const c = await TestCluster.create(five);
  await c.run(6000);
  const [leader] = c.leaders();
  const [target, r1, r2, away] = five.filter((n) => n !== leader);
  c.cut.add(away);
  // Two voters restart and hear the leader again; the target needs one of their votes.
  await c.start(r1);
  await c.start(r2);
  await c.run(600); // a heartbeat or more
  assert.equal(c.state(r1).leader, leader);
  const t = await c.apply(target, { type: "admin", now: c.now, command: { kind: "tryToLead" } });
  assert.equal(t.admin?.reason, `asked leader ${leader} to hand over`);
  await c.deliver();
  await c.run(300); // well inside the restarted voters' hold (one election timeout)
  assert.deepEqual(c.leaders(), [target], c.log.join("\n"));
  assert.deepEqual([...c.writable], [target]);
});

Deno.test("the data term moves when a leader becomes writable, not when it wins", async () => {
  const c = await TestCluster.create(ABC);
  c.catchUpFails.add("a:1").add("b:1").add("c:1");
  await c.run(6000);
  const winners = ABC.filter((n) => c.log.some((l) => l.startsWith(`${n}: CANDIDATE -> LEADER`)));
  assert.ok(winners.length > 0, c.log.join("\n"));
  for (const n of winners) {
    assert.ok(c.log.some((l) => l.startsWith(`${n}: LEADER -> FOLLOWER: stepping back`)));
    assert.equal(c.state(n).dataTerm, 0, `${n} never became writable: it wrote nothing`);
  }
  c.catchUpFails.clear();
  await c.run(10_000);
  const [next] = c.leaders();
  assert.ok(next && c.writable.has(next), c.log.join("\n"));
  assert.equal(c.state(next).dataTerm, c.state(next).term);
  assert.ok(
    !c.log.some((l) => /mine newer term/.test(l)),
    "nobody refused a candidate by data term",
  );
});

/** A sample of a mysqld that restarted and dropped the relay log it had not applied. */
const RELAY_LOG_DROPPED = {
  alive: true,
  ioRunning: false,
  sqlRunning: true,
  position: "0-1-10",
  restarted: true,
  relayLogDiscarded: true,
} as const;

Deno.test("a voter whose mysqld dropped its relay log votes only for a holder of what it acked", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter, other] = ABC.filter((n) => n !== leader);
  await c.apply(voter, {
    type: "mysql",
    now: c.now,
    observation: RELAY_LOG_DROPPED,
  });
  assert.ok(c.log.some((l) => l.startsWith(`${voter}: my mysqld restarted and dropped the relay`)));
  c.cut.add(leader);
  await c.run(3100); // the leader's lease on the voters is over
  await c.start(voter); // remembered across an agent restart too
  await c.run(3100);
  const ask = async (from: string) =>
    (await c.apply(voter, voteFor(c, from, voter))).effects.find((e) => e.kind === "send");
  const refused = await ask(other);
  assert.ok(refused?.kind === "send" && refused.message.kind === "voteReply");
  assert.equal(refused.message.granted, false);
  assert.match(refused.reason, new RegExp(`: I vote only for ${leader} or a candidate with data`));
  await c.deliver();
  await c.run(3000);
  assert.ok(c.log.some((l) => l.startsWith(`${voter}: not campaigning: my mysqld restarted`)));
  assert.deepEqual(c.leaders(), [], "nobody lacking the voter's acked writes was elected");
  c.cut.delete(leader);
  await c.run(6000); // the old leader (it holds all the voter acked) leads again; the voter catches up
  await c.observe(voter);
  assert.ok(c.log.some((l) => l.startsWith(`${voter}: caught up with leader`)), c.log.join("\n"));
  assert.equal(c.state(voter).relayLogLost, null);
  assert.equal(c.disk.get(voter)?.relayLogLost, null);
});

Deno.test("a second relay log drop, after acking a newer leader, is remembered for that leader", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter, other] = ABC.filter((n) => n !== leader);
  const term = c.state(voter).term;
  // Lost once (from the first leader), never caught up since, then acking `other` in a later
  // term: a second drop may have lost what it acked to `other`, which the first leader lacks.
  const before = {
    ...c.state(voter),
    relayLogLost: { from: leader, term },
    source: { leader: other, term: term + 2, termStart: "0-1-10", from: "0-1-10" },
    term: term + 2,
  };
  const t = step(c.options.get(voter)!, before, {
    type: "mysql",
    now: c.now,
    observation: RELAY_LOG_DROPPED,
  });
  assert.deepEqual(t.state.relayLogLost, { from: other, term: term + 2 });
});

Deno.test("a mysqld run that started while no agent watched counts as a restart that dropped the relay log", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter] = ABC.filter((n) => n !== leader);
  const sample = (start: string) => ({
    type: "mysql" as const,
    now: c.now,
    observation: {
      ...RELAY_LOG_DROPPED,
      restarted: false,
      relayLogDiscarded: false,
      run: { boot: "b", start },
    },
  });
  const o = c.options.get(voter)!;
  const seen = step(o, c.state(voter), sample("7:100")).state;
  assert.deepEqual(seen.mysqldRun, { boot: "b", start: "7:100" }, "the first run named is kept");
  assert.equal(seen.relayLogLost, null, "a first sample says nothing of a restart");
  assert.equal(step(o, seen, sample("7:100")).state.relayLogLost, null, "the same run again");
  // A new agent (same peers.json) finds a later run: mysqld restarted while nobody watched.
  const later = step(o, seen, sample("9:250"));
  assert.deepEqual(later.state.relayLogLost, { from: leader, term: c.state(voter).term });
  assert.deepEqual(later.persist?.mysqldRun, { boot: "b", start: "9:250" });
  assert.deepEqual(later.persist?.relayLogLost, later.state.relayLogLost, "written together");
});
Deno.test("a relay log dropped while a vote is frozen (mysqld restarted unseen) denies that vote", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const [voter, other] = ABC.filter((n) => n !== leader);
  c.cut.add(leader);
  await c.run(3100); // the leader's lease on the voters is over
  const o = c.options.get(voter)!;
  const asked = step(o, c.state(voter), voteFor(c, other, voter));
  const freeze = asked.effects.find((e) => e.kind === "freezeReplication");
  assert.ok(freeze?.kind === "freezeReplication");
  // The sample taken while freezing: mysqld restarted and its relay log is gone.
  const sampled = step(o, asked.state, {
    type: "mysql",
    now: c.now,
    observation: RELAY_LOG_DROPPED,
  });
  const frozen = step(o, sampled.state, {
    type: "replicationFrozen",
    now: c.now,
    freeze: freeze.id,
    position: "0-1-10",
  });
  const reply = frozen.effects.find((e) => e.kind === "send");
  assert.ok(reply?.kind === "send" && reply.message.kind === "voteReply");
  assert.equal(reply.message.granted, false);
  assert.match(reply.reason, new RegExp(`I vote only for ${leader} or a candidate with data`));
  assert.equal(frozen.state.votedFor, null);
});

Deno.test("two voters never fail over automatically, and say why", async () => {
  const c = await TestCluster.create(["a:1", "b:1"]);
  await c.run(8000);
  const [old] = c.leaders();
  assert.ok(old);
  c.cut.add(old);
  await c.run(20000);
  assert.deepEqual(c.leaders(), []);
  assert.ok(c.log.some((l) => l.includes("a 2-voter cluster never fails over without both votes")));
});

Deno.test("a single voter waits for trytoleader unless self-election is allowed", async () => {
  const c = await TestCluster.create(["a:1"]);
  await c.run(10000);
  assert.deepEqual(c.leaders(), []);
  assert.match(c.state("a:1").reason, /single-voter cluster: run `xenoncli raft trytoleader`/);
  const t = await c.apply("a:1", { type: "admin", now: c.now, command: { kind: "tryToLead" } });
  assert.equal(t.admin?.ok, true);
  await c.run(200);
  assert.deepEqual(c.leaders(), ["a:1"]);
  assert.ok(c.writable.has("a:1"));
  const auto = await TestCluster.create(["a:1"], { allowSingleVoterSelfElection: true });
  await auto.run(10000);
  assert.deepEqual(auto.leaders(), ["a:1"]);
});

Deno.test("membership is adopted only from the leader with a higher epoch", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const follower = ABC.find((n) => n !== leader)!;
  const t = await c.apply(leader, {
    type: "admin",
    now: c.now,
    command: { kind: "addIdlePeer", endpoint: "d:1" },
  });
  assert.equal(t.admin?.ok, true);
  await c.deliver();
  assert.deepEqual(c.state(follower).idlePeers, ["d:1"]);
  assert.equal(c.state(follower).epoch, 2);
  const refused = await c.apply(follower, {
    type: "admin",
    now: c.now,
    command: { kind: "removePeer", endpoint: leader },
  });
  assert.equal(refused.admin?.ok, false);
  assert.match(refused.admin!.reason, /run on the leader/);
});

Deno.test("trytoleader on a follower hands over: the old leader fences before the new one promotes", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [old] = c.leaders();
  const target = ABC.find((n) => n !== old)!;
  const t = await c.apply(target, { type: "admin", now: c.now, command: { kind: "tryToLead" } });
  assert.equal(t.admin?.ok, true, t.admin?.reason);
  await c.deliver();
  await c.run(2000);
  assert.deepEqual(c.leaders(), [target], c.log.join("\n"));
  const fence = c.log.findIndex((l) => l.startsWith(`${old}: fence:`));
  const promote = c.log.findIndex((l) => l.startsWith(`${target}: promote:`));
  assert.ok(fence >= 0 && promote > fence);
});

Deno.test("leader-start-command learns who handed over only when that leader's start and stop both succeeded", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const switchTo = async (target: string) => {
    const t = await c.apply(target, { type: "admin", now: c.now, command: { kind: "tryToLead" } });
    assert.equal(t.admin?.ok, true, t.admin?.reason);
    await c.deliver();
    await c.run(2000);
    assert.deepEqual(c.leaders(), [target], c.log.join("\n"));
  };
  const [first] = c.leaders();
  assert.deepEqual(c.leaderCommands(first).handedOverBy, ["-"], "the first leader: no hand-over");
  const second = ABC.find((n) => n !== first)!;
  await switchTo(second);
  assert.deepEqual(c.leaderCommands(second).handedOverBy, [first]);
  // A stop that failed may have left the VIP where it was: the next start must check for it.
  c.leaderCommands(second).stopFails = true;
  const third = ABC.find((n) => n !== first && n !== second)!;
  await switchTo(third);
  assert.deepEqual(c.leaderCommands(third).handedOverBy, ["-"]);
  assert.ok(c.log.some((l) => l.includes("the next leader-start-command checks for itself")));
  // A start that failed (another host still answered for the VIP) took nothing, so its stop gave
  // nothing back, however it exited: the next start must check too.
  c.leaderCommands(first).startFails = true;
  await switchTo(first);
  await switchTo(second);
  assert.deepEqual(c.leaderCommands(second).handedOverBy, [first, "-"]);
});

Deno.test("a disabled node stays IDLE when a late pre-vote reply names a higher term", async () => {
  // Sim seed 47166: it pre-voted, was disabled, then a refusal from a higher term made it a
  // FOLLOWER in idle mode, which the operator's `raft enable` (for IDLE nodes) never reached.
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const node = ABC.find((n) => !c.leaders().includes(n))!;
  const other = ABC.find((n) => n !== node)!;
  const off = await c.apply(node, { type: "admin", now: c.now, command: { kind: "disable" } });
  assert.equal(off.admin?.ok, true, off.admin?.reason);
  assert.equal(c.state(node).role, "IDLE");
  const term = c.state(node).term + 2;
  await c.apply(node, {
    type: "message",
    now: c.now,
    message: {
      kind: "preVoteReply",
      from: other,
      to: node,
      term,
      granted: false,
      reason: "late refusal",
      role: "FOLLOWER",
    },
  });
  assert.equal(c.state(node).role, "IDLE");
  assert.equal(c.state(node).term, term);
});

Deno.test("a follower holding transactions the new leader lacks becomes INVALID and stays so", async () => {
  const c = await TestCluster.create(ABC);
  c.positions.set("c:1", "0-3-11");
  await c.observe("c:1");
  c.cut.add("c:1");
  await c.run(8000);
  c.cut.delete("c:1");
  await c.run(2000);
  assert.equal(c.state("c:1").role, "INVALID", c.log.join("\n"));
  const t = await c.apply("c:1", { type: "admin", now: c.now, command: { kind: "enable" } });
  assert.equal(t.admin?.ok, false);
  await c.start("c:1");
  assert.equal(c.state("c:1").role, "INVALID", "INVALID survives a restart");
});

Deno.test("without a leader a voter is added locally only at bootstrap, before any data", async () => {
  const c = await TestCluster.create(ABC);
  const add = async (n: string) =>
    (await c.apply(n, {
      type: "admin",
      now: c.now,
      command: { kind: "addPeer", endpoint: "d:1" },
    })).admin;
  assert.equal((await add("a:1"))?.ok, true, "bootstrap: nothing written yet");
  await c.run(6000);
  const [leader] = c.leaders();
  for (const n of ABC) { // the leader writes; everyone replicates it
    c.positions.set(n, "0-1-20");
    await c.observe(n);
  }
  await c.run(2000);
  const follower = ABC.find((n) => n !== leader && c.state(n).dataTerm > 0);
  assert.ok(follower, "a follower holds data of the leader's term");
  for (const n of ABC) c.cut.add(n);
  await c.run(4000);
  assert.equal(c.leaders().length, 0, "the leader fenced itself, cut off");
  const refused = (await c.apply(follower!, {
    type: "admin",
    now: c.now,
    command: { kind: "addPeer", endpoint: "e:1" },
  })).admin;
  assert.equal(refused?.ok, false);
  assert.match(refused!.reason, /^cannot add voter e:1 without a leader: /);
});

Deno.test("without a leader a voter is removed only when forced: a minority must not elect itself", async () => {
  const five = ["a:1", "b:1", "c:1", "d:1", "e:1"];
  const c = await TestCluster.create(five);
  await c.run(6000);
  const [leader] = c.leaders();
  const majority = [leader, ...five.filter((n) => n !== leader).slice(0, 2)];
  const minority = five.filter((n) => !majority.includes(n));
  for (const n of minority) c.cut.add(n); // {L,A,B} | {C,D}: L keeps leading its side
  await c.run(4000);
  assert.deepEqual(c.leaders(), [leader]);
  const remove = async (endpoint: string, force?: boolean) =>
    (await c.apply(minority[0], {
      type: "admin",
      now: c.now,
      command: { kind: "removePeer", endpoint, force },
    })).admin;
  const refused = await remove(leader);
  assert.equal(refused?.ok, false);
  assert.match(
    refused!.reason,
    new RegExp(`^cannot remove voter ${leader} without a leader: .*xenon cluster remove --force`),
  );
  assert.ok(!refused!.reason.includes("\n"));
  assert.equal((await remove(majority[1]))?.ok, false);
  assert.equal(c.state(minority[0]).peers.length, 5, "nothing removed");
  await c.run(8000);
  assert.deepEqual(c.leaders(), [leader], "the minority elected nobody");
  assert.equal(
    (await remove(leader, true))?.ok,
    true,
    "the operator may force it, knowing the risk",
  );
  assert.equal(c.state(minority[0]).peers.length, 4);
});

Deno.test("an added voter's ack counts only once the voters before it know of it", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const others = ABC.filter((n) => n !== leader);
  for (const n of others) c.cut.add(n); // they miss the new membership for now
  const t = await c.apply(leader, {
    type: "admin",
    now: c.now,
    command: { kind: "addPeer", endpoint: "d:1" },
  });
  assert.equal(t.admin?.ok, true);
  // 4 voters need 1 ack, but a, b, c still see 3 voters and may elect without d: an ack from d
  // alone would not be on any majority of theirs.
  assert.ok(
    c.log.some((l) => l === `${leader}: promote: membership epoch 2: semi-sync waits for 2`),
  );
  for (const n of others) c.cut.delete(n);
  await c.run(1000);
  assert.ok(
    c.log.some((l) => /know the added ones: semi-sync waits for 1$/.test(l)),
    c.log.join("\n"),
  );
});

Deno.test("a flavor whose semi-sync waits for one replica at most refuses a 5th voter unless forced", async () => {
  const limit = { count: 1, why: "MariaDB semi-sync waits for one replica at most" };
  const four = ["a:1", "b:1", "c:1", "d:1"];
  const c = await TestCluster.create(four, { semiSyncWaitLimit: limit });
  await c.run(6000);
  const [leader] = c.leaders();
  const add = async (kind: "addPeer" | "addIdlePeer", force?: boolean) =>
    (await c.apply(leader, {
      type: "admin",
      now: c.now,
      command: kind === "addPeer" ? { kind, endpoint: "e:1", force } : { kind, endpoint: "e:1" },
    })).admin;
  const refused = await add("addPeer");
  assert.equal(refused?.ok, false);
  assert.equal(
    refused?.reason,
    "cannot add voter e:1: 5 voters need semi-sync to wait for 2 replicas, but MariaDB " +
      "semi-sync waits for one replica at most, so elections would need 4 of 5 votes and this " +
      "voter would add no failure tolerance; add it as an idle member (xenon cluster addidle " +
      "e:1), or add it anyway: xenon cluster add --force e:1",
  );
  assert.equal(c.state(leader).peers.length, 4);
  assert.equal((await add("addIdlePeer"))?.ok, true, "an idle member never counts in the wait");
  await c.apply(leader, {
    type: "admin",
    now: c.now,
    command: { kind: "removeIdlePeer", endpoint: "e:1" },
  });
  assert.equal((await add("addPeer", true))?.ok, true);
  assert.equal(c.state(leader).peers.length, 5);
  const unlimited = await TestCluster.create(four);
  await unlimited.run(6000);
  const [other] = unlimited.leaders();
  const t = await unlimited.apply(other, {
    type: "admin",
    now: unlimited.now,
    command: { kind: "addPeer", endpoint: "e:1" },
  });
  assert.equal(t.admin?.ok, true, "MySQL's wait count covers 5 voters");
});

Deno.test("a leader whose mysqld process is gone hands over at once instead of waiting out its lease", async () => {
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [old] = c.leaders();
  const started = c.now;
  await c.apply(old, {
    type: "mysql",
    now: c.now,
    observation: {
      alive: false,
      stopped: true,
      ioRunning: false,
      sqlRunning: false,
      position: null,
    },
  });
  assert.ok(c.log.some((l) => l.startsWith(`${old}: fence: fencing: local mysqld is not running`)));
  let electedAt = -1;
  for (let i = 0; i < 40 && electedAt < 0; i++) {
    await c.run(100);
    if (c.leaders().some((l) => l !== old && c.writable.has(l))) electedAt = c.now;
  }
  assert.ok(electedAt > 0, c.log.join("\n"));
  // Well inside the 3 s election timeout the followers would otherwise wait.
  assert.ok(electedAt - started < 1500, `new leader after ${electedAt - started} ms`);
});

Deno.test("a follower whose MySQL went away is pointed at the leader again once it is back", async () => {
  // mysqld starts with --skip-slave-start: after a crash-restart nothing replicates until the
  // agent says so, and an unreplicating voter neither acks nor may campaign.
  const c = await TestCluster.create(ABC);
  await c.run(6000);
  const [leader] = c.leaders();
  const follower = ABC.find((n) => n !== leader)!;
  assert.equal(c.state(follower).replicatingFrom, leader);
  await c.observe(follower, false);
  const before = c.log.length;
  await c.observe(follower, true);
  await c.run(1000);
  const repointed = c.log.slice(before).filter((l) => l.startsWith(`${follower}: changeMaster:`));
  assert.equal(repointed.length, 1, c.log.slice(before).join("\n"));
  assert.equal(c.state(follower).replicatingFrom, leader);
});
