import assert from "node:assert/strict";
import { decodePeersJson, emptyMeta, encodePeersJson } from "../../src/raft/mod.ts";

Deno.test("peers.json round-trips term, vote, epoch and membership", () => {
  const meta = {
    ...emptyMeta("a:1", false),
    viewId: 7,
    votedFor: "b:1",
    epochId: 3,
    peers: ["a:1", "b:1", "c:1"],
    idlePeers: ["d:1"],
  };
  const text = encodePeersJson(meta);
  assert.deepEqual(decodePeersJson(text), meta);
  const raw = JSON.parse(text);
  assert.deepEqual(raw.peers, ["a:1", "b:1", "c:1"]);
  assert.deepEqual(raw.idlepeers, ["d:1"]);
});

Deno.test("the original's peers.json is read as term 0, no vote, epoch 0", () => {
  const meta = decodePeersJson('{"idlepeers":null,"peers":["a:1","b:1"]}');
  assert.equal(meta.viewId, 0);
  assert.equal(meta.votedFor, null);
  assert.deepEqual(meta.peers, ["a:1", "b:1"]);
  assert.deepEqual(meta.idlePeers, []);
  assert.equal(meta.mode, "normal");
});

Deno.test("a damaged peers.json gives one line naming the file and the key", () => {
  assert.throws(() => decodePeersJson("{", "/m/peers.json"), /\/m\/peers.json is not valid JSON/);
  assert.throws(() => decodePeersJson('{"peers":[1]}'), /"peers" must be a list/);
  assert.throws(() => decodePeersJson('{"viewid":-1}'), /"viewid" must be a non-negative/);
});

Deno.test("a relay log lost at a restart is remembered in peers.json, and absent when not", () => {
  const meta = { ...emptyMeta("a:1", false), relayLogLost: { from: "b:1", term: 4 } };
  const text = encodePeersJson(meta);
  assert.deepEqual(JSON.parse(text).relay_log_lost, { from: "b:1", term: 4 });
  assert.deepEqual(decodePeersJson(text), meta);
  assert.ok(!encodePeersJson(emptyMeta("a:1", false)).includes("relay_log_lost"));
  const source = { leader: "b:1", term: 2, termStart: "0-2-5", from: "0-1-4", ackedTerm: 3 };
  assert.deepEqual(decodePeersJson(encodePeersJson({ ...meta, source })).source, source);
  assert.throws(() => decodePeersJson('{"relay_log_lost":{"term":1}}'), /"relay_log_lost" must/);
});

Deno.test("the mysqld run a relay log record speaks for is kept in peers.json, absent when unknown", () => {
  const meta = { ...emptyMeta("a:1", false), mysqldRun: { boot: "b0", start: "41:900" } };
  const text = encodePeersJson(meta);
  assert.deepEqual(JSON.parse(text).mysqld_run, { boot: "b0", start: "41:900" });
  assert.deepEqual(decodePeersJson(text), meta);
  assert.ok(!encodePeersJson(emptyMeta("a:1", false)).includes("mysqld_run"));
  assert.throws(() => decodePeersJson('{"mysqld_run":{"boot":1}}'), /"mysqld_run" must hold/);
});
