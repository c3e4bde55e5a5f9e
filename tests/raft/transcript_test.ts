/**
 * Election stories (testdata/raft/*.txt), etcd-io/raft's datadriven tests in spirit, run on
 * TestCluster: the daemon's own event loop, executor and MySQL pollers on in-memory ports.
 * A file is blocks of one command line, a `----` line, the expected output and a blank line;
 * lines starting with `#` are comments. Output: each note and effect (heartbeats left out) as
 * `[ms] node: sentence`, then what the command answers. Run with UPDATE=1 to rewrite the files.
 * Commands: cluster N [option=value ...] · tick MS · cut N... · heal N... · observe N
 * [position=GTID] · kill-mysqld N · fail N STATEMENT (its next call fails, e.g. changeMaster) ·
 * catch-up-fails N... · catch-up-ok · fence-mode ok|failed ·
 * admin N trytoleader|add|remove|addidle PEER [force] · status. Nodes are n1, n2, ...; options
 * override RaftOptions (numbers, true/false), e.g. allowSingleVoterSelfElection=true.
 */
import assert from "node:assert/strict";
import type { AdminCommand } from "../../src/raft/mod.ts";
import type { Statement } from "../support/fake_ports.ts";
import { TestCluster } from "../support/test_cluster.ts";

const DIR = new URL("../../testdata/raft/", import.meta.url);
const NOISE = /: send: heartbeat (ack )?to /;

interface Block {
  comments: string[];
  command: string;
  expected: string;
}

function parse(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  let comments: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("#") || line.trim() === "") {
      if (line.startsWith("#")) comments.push(line);
      continue;
    }
    if (lines[i + 1] !== "----") throw new Error(`line ${i + 2}: expected ---- after "${line}"`);
    const out: string[] = [];
    for (i += 2; i < lines.length && lines[i] !== ""; i++) out.push(lines[i]);
    blocks.push({ comments, command: line, expected: out.join("\n") });
    comments = [];
  }
  return blocks;
}

function format(blocks: Block[], outputs: string[]): string {
  return blocks.map((b, i) =>
    [...b.comments, b.command, "----", ...(outputs[i] === "" ? [] : [outputs[i]])].join("\n")
  ).join("\n\n") + "\n";
}

const node = (n: string) => /^n\d+$/.test(n) ? n : assert.fail(`not a node name: ${n}`);

const admins: Record<string, (peer: string, force: boolean) => AdminCommand> = {
  trytoleader: () => ({ kind: "tryToLead" }),
  add: (endpoint, force) => ({ kind: "addPeer", endpoint, force }),
  remove: (endpoint, force) => ({ kind: "removePeer", endpoint, force }),
  addidle: (endpoint) => ({ kind: "addIdlePeer", endpoint }),
};

/** Runs one command; returns what it answers besides the timeline. */
async function run(c: TestCluster | null, words: string[]): Promise<[TestCluster, string[]]> {
  const [verb, ...args] = words;
  const kv = Object.fromEntries(args.filter((a) => a.includes("=")).map((a) => a.split("=")));
  if (verb === "cluster") {
    const overrides = Object.fromEntries(
      Object.entries(kv).map(([k, v]) => [k, v === "true" || (v !== "false" && Number(v))]),
    );
    const names = Array.from({ length: Number(args[0]) }, (_, i) => `n${i + 1}`);
    return [await TestCluster.create(names, overrides, { polling: true }), []];
  }
  if (c === null) throw new Error(`"${verb}" before "cluster"`);
  const nodes = () => args.filter((a) => !a.includes("=")).map(node);
  const say: string[] = [];
  if (verb === "tick") await c.run(Number(args[0]));
  else if (verb === "cut") { for (const n of nodes()) c.cut.add(n); }
  else if (verb === "heal") { for (const n of nodes()) c.cut.delete(n); }
  else if (verb === "observe") {
    if (kv.position !== undefined) c.positions.set(node(args[0]), kv.position);
    await c.observe(node(args[0]));
  } else if (verb === "kill-mysqld") await c.killMysqld(node(args[0]));
  else if (verb === "fail") c.server(node(args[0])).failing.set(args[1] as Statement, 1);
  else if (verb === "catch-up-fails") { for (const n of nodes()) c.catchUpFails.add(n); }
  else if (verb === "catch-up-ok") c.catchUpFails.clear();
  else if (verb === "fence-mode") {
    c.fenceReport = args[0] === "ok" || args[0] === "failed"
      ? args[0]
      : assert.fail(`fence-mode ok|failed, not ${args[0]}`);
  } else if (verb === "admin") {
    const make = admins[args[1]] ?? assert.fail(`unknown admin command ${args[1]}`);
    const command = make(args[2], args.includes("force"));
    const { admin } = await c.apply(node(args[0]), { type: "admin", command });
    say.push(`answer: ${admin?.ok ? "ok" : "refused"}: ${admin?.reason}`);
  } else if (verb === "status") say.push(...status(c));
  else throw new Error(`unknown command ${verb}`);
  return [c, say];
}

function status(c: TestCluster): string[] {
  return [...c.options.keys()].map((n) => {
    const s = c.state(n);
    const db = c.server(n);
    const mysql = `${db.down ? "down" : db.readOnly ? "read-only" : "WRITABLE"} ${db.position}` +
      (db.source === null ? "" : ` from ${db.source.split(":")[0]}`);
    return `${n}: ${s.role} term ${s.term} data-term ${s.dataTerm} leader ${s.leader ?? "-"} ` +
      `voters ${s.peers.join(",")}; mysql ${mysql}`;
  });
}

const stories = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".txt"));
for (const name of stories.sort()) {
  Deno.test(`transcript ${name}`, async () => {
    const file = new URL(name, DIR);
    const blocks = parse(await Deno.readTextFile(file));
    const outputs: string[] = [];
    let c: TestCluster | null = null;
    for (const b of blocks) {
      const mark = c?.timeline.length ?? 0;
      const [next, say]: [TestCluster, string[]] = await run(c, b.command.split(/\s+/));
      const lines = next.timeline.slice(next === c ? mark : 0)
        .filter((e) => !NOISE.test(e.line)).map((e) => `[${e.at}] ${e.line}`);
      outputs.push([...lines, ...say].join("\n"));
      c = next;
    }
    if (Deno.env.get("UPDATE") === "1") {
      return await Deno.writeTextFile(file, format(blocks, outputs));
    }
    for (const [i, b] of blocks.entries()) {
      assert.equal(outputs[i], b.expected, `${name}: output of "${b.command}" changed`);
    }
  });
}
