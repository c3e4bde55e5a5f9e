/**
 * A CLI call loads only what it uses: the operator's probes run `xenoncli` every few seconds in a
 * container limited to 256Mi. The daemon, the MySQL driver, metrics and logging must be reached
 * only through import() (with string literals, so `deno compile` still bundles them).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Module {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
}

Deno.test("main.ts statically imports no daemon, MySQL, HTTP, sandbox or logging code, and only commander from npm", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `--config=${ROOT}deno.json`, `${ROOT}main.ts`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, Module>(info.modules.map((m: Module) => [m.specifier, m]));
  const from = new Map<string, string | null>([[info.roots[0], null]]);
  const queue = [info.roots[0] as string];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const dep of modules.get(at)?.dependencies ?? []) {
      const next = dep.code?.specifier;
      if (dep.isDynamic || !next || from.has(next)) continue;
      from.set(next, at);
      queue.push(next);
    }
  }
  const chain = (s: string) => {
    const names = [];
    for (let at: string | null | undefined = s; at; at = from.get(at)) {
      names.push(at.replace(`file://${ROOT}`, ""));
    }
    return names.join(" <- ");
  };
  const heavy = /\/src\/(node\/(?!peers_file)|mysql\/|mysqld\/|http\/|sandbox\/|backup\/|log\/)/;
  for (const s of from.keys()) {
    if (s.startsWith("file:")) assert.ok(!heavy.test(s), `static import: ${chain(s)}`);
    else if (s.startsWith("npm:")) assert.match(s, /^npm:commander@/, `static import: ${chain(s)}`);
  }
});
