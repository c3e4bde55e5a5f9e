/**
 * The netns lab itself: hosts that reach each other only over the lab's bridge, link faults that
 * cut them, and a cleanup that leaves no namespace, link, process or directory behind, even when
 * the test process is killed with -9.
 */
import assert from "node:assert/strict";
import { startFixture } from "../harness/fixture.ts";
import { newInstanceDir } from "../harness/registry.ts";
import { sleep, waitFor } from "../harness/wait.ts";
import { createLab, run, runOk } from "./lab.ts";

async function reaches(namespace: string, address: string): Promise<boolean> {
  // bash's /dev/tcp: a TCP connect without any extra tool; refused (RST) still proves a path.
  const r = await run([
    "ip",
    "netns",
    "exec",
    namespace,
    "timeout",
    "1",
    "bash",
    "-c",
    'exec 3<>"/dev/tcp/$0/9" 2>&1 || true',
    address,
  ]);
  return r.code === 0 && !/timed out|No route/.test(r.stdout + r.stderr);
}

async function namespacesOf(tag: string): Promise<string[]> {
  const list = await runOk(["ip", "netns", "list"]);
  return list.split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith(tag));
}

async function linksOf(tag: string): Promise<string[]> {
  const list = await runOk(["ip", "-o", "link", "show"]);
  return list.split("\n").map((l) => l.split(": ")[1]?.split("@")[0] ?? "")
    .filter((n) => n.startsWith(tag));
}

Deno.test("netns lab: hosts on one bridge, link down and nft partitions cut them", async () => {
  await using lab = await createLab(2);
  const net = lab.network;
  const [a, b] = [net.namespace(0), net.namespace(1)];
  assert(await reaches(a, net.host(1)), "host 1 reaches host 2 over the bridge");
  assert(await reaches(net.client.namespace, net.host(0)), "the client reaches host 1");

  await lab.isolate(0);
  assert(!await reaches(b, net.host(0)), "a partition drops host 2's packets to host 1");
  assert(!await reaches(net.client.namespace, net.host(0)), "and the client's");
  await lab.heal(0);
  assert(await reaches(b, net.host(0)), "heal restores the path");

  await lab.linkDown(1);
  assert(!await reaches(a, net.host(1)), "a veth down takes host 2 off the bridge");
  await lab.linkUp(1);
  await waitFor(
    "host 2 back on the bridge",
    async () => await reaches(a, net.host(1)) || undefined,
    {
      timeoutMs: 5_000,
      intervalMs: 100,
    },
  );
});

Deno.test("netns lab: nothing is left after the test process is killed with -9", async () => {
  const { child, firstLine } = await startFixture(
    new URL("./fixtures/hold_lab.ts", import.meta.url),
  );
  const { tag, root } = JSON.parse(firstLine);
  assert.equal((await namespacesOf(tag)).length, 2 + 1, "two hosts and the client exist");
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel().catch(() => {});
  await waitFor("the watchdog to remove the lab", async () => {
    const left = [...await namespacesOf(tag), ...await linksOf(tag)];
    const rootLeft = await Deno.stat(root).then(() => true, () => false);
    return left.length === 0 && !rootLeft ? true : undefined;
  }, {
    timeoutMs: 15_000,
    intervalMs: 200,
    explain: async () =>
      `left: ${[...await namespacesOf(tag), ...await linksOf(tag)].join(" ")} ${root}`,
  });
});

/**
 * A lab of `hosts` hosts with the sandbox's VIP commands, logging to a leader log of their own;
 * `runOn` runs a script on a host with the variables the agent sets (plus `env`, e.g.
 * " XENON_HANDED_OVER_BY=host1"). Disposed with the lab and the log's directory.
 */
