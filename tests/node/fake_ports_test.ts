/**
 * The daemon's own event loop, effect executor and poller (src/node) on in-memory ports and a
 * clock the test moves: three nodes elect one writable leader that the others replicate from,
 * and when the leader is cut off it fences itself before another one becomes writable. What
 * runs here is the code a database host runs, only its ports are not real (issue 11).
 */
import assert from "node:assert/strict";
import { defaultConfig } from "../../src/config/mod.ts";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import { XenonNode } from "../../src/node/node.ts";
import { MysqlPoller } from "../../src/node/poller.ts";
import { emptyMeta, raftOptions } from "../../src/raft/mod.ts";
import { FakeClock } from "../support/fake_clock.ts";
import {
  FakeMysqlSession,
  FakeNetwork,
  FakeServer,
  MemoryStore,
  RecordedCommands,
} from "../support/fake_ports.ts";

const NAMES = ["10.0.0.1:8801", "10.0.0.2:8801", "10.0.0.3:8801"];

interface Member {
  name: string;
  node: XenonNode<FakeServer>;
  server: FakeServer;
  poller: MysqlPoller;
  commands: RecordedCommands;
  fatal: string[];
}

function cluster() {
  const clock = new FakeClock(1000);
  const network = new FakeNetwork();
  const members: Member[] = NAMES.map((name, i) => {
    const host = name.split(":")[0];
    const server = new FakeServer({ host, port: 3306 });
    const config = defaultConfig();
    const commands = new RecordedCommands();
    const fatal: string[] = [];
    const node = new XenonNode({
      config: {
        ...config,
        server: { ...config.server, endpoint: name },
        mysql: { ...config.mysql, replHost: host, port: 3306, masterSysvars: "", slaveSysvars: "" },
      },
      options: raftOptions(name, mariadbComparator, { seed: i + 1 }),
      clock,
      store: new MemoryStore({ ...emptyMeta(name, false), epochId: 1, peers: NAMES }),
      mysql: new FakeMysqlSession(server),
      otherThreads: () => [],
      rpc: network.transport(name),
      leaderCommands: commands,
      mysqld: {
        hardStop: () => {
          server.readOnly = true;
          return Promise.resolve(true);
        },
      },
      onFatal: (reason) => fatal.push(reason),
    });
    const poller = new MysqlPoller({
      clock,
      link: new FakeMysqlSession(server),
      intervalMs: 200,
      admitDefeatCount: 3,
      comparator: mariadbComparator,
      report: (observation, readOnly) => node.observe(observation, readOnly),
    });
    network.nodes.set(name, node);
    return { name, node, server, poller, commands, fatal };
  });
  /** Moves time in 50 ms steps, letting every job the timers queued finish after each. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      clock.advance(50);
      // Every port answers at once: all the loop's work is done before the next macrotask.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { clock, network, members, run };
}

async function started() {
  const c = cluster();
  for (const m of c.members) {
    await m.node.start(await m.node.deps.store.load());
    m.poller.start();
  }
  return c;
}

async function stopAll(members: Member[]) {
  for (const m of members) {
    await m.poller.stop();
    await m.node.stop();
  }
}

const writable = (members: Member[]) => members.filter((m) => m.node.writableLeader);

Deno.test("fake ports: one writable leader, the others read-only and replicating from it", async () => {
  const c = await started();
  try {
    await c.run(15_000);
    const leaders = writable(c.members);
    assert.equal(leaders.length, 1, "exactly one writable leader");
    const [leader] = leaders;
    assert.equal(leader.server.readOnly, false);
    assert.equal(leader.server.waitCount, 1, "semi-sync waits for one of two replicas");
    assert.equal(leader.commands.runs.at(-1), `start ${leader.node.state.term}`);
    for (const m of c.members.filter((m) => m !== leader)) {
      assert.equal(m.server.readOnly, true, `${m.name} is writable`);
      assert.equal(m.server.source, `${leader.server.address.host}:3306`);
    }
    assert.deepEqual(c.members.flatMap((m) => m.fatal), []);
  } finally {
    await stopAll(c.members);
  }
});

Deno.test("fake ports: a leader cut off fences itself before another becomes writable", async () => {
  const c = await started();
  try {
    await c.run(15_000);
    const [old] = writable(c.members);
    assert.ok(old !== undefined, "no leader elected");
    const oldTerm = old.node.state.term;
    c.network.cut.add(old.name);
    // The old leader must be read-only at every step from the moment another one is writable.
    let overlap = false;
    for (let t = 0; t < 15_000; t += 50) {
      await c.run(50);
      const others = writable(c.members.filter((m) => m !== old));
      if (others.length > 0 && !old.server.readOnly) overlap = true;
    }
    assert.equal(overlap, false, "two writable servers at once");
    const [next] = writable(c.members);
    assert.ok(next !== undefined && next !== old, "no new writable leader");
    assert.ok(next.node.state.term > oldTerm);
    assert.equal(old.server.readOnly, true);
    assert.ok(old.commands.runs.includes(`stop ${oldTerm}`), old.commands.runs.join(", "));
  } finally {
    await stopAll(c.members);
  }
});
