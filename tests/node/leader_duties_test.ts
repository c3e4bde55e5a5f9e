/**
 * The leader's binlog purge: only below the oldest file any member still executes, never when a
 * member did not answer or reported no file, never on a node that is not the writable leader.
 */
import assert from "node:assert/strict";
import { XenonError } from "../../src/lib/errors.ts";
import type { MysqlStatusResult } from "../../src/model/mod.ts";
import { LeaderDuties, type LeaderDutiesDeps } from "../../src/node/leader_duties.ts";
import { RaftStats } from "../../src/node/stats.ts";
import type { LocalMysql } from "../../src/node/local_mysql.ts";
import type { MysqlHandle } from "../../src/mysql/mod.ts";
import { sessionOver } from "../support/handle_session.ts";
import { type CallOutcome, RpcError } from "../../src/rpc/mod.ts";

const SELF = "10.0.0.1:8801";
const B = "10.0.0.2:8801";
const C = "10.0.0.3:8801";
const D = "10.0.0.4:8801";

interface Fake {
  /** What each member answers: its Relay_Master_Log_File, or an error. */
  members: Record<string, string | Error>;
  binlogs: string[];
  writable?: boolean;
  purgeEnabled?: boolean;
  configDisabled?: boolean;
  idlePeers?: string[];
}

interface Run {
  purged: string | null;
  statements: string[];
  asked: string[];
  stats: RaftStats;
}

async function purgeWith(f: Fake): Promise<Run> {
  const statements: string[] = [];
  let asked: string[] = [];
  const stats = new RaftStats(() => 0);
  const session = {
    query: (sql: string) => {
      statements.push(sql);
      return Promise.resolve(
        sql === "SHOW BINARY LOGS" ? f.binlogs.map((Log_name) => ({ Log_name })) : [],
      );
    },
    exec: (sql: string) => {
      statements.push(sql);
      return Promise.resolve();
    },
  };
  const node = {
    state: {
      self: SELF,
      peers: [SELF, B, C],
      idlePeers: f.idlePeers ?? [],
      purgeBinlog: f.purgeEnabled ?? true,
    },
    writableLeader: f.writable ?? true,
    stats,
    maintenance: <T>(job: (db: LocalMysql) => Promise<T>) =>
      job(sessionOver(() => Promise.resolve({ session } as unknown as MysqlHandle))),
  };
  const rpc = {
    callAll: (endpoints: string[], method: string) => {
      assert.equal(method, "MysqlRPC.Status");
      asked = endpoints;
      return Promise.resolve(endpoints.map((endpoint): CallOutcome<MysqlStatusResult> => {
        const answer = f.members[endpoint];
        if (answer === undefined || answer instanceof Error) {
          return {
            endpoint,
            ok: false,
            error: new RpcError(endpoint, method, answer?.message ?? "connection refused"),
          };
        }
        return {
          endpoint,
          ok: true,
          result: { replication: { relayMasterLogFile: answer } } as MysqlStatusResult,
        };
      }));
    },
  };
  const deps = {
    config: { raft: { purgeBinlogDisabled: f.configDisabled ?? false, purgeBinlogInterval: 1000 } },
    node,
    rpc,
    options: { requestTimeoutMs: 500, heartbeatMs: 300 },
  } as unknown as LeaderDutiesDeps;
  const duties = new LeaderDuties(deps);
  const purged = await duties.purge();
  return { purged, statements, asked, stats };
}

const LOGS = ["mysql-bin.000003", "mysql-bin.000004", "mysql-bin.000005", "mysql-bin.000006"];

Deno.test("purge: up to the oldest file any member executes, asking every voter and idle member", async () => {
  const r = await purgeWith({
    members: { [B]: "mysql-bin.000006", [C]: "mysql-bin.000005", [D]: "mysql-bin.000006" },
    idlePeers: [D],
    binlogs: LOGS,
  });
  assert.equal(r.purged, "mysql-bin.000005");
  assert.deepEqual(r.asked.toSorted(), [B, C, D]);
  assert.deepEqual(r.statements, ["SHOW BINARY LOGS", "PURGE BINARY LOGS TO 'mysql-bin.000005'"]);
  assert.equal(r.stats.leaderPurgeBinlogs, 1);
});

Deno.test("purge: numeric order, not string order (000010 is after 000009)", async () => {
  const logs = ["mysql-bin.000008", "mysql-bin.000009", "mysql-bin.000010", "mysql-bin.000100"];
  const r = await purgeWith({
    members: { [B]: "mysql-bin.000100", [C]: "mysql-bin.000010" },
    binlogs: logs,
  });
  assert.equal(r.purged, "mysql-bin.000010");
});

Deno.test("purge: nothing when a member did not answer (it may still need every file)", async () => {
  const r = await purgeWith({
    members: { [B]: "mysql-bin.000006", [C]: new Error("timed out") },
    binlogs: LOGS,
  });
  assert.equal(r.purged, null);
  assert.deepEqual(r.statements, []);
});

Deno.test("purge: nothing when a member reports no file (not replicating yet)", async () => {
  const r = await purgeWith({ members: { [B]: "mysql-bin.000006", [C]: "" }, binlogs: LOGS });
  assert.equal(r.purged, null);
  assert.deepEqual(r.statements, []);
});

Deno.test("purge: nothing when the oldest needed file is already the first one", async () => {
  const r = await purgeWith({
    members: { [B]: "mysql-bin.000003", [C]: "mysql-bin.000006" },
    binlogs: LOGS,
  });
  assert.equal(r.purged, null);
  assert.deepEqual(r.statements, ["SHOW BINARY LOGS"]);
});

Deno.test("purge: a member file the leader does not have is a one-line error, nothing purged", async () => {
  const error = await purgeWith({
    members: { [B]: "mysql-bin.000042", [C]: "mysql-bin.000042" },
    binlogs: LOGS,
  }).then(() => null, (e) => e);
  assert.ok(error instanceof XenonError, String(error));
  assert.match(
    error.message,
    /^cannot purge up to mysql-bin\.000042: the leader has no such binary log/,
  );
});

Deno.test("purge: never on a node that is not the writable leader, or when disabled", async () => {
  const members = { [B]: "mysql-bin.000006", [C]: "mysql-bin.000006" };
  for (
    const f of [
      { writable: false },
      { purgeEnabled: false },
      { configDisabled: true },
    ]
  ) {
    const r = await purgeWith({ members, binlogs: LOGS, ...f });
    assert.equal(r.purged, null, JSON.stringify(f));
    assert.deepEqual(r.asked, [], "no member is even asked");
    assert.deepEqual(r.statements, []);
  }
});
