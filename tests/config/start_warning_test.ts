/**
 * What `xenon serve` says about the cluster key before it touches MySQL: a key from the
 * operator's own replication password starts with a warning (every start), the built-in default
 * password does not start at all. MySQL is unreachable here; the agent is stopped after its
 * first lines.
 */
import assert from "node:assert/strict";
import { freePort } from "../harness/registry.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs `xenon serve` on `config` until `until` matches its output, or it exits (30 s at most). */
async function serveOutput(
  config: unknown,
  until?: RegExp,
): Promise<{ text: string; code: number | null }> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-start-warning-" });
  const path = `${dir}/xenon.json`;
  await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "-c", path],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    child.kill("SIGKILL");
  };
  const timer = setTimeout(stop, 30_000);
  let text = "";
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (until?.test(text)) stop();
    }
  };
  try {
    await Promise.all([read(child.stdout), read(child.stderr)]);
    const status = await child.status;
    return { text, code: status.signal === null ? status.code : null };
  } finally {
    clearTimeout(timer);
    await Deno.remove(dir, { recursive: true });
  }
}

function config(replication: Record<string, string>, dir: string) {
  return {
    server: { endpoint: `127.0.0.1:${freePort()}`, "peer-address": `127.0.0.1:${freePort()}` },
    raft: { "meta-datadir": dir, "election-timeout": 10000, "admit-defeat-hearbeat-count": 5 },
    mysql: { host: "127.0.0.1", port: freePort(), "monitor-disabled": true },
    replication,
  };
}

Deno.test("serve warns at every start when the cluster key comes from replication.passwd", async () => {
  const meta = await Deno.makeTempDir({ prefix: "xenon-start-meta-" });
  try {
    const warning =
      /peer RPC is signed with a key derived from replication\.passwd, which every replication client knows; give every node the same server\.cluster-secret-file/;
    for (let start = 0; start < 2; start++) {
      const { text } = await serveOutput(config({ passwd: "Own-Repl-Pw1" }, meta), warning);
      assert.match(text, warning, `start ${start + 1}`);
    }
  } finally {
    await Deno.remove(meta, { recursive: true });
  }
});

Deno.test("serve refuses to start with the built-in default replication password and no secret", async () => {
  const meta = await Deno.makeTempDir({ prefix: "xenon-start-meta-" });
  try {
    const { text, code } = await serveOutput(config({}, meta));
    assert.equal(code, 1);
    assert.match(
      text,
      /server\.cluster-secret: not set, and replication\.passwd is the built-in default, so anyone can sign peer RPC/,
    );
    assert.doesNotMatch(text, /\n\s+at /, "one line, no stack trace");
  } finally {
    await Deno.remove(meta, { recursive: true });
  }
});
