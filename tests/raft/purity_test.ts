/** src/raft is pure: it imports only src/lib and src/gtid and touches no clock, timer or I/O. */
import assert from "node:assert/strict";

const dir = new URL("../../src/raft/", import.meta.url);
const forbidden = [
  /\bDeno\./,
  /\bDate\b/,
  /Math\.random/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bperformance\./,
  /\bfetch\(/,
  /\bawait\b/,
  /\basync\b/,
  /\bcrypto\./,
  /mysql2/,
  /\bprocess\./,
];

Deno.test("src/raft imports only ./, src/lib and src/gtid, and uses no clock, timer or I/O", async () => {
  let files = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ts")) continue;
    files++;
    const text = await Deno.readTextFile(new URL(entry.name, dir));
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      const spec = m[1];
      const ok = /^\.\/[\w.]+\.ts$/.test(spec) || /^\.\.\/(lib|gtid)\/[\w.]+\.ts$/.test(spec);
      assert.ok(ok, `${entry.name} imports ${spec}: src/raft may import only ./, ../lib, ../gtid`);
    }
    for (const pattern of forbidden) {
      assert.ok(!pattern.test(code), `${entry.name} uses ${pattern}: the core must stay pure`);
    }
  }
  assert.ok(files >= 10, `expected the core's files, found ${files}`);
});
