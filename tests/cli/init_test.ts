/** `init` (VIP commands the right way round, 0600, argv-safe values) and `config check`'s lease. */
import assert from "node:assert/strict";
import { interfaceWithAddress, vipCommands } from "../../src/cli/init_config.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { cli } from "./_cli.ts";

async function withConfig(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xenon-cli-init-" });
  try {
    const path = `${dir}/xenon.json`;
    await Deno.writeTextFile(path, text, { mode: 0o644 });
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ORIGINAL = JSON.stringify({
  server: { endpoint: "127.0.0.1:8080" },
  raft: { "leader-start-command": "nop", "leader-stop-command": "nop", "election-timeout": 10000 },
  replication: { user: "repl", passwd: "old-repl-password-1" },
});

Deno.test("the leader adds the VIP and announces it; a demoted leader resets its connections and deletes it", () => {
  assert.deepEqual(vipCommands("10.0.0.100", "eth0"), {
    start: "ip addr add 10.0.0.100/32 dev eth0 && arping -c 1 -A -I eth0 10.0.0.100",
    stop: "ss -K src 10.0.0.100 >/dev/null 2>&1; ip addr del 10.0.0.100/32 dev eth0",
  });
  for (
    const [vip, iface] of [["10.0.0.1; rm -rf /", "eth0"], ["10.0.0.1", "eth0 && reboot"], [
      "300.1.1.1",
      "eth0",
    ]]
  ) {
    assert.throws(() => vipCommands(vip, iface), /not/);
  }
});

Deno.test("the interface is found in `ip -o -4 addr show` output", () => {
  const output = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n" +
    "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever\n" +
    "5: bond0.12    inet 10.1.2.3/16 scope global bond0.12\n";
  assert.equal(interfaceWithAddress(output, "192.0.2.2"), "eth0");
  assert.equal(interfaceWithAddress(output, "10.1.2.3"), "bond0.12");
  assert.equal(interfaceWithAddress(output, "192.0.2.3"), undefined);
});

Deno.test("init rewrites the config 0600 with endpoint, replication user and VIP commands", async () => {
  await withConfig(ORIGINAL, async (path) => {
    const { code, out, err } = await cli(
      [
        "-c",
        path,
        "init",
        "--address",
        "10.0.0.11",
        "--port",
        "8801",
        "--vip",
        "10.0.0.100",
        "--interface",
        "eth1",
        "--repluser",
        "replica",
        "--replpwd",
        "-",
      ],
      { stdin: "new-repl-password-2\n" },
    );
    assert.equal(code, 0, err);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const { config } = await loadConfig(path);
    assert.equal(config.server.endpoint, "10.0.0.11:8801");
    assert.equal(config.backup.sshHost, "10.0.0.11");
    assert.equal(config.replication.user, "replica");
    assert.equal(config.replication.passwd, "new-repl-password-2");
    assert.equal(
      config.raft.leaderStartCommand,
      "ip addr add 10.0.0.100/32 dev eth1 && arping -c 1 -A -I eth1 10.0.0.100",
    );
    assert.equal(
      config.raft.leaderStopCommand,
      "ss -K src 10.0.0.100 >/dev/null 2>&1; ip addr del 10.0.0.100/32 dev eth1",
    );
    assert.equal(config.raft.electionTimeout, 10000, "other settings are kept");
    assert.match(out, /^wrote .*xenon\.json \(mode 0600\):$/m);
    assert.match(out, /replication\.passwd = \*{6}/);
    assert.doesNotMatch(out, /new-repl-password-2/);
  });
});

Deno.test("init generates a cluster secret where there is none, and keeps one that exists", async () => {
  const args = ["init", "--address", "10.0.0.11", "--port", "8801"];
  await withConfig(ORIGINAL, async (path) => {
    const { code, out, err } = await cli(["-c", path, ...args]);
    assert.equal(code, 0, err);
    const secret = (await loadConfig(path)).config.server.clusterSecret;
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.match(
      out,
      /server\.cluster-secret = \*{6} \(generated: give every node this same value\)/,
    );
    assert.doesNotMatch(out, new RegExp(secret));
    assert.equal((await cli(["-c", path, ...args])).code, 0);
    assert.equal((await loadConfig(path)).config.server.clusterSecret, secret, "kept on a rerun");
  });
  const withFile = (file: string) =>
    JSON.stringify({ ...JSON.parse(ORIGINAL), server: { "cluster-secret-file": file } });
  const dir = await Deno.makeTempDir({ prefix: "xenon-cli-init-secret-" });
  try {
    const file = `${dir}/cluster.secret`;
    await withConfig(withFile(file), async (path) => {
      const { code, out, err } = await cli(["-c", path, ...args]);
      assert.equal(code, 0, err);
      assert.match(await Deno.readTextFile(file), /^[0-9a-f]{64}\n$/);
      assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
      assert.match(
        out,
        /server\.cluster-secret-file = .*cluster\.secret \(generated: copy this file/,
      );
      const { config } = await loadConfig(path);
      assert.equal(config.server.clusterSecret, "", "the secret stays in its file");
      const before = await Deno.readTextFile(file);
      assert.equal((await cli(["-c", path, ...args])).code, 0);
      assert.equal(await Deno.readTextFile(file), before, "an existing secret file is kept");
      await Deno.writeTextFile(file, "\n");
      const empty = await cli(["-c", path, ...args]);
      assert.equal(empty.code, 1);
      assert.match(empty.err, /cluster\.secret is empty: put the cluster's secret in it/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("init finds the interface holding --address (127.0.0.1 is on lo)", async () => {
  await withConfig(ORIGINAL, async (path) => {
    const { code, err } = await cli([
      "-c",
      path,
      "init",
      "--address",
      "127.0.0.1",
      "--port",
      "8801",
      "--vip",
      "127.0.0.200",
    ]);
    assert.equal(code, 0, err);
    const { config } = await loadConfig(path);
    assert.equal(
      config.raft.leaderStopCommand,
      "ss -K src 127.0.0.200 >/dev/null 2>&1; ip addr del 127.0.0.200/32 dev lo",
    );
  });
});

Deno.test("init refuses bad values in one line and leaves the file alone", async () => {
  await withConfig(ORIGINAL, async (path) => {
    for (
      const argv of [
        ["--port", "8801"],
        ["--address", "10.0.0.11"],
        ["--address", "10.0.0.11", "--port", "0"],
        ["--address", "host;reboot", "--port", "8801"],
        [
          "--address",
          "10.0.0.11",
          "--port",
          "8801",
          "--vip",
          "10.0.0.100",
          "--interface",
          "eth0;x",
        ],
      ]
    ) {
      const { code, err } = await cli(["-c", path, "init", ...argv]);
      assert.equal(code, 2, argv.join(" "));
      assert.equal(err.split("\n").length, 1);
    }
    const absent = await cli([
      "-c",
      path,
      "init",
      "--address",
      "192.0.2.250",
      "--port",
      "8801",
      "--vip",
      "192.0.2.251",
    ]);
    assert.equal(absent.code, 1);
    assert.match(absent.err, /no interface of this host has 192\.0\.2\.250.*--interface/);
    assert.equal(await Deno.readTextFile(path), ORIGINAL);
  });
});

Deno.test("config check prints the lease its timers give, and refuses timers without a lease", async () => {
  await withConfig(ORIGINAL, async (path) => {
    await Deno.chmod(path, 0o600);
    const { out } = await cli(["-c", path, "config", "check"]);
    assert.match(out, /^info: lease \d+ ms after each majority-acked heartbeat; .*margin/m);
    const json = JSON.parse((await cli(["-c", path, "--json", "config", "check"])).out);
    assert.ok(json.lease.leaseMs > 1000);
  });
  const tight = JSON.stringify({
    server: { endpoint: "127.0.0.1:8080" },
    raft: { "heartbeat-timeout": 300, "election-timeout": 1000 },
    replication: { passwd: "some-repl-password-3" },
  });
  await withConfig(tight, async (path) => {
    await Deno.chmod(path, 0o600);
    const { code, out } = await cli(["-c", path, "config", "check"]);
    assert.equal(code, 1);
    assert.match(
      out,
      /^error: raft\.election-timeout: election-timeout 1000 ms is too short .*raise election-timeout to at least \d+ ms$/m,
    );
    assert.doesNotMatch(out, /^info: lease/m);
  });
});
