/**
 * Peer RPC on loopback: calls/s and p50/p99 latency of a heartbeat-sized signed call, one at a
 * time and as a leader's fan-out to 2 peers (3-node cluster). Bounded: 2000 calls per run.
 *
 *   deno run -A bench/rpc.ts [calls]
 */
import { deriveClusterKey, RpcClient, RpcServer, v } from "../src/rpc/mod.ts";

const CALLS = Math.min(Number(Deno.args[0] ?? 2000) || 2000, 20_000);
const LEADER = "127.0.0.1:18801";

// Shaped like the original's RaftRPCRequest{Raft, Repl, GTID, Peers, IdlePeers} heartbeat.
const heartbeat = {
  Raft: { EpochID: 3, ViewID: 12, Leader: LEADER, From: LEADER, To: "", State: "LEADER" },
  Repl: { Master_Host: "127.0.0.1", Master_Port: 3306, Repl_User: "repl", Repl_GTID_Purged: "" },
  GTID: {
    Master_Log_File: "mysql-bin.000004",
    Read_Master_Log_Pos: 123456789,
    Executed_GTID_Set: "0-1-1234567,1-2-89",
    Slave_IO_Running: true,
    Slave_SQL_Running: true,
    Seconds_Behind_Master: "0",
  },
  Peers: [LEADER, "127.0.0.1:18802", "127.0.0.1:18803"],
  IdlePeers: [],
};
const request = v.object({ Raft: v.anyJson(), GTID: v.anyJson(), Peers: v.strings() });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function measure(label: string, rounds: number, once: () => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await once(); // warm up connections and JIT
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await once();
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} ${String(Math.round(rounds / seconds)).padStart(6)} rounds/s  ` +
      `p50 ${percentile(latencies, 0.5).toFixed(3)} ms  p99 ${
        percentile(latencies, 0.99).toFixed(3)
      } ms`,
  );
}

const key = await deriveClusterKey({ replicationPassword: "bench-repl-password" });
const servers = [0, 1].map(() =>
  new RpcServer({ listen: "127.0.0.1:0", key, allowedPeer: (from) => from === LEADER })
);
for (const server of servers) {
  server.registerMethod("RaftRPC.Heartbeat", () => ({ RetCode: "OK" }), { validate: request });
}
const client = new RpcClient({ self: LEADER, key });
try {
  const endpoints = await Promise.all(servers.map((s) => s.start()));
  const bytes = JSON.stringify(heartbeat).length;
  console.log(`heartbeat body ${bytes} bytes, ${CALLS} rounds each, HMAC-SHA256 both ways`);
  await measure(
    "RaftRPC.Heartbeat, 1 peer",
    CALLS,
    () => client.call(endpoints[0], "RaftRPC.Heartbeat", heartbeat, { timeoutMs: 1000 }),
  );
  await measure(
    "RaftRPC.Heartbeat, callAll 2 peers",
    CALLS / 2,
    () => client.callAll(endpoints, "RaftRPC.Heartbeat", heartbeat, { timeoutMs: 1000 }),
  );
} finally {
  client.close();
  await Promise.all(servers.map((s) => s.close()));
}
