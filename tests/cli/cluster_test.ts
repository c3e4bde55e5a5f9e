/** `cluster ...` against stub daemons: exact columns, UNKNOW rows, JSON shapes, exit codes. */
import assert from "node:assert/strict";
import { renderTable } from "../../src/cli/table.ts";
import { cli } from "./_cli.ts";
import { healthyButOneDown, nodesResult, type StubCluster, withStubCluster } from "./_stub.ts";

const run = (c: StubCluster, ...argv: string[]) =>
  cli(["-c", c.configPath, "--timeout", "2s", ...argv]);
const UNKNOW = "UNKNOW";
const COLS = ["ID", "Raft", "Mysqld", "Monitor", "Backup", "Mysql", "IO/SQL_RUNNING", "MyLeader"];

Deno.test("cluster status: the original's columns, one UNKNOW row for a dead node, exit 1", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { code, out, err } = await run(c, "cluster", "status");
    const backup = "state:[NONE]\nLastError:";
    assert.equal(
      out,
      renderTable(
        [...COLS, "Apply_Backlog", "Failover_Forecast"],
        [
          [
            c.a.endpoint,
            "[ViewID:6 EpochID:2]@FOLLOWER",
            "RUNNING",
            "ON",
            backup,
            "[ALIVE] [READONLY]",
            "[true/true]",
            c.b.endpoint,
            UNKNOW,
            UNKNOW,
          ],
          [
            c.b.endpoint,
            "[ViewID:6 EpochID:2]@LEADER",
            "RUNNING",
            "ON",
            backup,
            "[ALIVE] [READWRITE]",
            "[false/false]",
            c.b.endpoint,
            UNKNOW,
            "-",
          ],
          [c.c, ...Array(9).fill(UNKNOW)],
        ],
      ),
    );
    assert.match(out, /\(3 rows\)$/);
    assert.equal(code, 1, "a node did not answer");
    assert.equal(
      err,
      `warning: cannot reach xenon at ${c.c}: connection refused — is 'xenon serve' running? see its log`,
    );
  });
});

Deno.test("cluster status json: the original's keys, empty strings for the dead node, no trailing newline", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { code, stdout, err } = await run(c, "cluster", "status", "json");
    assert.equal(code, 0, "the original's `json` form exits 0 once printed (operator contract)");
    assert.equal(err, "", "stderr stays empty for parsers");
    assert.ok(!stdout.endsWith("\n"));
    const parsed = JSON.parse(stdout);
    assert.deepEqual(Object.keys(parsed), ["status"]);
    assert.deepEqual(parsed.status[0], {
      "id": c.a.endpoint,
      "raft": "[ViewID:6 EpochID:2]@FOLLOWER",
      "mysqld-info": "RUNNING",
      "monitor-info": "ON",
      "backup-info": "state:[NONE]\nLastError:\n",
      "mysql-info": "[ALIVE] [READONLY]",
      "slave-info": "[true/true]",
      "myleader": c.b.endpoint,
      // Added after the original's keys (its parsers ignore unknown keys): the apply backlog.
      "apply-lag-seconds": 0,
      "apply-backlog-transactions": null,
      "relay-backlog-bytes": null,
      "failover-forecast-seconds": null,
    });
    assert.deepEqual(parsed.status[2], {
      "id": c.c,
      "raft": "",
      "mysqld-info": "",
      "monitor-info": "",
      "backup-info": "",
      "mysql-info": "",
      "slave-info": "",
      "myleader": "",
      "apply-lag-seconds": null,
      "apply-backlog-transactions": null,
      "relay-backlog-bytes": null,
      "failover-forecast-seconds": null,
    });
    // --json gives the same document.
    assert.equal((await run(c, "--json", "cluster", "status")).stdout, stdout);
  });
});

Deno.test("cluster status exits 0 when every node answers and one leads", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const peers = [c.a.endpoint, c.b.endpoint];
    c.a.answers["NodeRPC.GetNodes"] = nodesResult("FOLLOWER", c.b.endpoint, peers);
    const { code, out, err } = await run(c, "cluster", "status");
    assert.equal(code, 0, err);
    assert.equal(err, "");
    assert.match(out, /\(2 rows\)$/);
  });
});

Deno.test("cluster status with no leader: table printed, reason on stderr, exit 1", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const peers = [c.a.endpoint, c.b.endpoint];
    c.a.answers["NodeRPC.GetNodes"] = nodesResult("CANDIDATE", "", peers);
    c.b.answers["NodeRPC.GetNodes"] = nodesResult("FOLLOWER", "", peers);
    const { code, out, err } = await run(c, "cluster", "status");
    assert.equal(code, 1);
    assert.match(out, /@CANDIDATE/);
    assert.equal(err, "warning: no node is LEADER");
  });
});