async function vipLab(hosts: number) {
  const lab = await createLab(hosts);
  const net = lab.network;
  const dir = newInstanceDir("vip");
  const leaderLog = `${dir}/leader.log`;
  return {
    lab,
    net,
    leaderLog,
    commands: net.leaderCommands(leaderLog),
    runOn: (index: number, script: string, env = "") =>
      run([...net.runOn(index), "bash", "-c", `XENON_TERM=1 XENON_ENDPOINT=test${env}; ${script}`]),
    async [Symbol.asyncDispose]() {
      await lab[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test("netns VIP commands: a new leader waits for the old host to release the VIP, within a bound", async () => {
  await using vips = await vipLab(2);
  const { lab, net, leaderLog, commands, runOn } = vips;

  assert.equal((await runOn(0, commands.start)).code, 0, "host 1 takes the free VIP");
  assert.deepEqual(await lab.vipHolders(), [0]);
  assert.equal((await runOn(0, commands.start)).code, 0, "taking it again is a no-op");

  // Host 2 becomes leader while host 1 still answers for the VIP; host 1 releases it later, as
  // an old leader's leader-stop-command does once it learns of the new term.
  const claiming = runOn(1, commands.start);
  await sleep(1500);
  assert.deepEqual(await lab.vipHolders(), [0], "not taken while host 1 answers for it");
  assert.equal((await runOn(0, commands.stop)).code, 0);
  const claimed = await claiming;
  assert.equal(claimed.code, 0, `host 2 takes it once released: ${claimed.stderr}`);
  assert.match(claimed.stdout, /added once the other host released it, after \d+ ms/);
  assert.deepEqual(await lab.vipHolders(), [1]);

  // Nobody releases it (host 2's agent died, its host still answers): refused at the bound.
  const short = net.leaderCommands(leaderLog, { claimWindowMs: 1000 });
  const refused = await runOn(0, short.start);
  assert.equal(refused.code, 1, "host 1 must not take a VIP that answers from host 2");
  assert.match(refused.stderr, /still answers from another host \(arping -D\) after \d+ ms/);
  assert.deepEqual(await lab.vipHolders(), [1]);

  const log = (await Deno.readTextFile(leaderLog)).trim().split("\n");
  const outcomes = log.map((line) => line.replace(/^\S+ /, "").replace(/\d+ ms/, "N ms"));
  assert.deepEqual(outcomes, [
    `leader-start VIP ${net.vip} added term=1 test`,
    `leader-start VIP ${net.vip} added term=1 test`,
    `leader-stop VIP ${net.vip} removed term=1 test`,
    `leader-start the VIP ${net.vip} added once the other host released it, after N ms term=1 test`,
    `leader-start refused: the VIP ${net.vip} still answers from another host (arping -D) after N ms term=1 test`,
  ]);
});

Deno.test("netns VIP commands: after a hand-over the new leader takes the VIP without the check", async () => {
  await using vips = await vipLab(2);
  const { lab, net, leaderLog, commands, runOn } = vips;
  assert.equal((await runOn(0, commands.start)).code, 0);
  // The agent sets XENON_HANDED_OVER_BY only once the previous leader's own start and then its
  // stop succeeded, so the start trusts it: here host 1 still holds the VIP and host 2 takes it
  // anyway (no check waits out its 150 ms, as one with host 1 answering would until released).
  const taken = await runOn(1, commands.start, " XENON_HANDED_OVER_BY=host1");
  assert.equal(taken.code, 0, taken.stderr);
  assert.deepEqual(await lab.vipHolders(), [0, 1]);
  const log = (await Deno.readTextFile(leaderLog)).trim().split("\n").map((l) =>
    l.replace(/^\S+ /, "")
  );
  assert.deepEqual(log, [
    `leader-start VIP ${net.vip} added term=1 test`,
    `leader-start VIP ${net.vip} added (no duplicate-address check: handed over by host1, ` +
    `which took and released it) term=1 test`,
  ]);
});

Deno.test("netns VIP commands: releasing the VIP resets the connections made through it", async () => {
  await using vips = await vipLab(1);
  const { lab, net, commands, runOn } = vips;
  assert.equal((await runOn(0, commands.start)).code, 0);
  // A server on host 1 that accepts and never answers: a client's read waits on it.
  const server = new Deno.Command(net.runOn(0)[0], {
    args: [
      ...net.runOn(0).slice(1),
      Deno.execPath(),
      "eval",
      "const l = Deno.listen({ port: 7777 }); const held = []; " +
      "for await (const c of l) held.push(c);",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await waitFor("the server to listen", async () => {
      const r = await run([...net.runOn(0), "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/7777"]);
      return r.code === 0 || undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    // The client reads from the VIP for at most 5 s; `read` exits 1 on an error, >128 on timeout.
    const client = run([
      "ip",
      "netns",
      "exec",
      net.client.namespace,
      "bash",
      "-c",
      'exec 3<>"/dev/tcp/$0/7777" || exit 9; read -r -t 5 <&3; echo "read $?"',
      net.vip,
    ]);
    await sleep(500);
    const released = performance.now();
    assert.equal((await runOn(0, commands.stop)).code, 0);
    const outcome = await client;
    const tookMs = performance.now() - released;
    assert.equal(outcome.stdout, "read 1", `the client was not reset: ${JSON.stringify(outcome)}`);
    assert.ok(tookMs < 2000, `the client learned only after ${Math.round(tookMs)} ms`);
    assert.deepEqual(await lab.vipHolders(), []);
  } finally {
    server.kill("SIGKILL");
    await server.status;
  }
});
