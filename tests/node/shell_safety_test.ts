/**
 * The shell's safety holes (issue 10, items 3, 4, 5, 18), each on a real mariadbd:
 * - a promote paused past its lease does not make MySQL writable, nor run leader-start-command;
 * - a fence that fails escalates to a hard stop and reports that it did not fence;
 * - a node that cannot write peers.json, or whose loop job throws (even after the state moved
 *   on), fences and runs leader-stop-command before it stops;
 * - the core hears the fence's result (which a lease release waits for) only after
 *   leader-stop-command finished (item 12).
 */
import assert from "node:assert/strict";
import { setupLogging } from "../../src/log/mod.ts";
import { openMysql } from "../../src/mysql/mod.ts";
import { type EffectDeps, runEffect } from "../../src/node/effects.ts";
import { connectionOptions, LocalMysql } from "../../src/node/local_mysql.ts";
import type { XenonNode } from "../../src/node/node.ts";
import { PeerAddresses } from "../../src/node/peer_addresses.ts";
import { leaseArithmetic } from "../../src/raft/mod.ts";
import { LeaderCommands } from "../../src/vip/mod.ts";
import { createInstance } from "../harness/mod.ts";
import { sessionOver } from "../support/handle_session.ts";
import { freePort } from "../harness/registry.ts";
import { waitFor } from "../harness/wait.ts";
import {
  AgreeablePeers,
  configFor,
  NO_PEERS,
  optionsFor,
  PausableMysql,
  pausing,
  readOnlyOf,
  readOnlySeenAt,
  SELF,
  withDir,
  writableLeader,
} from "./_shell.ts";

const lines: string[] = [];
setupLogging({ level: "debug", format: "text", write: (line) => lines.push(line) });

function effectDeps(over: Partial<EffectDeps>): EffectDeps {
  const config = configFor(1);
  return {
    config,
    options: optionsFor(),
    mysql: over.mysql!,
    fenceMysql: over.fenceMysql ?? over.mysql!,
    fenceBudgetMs: 500,
    ownThreads: () => [],
    freezes: { ask: () => {} },
    rpc: NO_PEERS,
    peers: new PeerAddresses(),
    leaderCommands: new LeaderCommands("nop", "nop"),
    mysqld: { hardStop: () => Promise.resolve(false) },
    now: () => performance.now(),
    enqueue: () => {},
    catchingUp: () => true,
    onWritable: () => {},
    onPromoted: () => {},
    onFenceFailed: () => {},
    ...over,
  };
}

Deno.test("a promote paused past its lease leaves MySQL read-only", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  const options = connectionOptions(configFor(instance.port));
  await using real = await openMysql(options, { version: "mariadb" });
  // The agent stalls on the semi-sync statement until after the lease it was promoted under.
  const db = pausing(real, /rpl_semi_sync_master_enabled/i, 400);
  let promoted = false;
  const deps = effectDeps({
    mysql: sessionOver(() => Promise.resolve(db)),
    onPromoted: () => promoted = true,
  });
  await runEffect(deps, {
    kind: "promote",
    term: 2,
    semiSyncWaitCount: 1,
    voters: 3,
    replicas: [],
    validUntil: performance.now() + 150,
    reason: "test",
  });
  assert.equal(await readOnlyOf(instance), true, "writable after the lease ended");
  assert.equal(promoted, false);
  assert.ok(lines.some((l) => /skipped read_only OFF: reached \d+ ms after the lease/.test(l)));
});

Deno.test("leader-start-command queued past its lease does not run", async () => {
  await withDir(async (dir) => {
    // A slow stop from an earlier step-down runs first; the lease ends while it runs.
    const commands = new LeaderCommands(`echo start >> ${dir}/vip.log`, "sleep 0.4", 5000);
    const stop = commands.run("stop", { reason: "earlier", endpoint: SELF, term: 1 });
    const deps = effectDeps({ mysql: sessionOver(() => Promise.reject(new Error("unused"))) });
    await runEffect({ ...deps, leaderCommands: commands }, {
      kind: "runLeaderStart",
      term: 2,
      validUntil: performance.now() + 150,
      reason: "test",
    });
    await stop;
    await commands.idle();
    assert.equal(await Deno.readTextFile(`${dir}/vip.log`).catch(() => ""), "");
  });
});

Deno.test("a fence that fails escalates to a hard stop and reports it did not fence", async () => {
  const port = freePort(); // nothing listens: read-only cannot be set
  const config = configFor(port);
  const link = new LocalMysql(connectionOptions(config), "mariadb");
  const hardStops: string[] = [];
  const failures: string[] = [];
  const outcome = await runEffect(
    effectDeps({
      mysql: link,
      fenceMysql: link,
      mysqld: {
        hardStop: (reason) => {
          hardStops.push(reason);
          return Promise.resolve(false);
        },
      },
      onFenceFailed: (reason) => failures.push(reason),
    }),
    { kind: "fence", reason: "test" },
  );
  assert.equal(hardStops.length, 1, "the hard stop was tried");
  assert.equal(failures.length, 1, "counted once");
  assert.ok(outcome !== undefined && "fence" in outcome && !outcome.fence.ok);
  await link.close();
});