Deno.test("cluster status with the local daemon down: one line, exit 1", async () => {
  await withStubCluster(async (c) => {
    const { code, out, err } = await run(c, "--endpoint", c.c, "cluster", "status");
    assert.equal(code, 1);
    assert.equal(out, "");
    assert.equal(
      err,
      `error: cannot reach xenon at ${c.c}: connection refused — is 'xenon serve' running? see its log`,
    );
  });
});

Deno.test("cluster raft: counters per node, UNKNOW row for the dead node", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { code, out } = await run(c, "cluster", "raft");
    assert.equal(code, 1);
    assert.equal(
      out,
      renderTable(
        [
          "ID",
          "Raft",
          "IdleCnt",
          "LPromotes",
          "LDegrades",
          "LGetHeartbeats",
          "LGetVotes",
          "CPromotes",
          "CDegrades",
          "Raft@Mysql",
          "StateUptimes(sec)",
        ],
        [
          [c.a.endpoint, "FOLLOWER", "0", "0", "0", "0", "0", "0", "0", "", "30"],
          [c.b.endpoint, "LEADER", "0", "1", "0", "12", "0", "0", "0", "", "31"],
          [c.c, ...Array(10).fill(UNKNOW)],
        ],
      ),
    );
  });
});

Deno.test("cluster mysql: replication columns", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { out } = await run(c, "cluster", "mysql");
    assert.equal(
      out,
      renderTable(
        [
          "ID",
          "Raft",
          "Mysql",
          "Option",
          "Master_Log_File/Pos",
          "IO/SQL_Running",
          "Seconds_Behind",
          "Last_Error",
        ],
        [
          [
            c.a.endpoint,
            "FOLLOWER",
            "ALIVE",
            "READONLY",
            "[mysql-bin.000003/1234]",
            "[true/true]",
            "0",
            "",
          ],
          [c.b.endpoint, "LEADER", "ALIVE", "READWRITE", "[/0]", "[false/false]", "", ""],
          [c.c, ...Array(7).fill(UNKNOW)],
        ],
      ),
    );
  });
});

Deno.test("cluster gtid: the leader's row last; json as the operator parses it", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.b.answers["NodeRPC.GetNodes"] = nodesResult("LEADER", c.b.endpoint, [
      c.b.endpoint,
      c.a.endpoint,
      c.c,
    ]);
    const table = await run(c, "cluster", "gtid");
    assert.equal(
      table.out,
      renderTable(
        ["ID", "Raft", "Mysql", "Executed_GTID_Set", "Retrieved_GTID_Set"],
        [
          [c.a.endpoint, "FOLLOWER", "ALIVE", "0-1-100", "0-1-100"],
          [c.c, UNKNOW, UNKNOW, UNKNOW, UNKNOW],
          [c.b.endpoint, "LEADER", "ALIVE", "0-1-100", ""],
        ],
      ),
    );
    const json = await run(c, "cluster", "gtid", "json");
    assert.ok(!json.stdout.endsWith("\n"));
    assert.deepEqual(JSON.parse(json.stdout), {
      gtid: [
        {
          "id": c.a.endpoint,
          "raft": "FOLLOWER",
          "mysql": "ALIVE",
          "executed-gtid-set": "0-1-100",
          "retrieved-gtid-set": "0-1-100",
        },
        { "id": c.c, "raft": "", "mysql": "", "executed-gtid-set": "", "retrieved-gtid-set": "" },
        {
          "id": c.b.endpoint,
          "raft": "LEADER",
          "mysql": "ALIVE",
          "executed-gtid-set": "0-1-100",
          "retrieved-gtid-set": "",
        },
      ],
    });
    assert.equal(
      json.code,
      0,
      "the original's `json` form exits 0 once printed (operator contract)",
    );
  });
});

Deno.test("cluster gtid json strips newlines from long GTID sets", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const set =
      "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-9";
    const status = c.a.answers["MysqlRPC.Status"];
    assert.ok(status && typeof status !== "function");
    status.replication.executedGtidSet = set;
    const { stdout } = await run(c, "cluster", "gtid", "json");
    assert.equal(JSON.parse(stdout).gtid[0]["executed-gtid-set"], set.replace("\n", ""));
  });
});

