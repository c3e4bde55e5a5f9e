/**
 * The core never leads as writable over a MySQL the shell left read-only: when the lease watchdog
 * fences on its own (the loop was held, and acks queued behind the hold renew the lease once
 * processed), and when the poller finds the writable leader's MySQL read-only, it steps down.
 */
import assert from "node:assert/strict";
import { connectionOptions } from "../../src/node/local_mysql.ts";
import { leaseArithmetic, type Message } from "../../src/raft/mod.ts";
import type { RpcClient } from "../../src/rpc/mod.ts";
import { createInstance } from "../harness/mod.ts";
import { sleep, waitFor } from "../harness/wait.ts";
import {
  AgreeablePeers,
  configFor,
  optionsFor,
  PausableMysql,
  readOnlyOf,
  withDir,
  writableLeader,
} from "./_shell.ts";

/** Peers whose answers take `delayMs` (a round trip); `onHeartbeat` runs at the next heartbeat. */
class SlowPeers extends AgreeablePeers {
  delayMs = 30;
  onHeartbeat: (() => void) | null = null;
  override get rpc(): RpcClient {
    const inner = super.rpc;
    return {
      ...inner,
      call: (to: string, method: string, envelope: { message: Message }, options: never) => {
        if (envelope.message.kind === "heartbeat" && this.onHeartbeat !== null) {
          const hook = this.onHeartbeat;
          this.onHeartbeat = null;
          hook();
        }
        setTimeout(() => inner.call(to, method, envelope, options), this.delayMs);
        return Promise.resolve({});
      },
    } as unknown as RpcClient;
  }
}

Deno.test("a watchdog fence makes the leader step down, though queued acks renew its lease", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    const peers = new SlowPeers();
    const link = new PausableMysql(connectionOptions(configFor(instance.port)), "mariadb");
    await using shell = await writableLeader(instance, dir, { mysql: link }, peers);
    const { leaseMs } = leaseArithmetic(optionsFor());
    // The loop is held for a little less than a lease right after a heartbeat left: the watchdog
    // fences at the lease end, then the ack of that heartbeat is processed and renews the lease.
    link.pauseOn = /rpl_semi_sync_master_enabled/i;
    link.pauseMs = Math.round(leaseMs - 120);
    let held: Promise<unknown> | null = null;
    peers.onHeartbeat = () => {
      held = shell.node.admin({ kind: "addIdlePeer", endpoint: "127.0.0.1:9" });
    };
    await waitFor("a heartbeat to hold the loop after", () => held ?? undefined, {
      timeoutMs: 2000,
      intervalMs: 10,
    });
    await held;
    link.pauseOn = null;
    assert.equal(shell.node.watchdog.fired, 1);
    // Stepped down at once; a new term may make it writable again, through the core.
    await waitFor("the core to leave the writable leadership", () => {
      return shell.node.writableLeader ? undefined : true;
    }, { timeoutMs: 2000, intervalMs: 10 });
    // Whichever the loop hears first: the watchdog's fence, or the held promote that then found
    // its lease over (or its session killed by that fence).
    assert.match(
      shell.node.state.reason,
      /^(the lease watchdog fenced|skipped read_only OFF|promote failed)/,
    );
    await sleep(1000);
    assert.ok(
      !(shell.node.writableLeader && await readOnlyOf(instance)),
      "the core leads as writable while its MySQL is read-only",
    );
  });
});

Deno.test("a writable leader whose MySQL reads read-only twice in a row steps down", async () => {
  await using instance = await createInstance({ mysqld: { read_only: 1 } });
  await withDir(async (dir) => {
    await using shell = await writableLeader(instance, dir);
    const observation = shell.node.state.mysql;
    await instance.query("SET GLOBAL read_only = 1"); // an operator, or a fence the core missed
    shell.node.observe(observation, true);
    await sleep(50);
    assert.ok(shell.node.writableLeader, "one sample may predate the promote: not enough");
    shell.node.observe(observation, true);
    await waitFor("the leader to step down", () => {
      return shell.node.writableLeader ? undefined : true;
    }, { timeoutMs: 2000, intervalMs: 10 });
    assert.match(shell.node.state.reason, /MySQL is read-only although this node leads/);
  });
});
