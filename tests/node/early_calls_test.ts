/**
 * The daemon answers RPC before its election core has started (the RPC server is up while the
 * node still opens its sessions): a call that arrives then waits for the start instead of meeting
 * a core that is not running yet.
 */
import assert from "node:assert/strict";
import { defaultConfig } from "../../src/config/mod.ts";
import { mariadbComparator } from "../../src/gtid/mod.ts";
import { XenonNode } from "../../src/node/node.ts";
import { emptyMeta, raftOptions } from "../../src/raft/mod.ts";
import { FakeClock } from "../support/fake_clock.ts";
import {
  FakeMysqlSession,
  FakeServer,
  MemoryStore,
  NO_PEERS,
  RecordedCommands,
} from "../support/fake_ports.ts";

const SELF = "10.0.0.1:8801";

Deno.test("an operator command that arrives before the election started is answered after the start", async () => {
  const clock = new FakeClock(1000);
  const server = new FakeServer({ host: "10.0.0.1", port: 3306 }, clock);
  const config = defaultConfig();
  const node = new XenonNode({
    config: { ...config, server: { ...config.server, endpoint: SELF } },
    options: raftOptions(SELF, mariadbComparator, { seed: 1 }),
    clock,
    store: new MemoryStore(),
    mysql: new FakeMysqlSession(server),
    otherThreads: () => [],
    rpc: NO_PEERS,
    leaderCommands: new RecordedCommands(),
    mysqld: { hardStop: () => Promise.resolve(true) },
    onFatal: () => {},
  });
  const early = node.admin({ kind: "addPeer", endpoint: "10.0.0.2:8801" });
  await node.start({ ...emptyMeta(SELF, false), epochId: 1, peers: [SELF] });
  const answer = await early;
  assert.equal(answer.ok, true, answer.reason);
  assert.deepEqual(node.state.peers, [SELF, "10.0.0.2:8801"]);
  await node.stop();
});