Deno.test("a node that cannot write peers.json fences and runs leader-stop-command first", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    await using shell = await writableLeader(instance, dir);
    // The disk refuses the next write (a file where the directory was).
    await Deno.remove(`${dir}/meta`, { recursive: true });
    await Deno.writeTextFile(`${dir}/meta`, "");
    const answer = await shell.node.admin({ kind: "addIdlePeer", endpoint: "127.0.0.1:9" });
    assert.equal(answer.ok, false);
    assert.match(await shell.fatal, /peers\.json/);
    await shell.node.stop();
    assert.equal(await readOnlyOf(instance), true, "writable after the node stopped");
    assert.match(await shell.vipLog(), /start\n(.*\n)*stop\n$/);
  });
});

Deno.test("a loop job that throws is logged with its event; the node fences and stops", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    let armed = false;
    await using shell = await writableLeader(instance, dir, {
      observers: [{
        transition: ({ event }) => {
          if (armed && event.type === "message") throw new Error("observer bug");
        },
      }],
    });
    armed = true;
    shell.node.receive({
      type: "message",
      message: { kind: "ping", from: "127.0.0.1:7", to: SELF, term: 1 },
    });
    const reason = await shell.fatal;
    assert.match(reason, /ping from 127\.0\.0\.1:7.*observer bug/);
    await shell.node.stop();
    assert.equal(await readOnlyOf(instance), true, "writable after the node stopped");
    assert.match(await shell.vipLog(), /start\n(.*\n)*stop\n$/);
    await waitFor("the log line", () => lines.some((l) => /ping from/.test(l)) || undefined, {
      timeoutMs: 1000,
    });
  });
});

/** A reply from a higher term: the leader steps down, fencing first. */
function stepDownByNewerTerm(node: XenonNode): void {
  node.receive({
    type: "message",
    message: {
      kind: "heartbeatReply",
      from: "127.0.0.1:7",
      to: SELF,
      term: node.state.term + 1,
      ok: false,
      reason: "newer term",
      sentAt: 0,
      position: null,
      role: "FOLLOWER",
    },
  });
}

Deno.test("an observer that throws on the leader's step-down: the node still fences and stops", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    let armed = false;
    await using shell = await writableLeader(instance, dir, {
      // Throws after the state already says FOLLOWER, before the step-down's fence ran.
      observers: [{
        transition: ({ before, after }) => {
          if (armed && before.role === "LEADER" && after.role !== "LEADER") {
            throw new Error("observer bug");
          }
        },
      }],
    });
    armed = true;
    stepDownByNewerTerm(shell.node);
    assert.match(await shell.fatal, /heartbeatReply from 127\.0\.0\.1:7 failed: observer bug/);
    await shell.node.stop();
    assert.equal(await readOnlyOf(instance), true, "writable after the node stopped");
    assert.match(await shell.vipLog(), /start\n(.*\n)*stop\n$/);
  });
});

Deno.test("the fence result reaches the core only after leader-stop-command finished", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    const seen: string[] = [];
    await using shell = await writableLeader(instance, dir, {
      leaderCommands: new LeaderCommands(
        `echo start >> ${dir}/vip.log`,
        `sleep 0.3; echo stop >> ${dir}/vip.log`,
        5000,
      ),
      observers: [{
        transition: ({ event }) => {
          if (event.type !== "fenced") return;
          const vip = Deno.readTextFileSync(`${dir}/vip.log`);
          seen.push(`${event.ok} ${vip.trim().split("\n").at(-1)}`);
        },
      }],
    });
    seen.length = 0; // the start-up fence
    stepDownByNewerTerm(shell.node);
    await waitFor("the fence result", () => seen.length > 0 || undefined, { timeoutMs: 5000 });
    assert.deepEqual(seen, ["true stop"]);
    assert.equal(await readOnlyOf(instance), true);
  });
});

Deno.test("the lease watchdog fences while the loop is held past the lease", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    const peers = new AgreeablePeers();
    const link = new PausableMysql(connectionOptions(configFor(instance.port)), "mariadb");
    await using shell = await writableLeader(instance, dir, { mysql: link }, peers);
    // The peers fall silent while a membership change re-promotes: the loop is held 3 s on the
    // promote's semi-sync statement, past the lease.
    link.pauseOn = /rpl_semi_sync_master_enabled/i;
    link.pauseMs = 3000;
    peers.silent = true;
    const lastAck = peers.lastAckedSentAt;
    const held = shell.node.admin({ kind: "addIdlePeer", endpoint: "127.0.0.1:9" });
    const readOnlyAfterMs = (await readOnlySeenAt(instance, 5000)) - lastAck;
    link.pauseOn = null;
    const bound = leaseArithmetic(optionsFor()).oldLeaderReadOnlyByMs;
    console.log(
      `watchdog: read-only ${Math.round(readOnlyAfterMs)} ms after the last acked heartbeat ` +
        `was sent (bound ${Math.round(bound)} ms)`,
    );
    assert.ok(readOnlyAfterMs <= bound, `${Math.round(readOnlyAfterMs)} ms > bound ${bound} ms`);
    assert.equal(shell.node.watchdog.fired, 1);
    await held;
  });
});
