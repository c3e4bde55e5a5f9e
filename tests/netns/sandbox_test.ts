/**
 * `xenon sandbox up --netns`: every node a host in its own network namespace, the VIP on the
 * leader's host (duplicate-address detection, `ip addr add`, gratuitous ARP), reachable from the
 * machine over the bridge; `down` removes the namespaces and links with everything else.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { NetnsNetwork } from "../../src/sandbox/network.ts";
import { processesMentioning } from "../../src/sandbox/procs.ts";
import type { SandboxState } from "../../src/sandbox/state.ts";
import { cli } from "../cli/_cli.ts";
import { newInstanceDir, registerTeardown } from "../harness/registry.ts";
import { runOk } from "./lab.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function namespacesTagged(tag: string): Promise<string[]> {
  const list = await runOk(["ip", "netns", "list"]);
  return list.split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith(tag));
}

Deno.test("sandbox up --netns: hosts in namespaces, the VIP on the leader, down removes all", async () => {
  const dir = `${newInstanceDir("sandbox")}/sbx`;
  // If this test process dies, the registry's cleanup runs `sandbox down` on what it made.
  const forget = registerTeardown([
    [Deno.execPath(), "run", "-A", "--quiet", MAIN, "sandbox", "down", "--dir", dir],
  ]);
  try {
    const r = await cli(["sandbox", "up", "--netns", "--dir", dir]);
    assert.equal(r.code, 0, r.err + r.out);
    console.log(r.out.split("\n").find((l) => l.startsWith("writable leader")));
    const state: SandboxState = JSON.parse(await Deno.readTextFile(`${dir}/sandbox.json`));
    assert.equal(state.network, "netns");
    const network = new NetnsNetwork(state.netns!);
    assert.match(r.out, new RegExp(`VIP ${network.vip.replaceAll(".", "\\.")} on the leader`));

    const leader = r.out.match(/writable leader (node\d)/)?.[1];
    const index = state.nodes.findIndex((n) => n.name === leader);
    assert.ok(index >= 0, r.out);
    const held = await runOk(["ip", "-n", network.namespace(index), "-o", "-4", "addr"]);
    assert.match(held, new RegExp(` ${network.vip.replaceAll(".", "\\.")}/24 `));
    // A client reaches the leader's MySQL through the VIP, and only the leader there.
    const conn = await mysql.createConnection({
      host: network.vip,
      port: 3306,
      user: state.app.user,
      password: state.app.password,
      connectTimeout: 5000,
    });
    try {
      const [rows] = await conn.query("SELECT @@server_id AS id, @@read_only AS ro");
      const [row] = rows as { id: number; ro: number }[];
      assert.deepEqual([Number(row.id), Number(row.ro)], [state.nodes[index].serverId, 0]);
    } finally {
      await conn.end().catch(() => conn.destroy());
    }

    const gone = await cli(["sandbox", "down", "--dir", dir]);
    assert.equal(gone.code, 0, gone.err);
    assert.deepEqual(await namespacesTagged(network.layout.tag), []);
    assert.deepEqual(processesMentioning(`${dir}/`), []);
  } finally {
    await cli(["sandbox", "down", "--dir", dir]).catch(() => {});
    forget();
    await Deno.remove(dir.replace(/\/sbx$/, ""), { recursive: true }).catch(() => {});
  }
});