Deno.test("cluster xenon: settings as a multi-line cell, uptime", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { out } = await run(c, "cluster", "xenon");
    const lines = out.split("\n");
    assert.match(lines[1], /^\| +ID +\| +Status +\| +Config +\| +Uptimes +\|$/);
    assert.match(out, /\| LogLevel:\[INFO\] +\|/);
    assert.match(out, /\| Mysql:\[127\.0\.0\.1:3307\] +\|/);
    assert.match(out, /\| RaftRPCRequestTimeout:\[1000\] +\|/);
    assert.match(lines[3], /\| +42 \|$/);
    assert.match(
      out,
      new RegExp(`\\| ${c.c.replaceAll(".", "\\.")} \\| UNKNOW +\\| UNKNOW +\\| UNKNOW +\\|`),
    );
  });
});

Deno.test("--json on a table view: objects keyed by column, empty for UNKNOW", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    const { code, out, err } = await run(c, "--json", "cluster", "mysql");
    assert.equal(code, 1);
    assert.equal(err, "");
    const rows = JSON.parse(out);
    assert.equal(rows.length, 3);
    assert.equal(rows[0]["Master_Log_File/Pos"], "[mysql-bin.000003/1234]");
    assert.equal(rows[2].Raft, "");
  });
});

Deno.test("cluster add goes to the leader; without one, to this node; prints what it did", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.b.answers["NodeRPC.AddNodes"] = (req) => ({
      ok: true,
      reason: `added ${req.nodes.join(",")}`,
    });
    c.a.answers["NodeRPC.AddNodes"] = { ok: true, reason: "added on a" };
    const through = await run(c, "cluster", "add", `,${c.c},10.0.0.9:8801,`);
    assert.equal(through.code, 0, through.err);
    assert.equal(
      through.out,
      `add ${c.c},10.0.0.9:8801 through the leader ${c.b.endpoint}\n` +
        `${c.b.endpoint}: added ${c.c},10.0.0.9:8801`,
    );
    assert.equal(c.a.calls.filter((x) => x.method === "NodeRPC.AddNodes").length, 0);

    c.b.answers["NodeRPC.GetNodes"] = nodesResult("CANDIDATE", "", [c.a.endpoint, c.b.endpoint]);
    const local = await run(c, "cluster", "add", "10.0.0.9:8801");
    assert.equal(local.code, 0, local.err);
    assert.equal(
      local.out,
      `add 10.0.0.9:8801 on ${c.a.endpoint} (no leader found)\n${c.a.endpoint}: added on a`,
    );
    assert.deepEqual(c.a.calls.at(-1), {
      method: "NodeRPC.AddNodes",
      request: { nodes: ["10.0.0.9:8801"] },
    });
  });
});

Deno.test("cluster addidle/remove/removeidle call their methods; a refusal is one line, exit 1", async () => {
  await withStubCluster(async (c) => {
    healthyButOneDown(c);
    c.b.answers["NodeRPC.AddIdleNodes"] = { ok: true, reason: "added idle" };
    c.b.answers["NodeRPC.RemoveNodes"] = { ok: false, reason: "cannot remove the leader itself" };
    c.b.answers["NodeRPC.RemoveIdleNodes"] = { ok: true, reason: "removed idle" };
    assert.equal((await run(c, "cluster", "addidle", "10.0.0.9:8801")).code, 0);
    assert.equal((await run(c, "cluster", "removeidle", "10.0.0.9:8801")).code, 0);
    const refused = await run(c, "cluster", "remove", c.b.endpoint);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.err,
      `error: xenon at ${c.b.endpoint} refused to remove ${c.b.endpoint}: cannot remove the leader itself`,
    );
    const json = await run(c, "--json", "cluster", "remove", c.b.endpoint);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.out), {
      leader: c.b.endpoint,
      endpoint: c.b.endpoint,
      nodes: [c.b.endpoint],
      ok: false,
      reason: "cannot remove the leader itself",
    });
    await run(c, "cluster", "remove", "--force", c.b.endpoint);
    assert.deepEqual(c.b.calls.at(-1), {
      method: "NodeRPC.RemoveNodes",
      request: { nodes: [c.b.endpoint], force: true },
    });
  });
});

Deno.test("cluster add refuses a bad node list in one line (exit 2)", async () => {
  await withStubCluster(async (c) => {
    for (const list of [",", "10.0.0.1", "10.0.0.1:99999"]) {
      const { code, err } = await run(c, "cluster", "add", list);
      assert.equal(code, 2, list);
      assert.equal(err.split("\n").length, 1);
    }
  });
});
