import assert from "node:assert/strict";
import { type Host, preflight } from "../../src/sandbox/preflight.ts";
import { processesMentioning } from "../../src/sandbox/procs.ts";
import { listeningSockets } from "../../src/sandbox/procs.ts";
import type { SandboxState } from "../../src/sandbox/state.ts";
import { SandboxClient } from "../../src/sandbox/client.ts";
import { cli } from "../cli/_cli.ts";

function host(uid: number, missing: string[] = []): Host {
  return {
    uid: () => uid,
    which: (p) =>
      missing.includes(p) ? undefined : `/usr/${p === "mariadbd" ? "sbin" : "bin"}/${p}`,
  };
}

Deno.test("preflight: what is missing, in one line with the command that installs it", () => {
  const oneLine = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (error: Error) => {
      assert.equal(error.message.split("\n").length, 1);
      assert.match(error.message, pattern);
      return true;
    });
  oneLine(
    () => preflight(host(0, ["mysqld_safe"])),
    /^MariaDB is not installed \(missing: mysqld_safe\): run bash scripts\/setup\.sh --system \(or apt-get install -y mariadb-server mariadb-backup\)$/,
  );
  oneLine(
    () => preflight(host(1000, ["mariadbd", "mariadb-install-db"])),
    /^sandbox needs root and MariaDB \(missing: mariadbd, mariadb-install-db\): as root, run bash scripts\/setup\.sh --system/,
  );
  oneLine(() => preflight(host(1000)), /^sandbox must run as root .*sudo bin\/xenon sandbox up$/);
  assert.deepEqual(preflight(host(0)), { basedir: "/usr" });
});

Deno.test("sandbox up --nodes: a bad count is refused in one line before anything is made", async () => {
  const dir = `${await Deno.makeTempDir({ prefix: "xenon-sandbox-test-" })}/sbx`;
  try {
    for (const nodes of ["0", "10", "two"]) {
      const r = await cli(["sandbox", "up", "--nodes", nodes, "--dir", dir]);
      assert.equal(r.code, 2);
      assert.match(r.err, /^error: --nodes .*: expected a whole number 1-9$/);
      await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
    }
  } finally {
    await Deno.remove(dir.replace(/\/sbx$/, ""), { recursive: true });
  }
});

/**
 * What `sandbox kill-primary` printed must show: it killed the node that led just before, another
 * node took over, the old one rejoined, and the flight recorder counted 0 transactions lost.
 */
