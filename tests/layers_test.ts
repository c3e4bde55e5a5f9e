/**
 * Dependencies point one way (README, "Layout"): the pure core (raft, gtid) at the bottom, the
 * ports the shell takes above it, adapters in the middle, node and cli at the top. Read from
 * the import lines of src/ itself, so a new import that breaks the direction fails here.
 */
import assert from "node:assert/strict";

const SRC = new URL("../src/", import.meta.url);

/**
 * What each folder of src/ may import besides itself (npm and node: packages are not limited
 * here; tests/raft/purity_test.ts keeps the core free of them).
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  lib: [],
  build: [],
  gtid: ["lib"],
  raft: ["lib", "gtid"],
  config: ["lib"],
  log: ["lib"],
  recorder: ["lib", "log", "gtid"],
  model: ["recorder"],
  ports: ["raft", "model"],
  mysql: ["lib", "config", "gtid"],
  mysqld: ["lib", "mysql"],
  rpc: ["lib", "log", "config"],
  vip: ["lib", "log", "ports"],
  http: ["lib", "log", "config", "model", "recorder", "rpc"],
  sandbox: ["lib", "model", "mysqld", "rpc"],
  backup: ["lib", "log", "config", "model", "mysql", "rpc"],
  sim: ["lib", "gtid", "raft", "config", "model", "ports", "node"],
  node: [
    "lib",
    "log",
    "build",
    "config",
    "gtid",
    "raft",
    "ports",
    "model",
    "recorder",
    "mysql",
    "mysqld",
    "rpc",
    "vip",
    "http",
    "backup",
  ],
  cli: [
    "lib",
    "log",
    "build",
    "config",
    "gtid",
    "raft",
    "model",
    "recorder",
    "mysql",
    "mysqld",
    "rpc",
    "vip",
    "sandbox",
    "node",
  ],
};

/** Folders whose imports of other src/ folders must be erased at run time (types only). */
const TYPES_ONLY = new Set(["ports"]);

/**
 * The event loop and effect executor: these files, and every src/node file they import, reach
 * the outside world only through src/ports (so the simulator can run them on its own ports).
 */
const SHELL_ROOTS = [
  "node.ts",
  "effects.ts",
  "local_fence.ts",
  "leader_duties.ts",
  "poller.ts",
  "lease_watchdog.ts",
];
const SHELL_MAY_IMPORT = new Set(["lib", "log", "gtid", "raft", "ports", "model"]);
/** Folders the shell may use for types alone (its configuration). */
const SHELL_TYPES_FROM = new Set(["config"]);
const SHELL_FORBIDDEN = [
  /\bDeno\./,
  /\bperformance\./,
  /\bDate\.now\b/,
  /\bnew Date\b/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bclearTimeout\b/,
  /\bclearInterval\b/,
];

/**
 * Values the CLI takes from src/raft: timer defaults and their arithmetic (what `config check`
 * and `raft` print), not election rules; anything else from the core must be a type.
 */
const CLI_RAFT_VALUES = new Set(["DEFAULT_TIMERS", "leaseArithmetic", "validateTimers"]);

interface Import {
  /** Path under src/ of the importing file. */
  from: string;
  /** Path under src/ it resolves to (or the bare specifier for packages). */
  to: string;
  /** Erased at run time: `import type`, or every name marked `type`. */
  typeOnly: boolean;
  /** The value names imported (empty for type-only imports and `import *`). */
  values: string[];
}

async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      files.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (entry.name.endsWith(".ts")) {
      files.push(`${prefix}${entry.name}`);
    }
  }
  return files;
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function resolve(from: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  const parts = from.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

function importsOf(from: string, text: string): Import[] {
  const code = withoutComments(text);
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;"']*?)\s*from\s*["']([^"']+)["']/gm;
  for (const m of code.matchAll(statement)) {
    const [, , typeKeyword, clause, spec] = m;
    const names = /\{([^}]*)\}/.exec(clause)?.[1].split(",").map((n) => n.trim()).filter(
      (n) => n !== "",
    ) ?? [];
    const values = names.filter((n) => !n.startsWith("type ")).map((n) => n.split(/\s+as\s+/)[0]);
    const bare = clause.replace(/\{[^}]*\}/, "").replace(/,/g, "").trim();
    const typeOnly = typeKeyword !== undefined || (bare === "" && values.length === 0);
    found.push({ from, to: resolve(from, spec), typeOnly, values: typeOnly ? [] : values });
  }
  for (const m of code.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) {
    found.push({ from, to: resolve(from, m[1]), typeOnly: false, values: [] });
  }
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    found.push({ from, to: resolve(from, m[1]), typeOnly: false, values: [] });
  }
  return found;
}

const folderOf = (path: string) => path.includes("/") ? path.split("/")[0] : null;

