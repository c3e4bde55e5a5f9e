/** peers.json durability: temp file, fsync, rename; a torn temp file never replaces the real one. */
import assert from "node:assert/strict";
import {
  ensureMetaDir,
  peersPath,
  readPeersFile,
  writePeersFile,
} from "../../src/node/peers_file.ts";
import { emptyMeta, type PersistedMeta } from "../../src/raft/mod.ts";
import { XenonError } from "../../src/lib/errors.ts";

const SELF = "10.0.0.1:8801";

function meta(viewId: number): PersistedMeta {
  return {
    ...emptyMeta(SELF, false),
    viewId,
    votedFor: "10.0.0.2:8801",
    peers: [SELF, "10.0.0.2:8801", "10.0.0.3:8801"],
  };
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-peers-" });
  try {
    await body(`${dir}/meta`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("peers.json: a new node has none; a write round-trips, mode 0600, no temp file left", async () => {
  await withDir(async (dir) => {
    await ensureMetaDir(dir);
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal(await readPeersFile(dir), null);
    await writePeersFile(dir, meta(7));
    assert.deepEqual(await readPeersFile(dir), meta(7));
    assert.equal((await Deno.stat(peersPath(dir))).mode! & 0o777, 0o600);
    await assert.rejects(Deno.stat(`${peersPath(dir)}.tmp`), Deno.errors.NotFound);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, ["peers.json"]);
  });
});

Deno.test("peers.json: a torn temp file from a crash is ignored, then overwritten by the next write", async () => {
  await withDir(async (dir) => {
    await ensureMetaDir(dir);
    await writePeersFile(dir, meta(3));
    // A crash mid-write leaves half a temp file next to the intact real one.
    const torn = new TextEncoder().encode('{"viewid":9,"peers":["10.0.0.1:88');
    await Deno.writeFile(`${peersPath(dir)}.tmp`, torn, { mode: 0o644 });
    assert.deepEqual(await readPeersFile(dir), meta(3), "the restart reads the real file");
    await writePeersFile(dir, meta(4));
    assert.deepEqual(await readPeersFile(dir), meta(4));
  });
});

Deno.test("peers.json: stays 0600 even when a crash left a temp file with a wider mode", async () => {
  await withDir(async (dir) => {
    await ensureMetaDir(dir);
    await Deno.writeTextFile(`${peersPath(dir)}.tmp`, "{", { mode: 0o644 });
    await writePeersFile(dir, meta(4));
    // open(create, mode) sets the mode only when it creates the file; a leftover keeps its own.
    assert.equal((await Deno.stat(peersPath(dir))).mode! & 0o777, 0o600);
  });
});

Deno.test("peers.json: a write that cannot complete leaves the real file as it was, one-line error", async () => {
  await withDir(async (dir) => {
    await ensureMetaDir(dir);
    await writePeersFile(dir, meta(5));
    const before = await Deno.readTextFile(peersPath(dir));
    // The temp path is taken by a non-empty directory: the write fails before any rename.
    await Deno.mkdir(`${peersPath(dir)}.tmp`);
    await Deno.writeTextFile(`${peersPath(dir)}.tmp/keep`, "");
    const error = await writePeersFile(dir, meta(6)).then(() => null, (e) => e);
    assert.ok(error instanceof XenonError, String(error));
    assert.match(error.message, /^cannot write .*peers\.json: .*check raft\.meta-datadir$/);
    assert.ok(!error.message.includes("\n"));
    assert.equal(await Deno.readTextFile(peersPath(dir)), before);
  });
});

Deno.test("peers.json: a corrupt file is a one-line error naming it, not a crash", async () => {
  await withDir(async (dir) => {
    await ensureMetaDir(dir);
    await Deno.writeTextFile(peersPath(dir), "{not json");
    const error = await readPeersFile(dir).then(() => null, (e) => e);
    assert.ok(error instanceof XenonError, String(error));
    assert.match(error.message, /peers\.json is not valid JSON/);
    assert.ok(!error.message.includes("\n"));
  });
});

Deno.test("peers.json: peersPath() tolerates trailing slashes", () => {
  assert.equal(peersPath("/var/lib/xenon/"), "/var/lib/xenon/peers.json");
  assert.equal(peersPath("/var/lib/xenon//"), "/var/lib/xenon/peers.json");
});