function checkKillPrimary(
  out: string,
  leaderBefore: string,
): { killed: string; winner: string; outage: string } {
  const killed = out.match(/leader (node\d) \(/)?.[1];
  const winner = out.match(/(node\d) is the writable leader: outage (\d+\.\d+) s/);
  assert.ok(killed && winner, out);
  assert.equal(killed, leaderBefore, "kill-primary broke the node that led just before");
  assert.notEqual(winner[1], killed);
  assert.match(out, new RegExp(`${killed} rejoined as a FOLLOWER of ${winner[1]}`));
  assert.match(out, /0 transactions lost/);
  return { killed, winner: winner[1], outage: winner[2] };
}

Deno.test("kill-primary check: a loss, a missing record or a non-leader victim fails it", () => {
  const good = [
    "killing the MySQL of the leader node1 (127.0.0.1:8801): mysqld_safe, then mysqld",
    "+1.20 s  node2 is the writable leader: outage 1.20 s from the kill to the first accepted write",
    "  verdict: 0 transactions lost",
    "node1 rejoined as a FOLLOWER of node2 3.0 s after its restart",
  ].join("\n");
  assert.deepEqual(checkKillPrimary(good, "node1"), {
    killed: "node1",
    winner: "node2",
    outage: "1.20",
  });
  // The old test skipped the loss check whenever this line appeared, whatever was lost.
  const noRecord = good.replace(
    "  verdict: 0 transactions lost",
    "(cluster history is not available in this build yet: no flight-recorder entry shown)",
  );
  assert.throws(() => checkKillPrimary(noRecord, "node1"), /0 transactions lost/);
  const lost = good.replace("0 transactions lost", "3 transactions lost: 0-1-5..0-1-7");
  assert.throws(() => checkKillPrimary(lost, "node1"), /0 transactions lost/);
  assert.throws(() => checkKillPrimary(good, "node3"), /led just before/);
});

/** The node that leads with MySQL writable, read from the agents and MySQL themselves. */
async function writableLeaderName(state: SandboxState): Promise<string> {
  const client = await SandboxClient.open(state);
  try {
    const leader = await client.writableLeader();
    assert.ok(leader, "a writable leader before kill-primary");
    return leader.name;
  } finally {
    client.close();
  }
}

function ports(state: SandboxState): number[] {
  return state.nodes.flatMap((n) => [
    n.mysqlPort,
    Number(n.endpoint.split(":")[1]),
    Number(n.peerAddress.split(":")[1]),
  ]);
}

Deno.test("sandbox: up, status, kill-primary, write, down leaves nothing behind", async (t) => {
  const parent = await Deno.makeTempDir({ prefix: "xenon-sandbox-test-" });
  const dir = `${parent}/sbx`;
  const started = performance.now();
  try {
    let state: SandboxState | undefined;
    await t.step("up: 3 nodes, one writable leader, the time it took", async () => {
      const r = await cli(["sandbox", "up", "--dir", dir]);
      assert.equal(r.code, 0, r.err + r.out);
      assert.match(r.out, /@LEADER/);
      assert.match(r.out, /writable leader node\d .* (\d+\.\d) s after sandbox up/);
      console.log(r.out.split("\n").find((l) => l.startsWith("writable leader")));
      state = JSON.parse(await Deno.readTextFile(`${dir}/sandbox.json`));
      assert.equal((await Deno.stat(`${dir}/sandbox.json`)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(state!.nodes[0].configPath)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(state!.secretFile)).mode! & 0o777, 0o600);
    });

    await t.step("up again, or status without a sandbox: one line saying so", async () => {
      const again = await cli(["sandbox", "up", "--dir", dir]);
      assert.equal(again.code, 1);
      assert.match(again.err, /^error: a sandbox already exists in .*sandbox down$/);
      const none = await cli(["sandbox", "status", "--dir", `${parent}/none`]);
      assert.equal(none.code, 1);
      assert.match(none.err, /^error: no sandbox in .*: run xenon sandbox up/);
    });

    await t.step("status: the cluster and where the logs are", async () => {
      const r = await cli(["sandbox", "status", "--dir", dir]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.match(/@LEADER/g)?.length, 1);
      assert.match(r.out, /logs: agents .*xenon\.log/);
    });

    await t.step(
      "kill-primary under a writer: a new leader, 0 acknowledged writes lost",
      async () => {
        const writing = cli(["sandbox", "write", "--seconds", "8", "--dir", dir]);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const leaderBefore = await writableLeaderName(state!);
        const r = await cli(["sandbox", "kill-primary", "--dir", dir]);
        const w = await writing;
        assert.equal(r.code, 0, r.err + r.out);
        const { killed, winner, outage } = checkKillPrimary(r.out, leaderBefore);
        assert.equal(w.code, 0, w.err + w.out);
        const summary = w.out.split("\n").at(-1)!;
        assert.match(summary, /^[1-9]\d* writes acknowledged, .* 0 acknowledged writes missing/);
        assert.match(w.out, new RegExp(`writing through ${winner} `), "the writer followed");
        console.log(`kill-primary: ${killed} -> ${winner}, outage ${outage} s; ${summary}`);
      },
    );

    await t.step("down: no process, port or directory left; again: nothing to do", async () => {
      const r = await cli(["sandbox", "down", "--dir", dir]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(processesMentioning(`${dir}/`), []);
      const open = listeningSockets();
      assert.deepEqual(ports(state!).filter((p) => open.has(p)), []);
      await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
      const again = await cli(["sandbox", "down", "--dir", dir]);
      assert.equal(again.code, 0);
      assert.match(again.out, /nothing to do/);
    });
    const took = (performance.now() - started) / 1000;
    assert.ok(took <= 90, `the sandbox test took ${took.toFixed(1)} s; the bound is 90 s`);
  } finally {
    await cli(["sandbox", "down", "--dir", dir]).catch(() => {});
    await Deno.remove(parent, { recursive: true }).catch(() => {});
  }
});