const files = await sourceFiles(SRC);
const texts = new Map<string, string>();
for (const f of files) texts.set(f, await Deno.readTextFile(new URL(f, SRC)));
const imports = files.flatMap((f) => importsOf(f, texts.get(f)!));
const local = imports.filter((i) => i.to.endsWith(".ts") && texts.has(i.to));

Deno.test("every folder of src/ imports only the folders below it", () => {
  assert.ok(local.length > 200, `expected src/'s imports, found ${local.length}`);
  const folders = new Set(files.map(folderOf).filter((f) => f !== null));
  for (const folder of folders) {
    assert.ok(folder in MAY_IMPORT, `src/${folder} is new: say in MAY_IMPORT what it may import`);
  }
  const wrong: string[] = [];
  for (const i of local) {
    const from = folderOf(i.from)!;
    const to = folderOf(i.to)!;
    if (from === to) continue;
    if (!MAY_IMPORT[from].includes(to)) wrong.push(`${i.from} imports ${i.to}`);
    if (TYPES_ONLY.has(from) && !i.typeOnly) wrong.push(`${i.from} imports values from ${i.to}`);
  }
  assert.deepEqual(wrong, [], "imports against the direction (README, Layout)");
});

Deno.test("MAY_IMPORT itself points one way: no folder reaches itself through others", () => {
  const reaches = (start: string, seen = new Set<string>()): Set<string> => {
    for (const next of MAY_IMPORT[start] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        reaches(next, seen);
      }
    }
    return seen;
  };
  for (const folder of Object.keys(MAY_IMPORT)) {
    assert.ok(!reaches(folder).has(folder), `src/${folder} can reach itself`);
  }
});

Deno.test("the event loop and effect executor use the outside world only through src/ports", () => {
  const shell = new Set<string>();
  const todo = SHELL_ROOTS.map((f) => `node/${f}`);
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (shell.has(file)) continue;
    assert.ok(texts.has(file), `${file} is missing: update SHELL_ROOTS`);
    shell.add(file);
    for (const i of local.filter((i) => i.from === file && folderOf(i.to) === "node")) {
      todo.push(i.to);
    }
  }
  const wrong: string[] = [];
  for (const file of shell) {
    const code = withoutComments(texts.get(file)!);
    for (const pattern of SHELL_FORBIDDEN) {
      if (pattern.test(code)) wrong.push(`${file} uses ${pattern.source} (a port's job)`);
    }
    for (const i of imports.filter((i) => i.from === file)) {
      const to = folderOf(i.to);
      if (to === "node") continue;
      const allowed = (to !== null && SHELL_MAY_IMPORT.has(to)) ||
        (to !== null && SHELL_TYPES_FROM.has(to) && i.typeOnly);
      if (!allowed) wrong.push(`${file} imports ${i.to}`);
    }
  }
  assert.ok(shell.size >= SHELL_ROOTS.length, `found ${shell.size} shell files`);
  assert.deepEqual(wrong, []);
});

/** The first import circle among the files of one folder (dynamic imports count), or null. */
function circleIn(folder: string): string[] | null {
  const inside = local.filter((i) => folderOf(i.from) === folder && folderOf(i.to) === folder);
  const next = new Map<string, string[]>();
  for (const i of inside) next.set(i.from, [...next.get(i.from) ?? [], i.to]);
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file];
    if (done.has(file)) return null;
    path.push(file);
    for (const to of next.get(file) ?? []) {
      const circle = visit(to);
      if (circle !== null) return circle;
    }
    path.pop();
    done.add(file);
    return null;
  };
  for (const file of next.keys()) {
    const circle = visit(file);
    if (circle !== null) return circle;
  }
  return null;
}

for (const folder of ["node", "cli"]) {
  Deno.test(`src/${folder} has no import circles`, () => {
    const circle = circleIn(folder);
    assert.equal(circle, null, `import circle: ${circle?.join(" -> ")}`);
  });
}

Deno.test("the CLI takes no election rule from src/raft, only types and timer arithmetic", () => {
  const rules = local
    .filter((i) => folderOf(i.from) === "cli" && folderOf(i.to) === "raft")
    .flatMap((i) =>
      i.values.filter((v) => !CLI_RAFT_VALUES.has(v)).map((v) =>
        `${i.from.slice("cli/".length)}: ${v}`
      )
    );
  assert.deepEqual(rules, [], "ask a daemon instead (as `cluster failover --dry-run` does)");
});

Deno.test("the simulator runs the daemon's shell: it never steps the election core itself", () => {
  const stepping = local
    .filter((i) => folderOf(i.from) === "sim" && folderOf(i.to) === "raft")
    .filter((i) => i.values.includes("step"))
    .map((i) => i.from);
  assert.deepEqual(stepping, [], "src/sim must run src/node's event loop, not call step()");
  assert.ok(
    local.some((i) => folderOf(i.from) === "sim" && i.to === "node/node.ts" && !i.typeOnly),
    "src/sim no longer runs src/node/node.ts",
  );
});
