/** `xenon migrate check` and `migrate downgrade-peers` on the files of an original node. */
import assert from "node:assert/strict";
import { cli } from "../cli/_cli.ts";
import { writePeersFile } from "../../src/node/peers_file.ts";
import { decodePeersJson, emptyMeta } from "../../src/raft/mod.ts";
import { operatorConfig } from "./_operator_config.ts";

async function withNode(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-migrate-" });
  try {
    const config = operatorConfig({
      host: "127.0.0.1",
      xenonPort: 1, // nobody listens there: the agent is stopped
      peerPort: 2,
      replicationUser: "repl",
      replicationPassword: "Migrate-Repl-Pw1",
      mysqlPort: 3306,
      metaDir: dir,
    });
    const path = `${dir}/xenon.json`;
    await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
    await fn(dir, path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("migrate check: the original's files are read as they are; what is left to do, one line each", async () => {
  await withNode(async (dir, path) => {
    const none = await cli(["-c", path, "migrate", "check"]);
    assert.equal(none.code, 0, none.out);
    assert.match(none.out, /^todo: .*peers\.json does not exist/m);
    await Deno.writeTextFile(
      `${dir}/peers.json`,
      '{"idlepeers":null,"peers":["127.0.0.1:1","10.0.0.2:8801","10.0.0.3:8801"]}',
    );
    const ok = await cli(["-c", path, "migrate", "check"]);
    assert.equal(ok.code, 0, ok.out);
    assert.equal(ok.err, "");
    assert.match(ok.out, /^ok: .*peers\.json: 3 voter\(s\), 0 idle; read as is$/m);
    assert.match(ok.out, /^todo: server\.cluster-secret: not set/m);
    assert.match(
      ok.out,
      /^todo: the peer protocol differs from the original's: stop the original on every node/m,
    );
    await Deno.writeTextFile(`${dir}/peers.json`, '{"idlepeers":null,"peers":["10.0.0.2:8801"]}');
    const stranger = await cli(["-c", path, "migrate", "check"]);
    assert.equal(stranger.code, 1);
    assert.match(
      stranger.out,
      /^error: .*does not list this node's server\.endpoint 127\.0\.0\.1:1/m,
    );
  });
});

Deno.test("migrate downgrade-peers writes the original's peers.json and keeps xenon's", async () => {
  await withNode(async (dir, path) => {
    await writePeersFile(dir, {
      ...emptyMeta("127.0.0.1:1", false),
      viewId: 7,
      epochId: 3,
      dataTerm: 7,
      peers: ["127.0.0.1:1", "10.0.0.2:8801"],
      idlePeers: ["10.0.0.9:8801"],
    });
    const printed = await cli(["-c", path, "migrate", "downgrade-peers"]);
    assert.equal(printed.code, 0, printed.err);
    assert.equal(
      printed.stdout,
      '{"idlepeers":["10.0.0.9:8801"],"peers":["127.0.0.1:1","10.0.0.2:8801"]}\n',
    );
    const written = await cli([
      "-c",
      path,
      "--timeout",
      "500ms",
      "migrate",
      "downgrade-peers",
      "--write",
    ]);
    assert.equal(written.code, 0, written.err);
    assert.equal(await Deno.readTextFile(`${dir}/peers.json`), printed.stdout);
    const kept = decodePeersJson(await Deno.readTextFile(`${dir}/peers.json.xenon`));
    assert.equal(kept.viewId, 7, "xenon's own file is kept for a second cutover");
  });
});
