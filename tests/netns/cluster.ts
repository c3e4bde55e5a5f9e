/**
 * A xenon cluster whose nodes are hosts of their own: each node's mariadbd and `xenon serve` run
 * in its network namespace of a NetnsLab, and the leader commands move the lab's VIP (duplicate
 * address detection, `ip addr add`, gratuitous ARP). Built from the e2e cluster, placed on the
 * lab's hosts; everything is torn down by `await using`, and by the harness registry if the test
 * process is killed.
 */
import { defaultValues } from "../../src/config/decode.ts";
import { SANDBOX_TIMERS } from "../../src/sandbox/agent_config.ts";
import { LOSSLESS_PROFILE } from "../../src/sandbox/up.ts";
import { type E2ECluster, joinAll, startE2ECluster, type TIMERS } from "../e2e/_cluster.ts";
import { createLab, type NetnsLab } from "./lab.ts";

/**
 * The sandbox's timers (500 ms heartbeat, 3 s election timeout), which `config check` accepts for
 * a LAN: the e2e suite's faster ones lose leases to CPU starvation on a busy 2-core machine, and
 * these scenarios measure the network, not the scheduler.
 */
export const NETNS_TIMERS: typeof TIMERS = {
  heartbeat: SANDBOX_TIMERS.heartbeatMs,
  election: SANDBOX_TIMERS.electionMs,
  request: SANDBOX_TIMERS.requestMs,
  ping: SANDBOX_TIMERS.pingMs,
  pingCount: SANDBOX_TIMERS.pingCount,
};

/** xenon.json's defaults (1 s heartbeat, 3 s election timeout): what the benchmarks measure. */
export const DEFAULT_TIMERS: typeof TIMERS = (() => {
  const { raft, mysql, rpc } = defaultValues();
  return {
    heartbeat: raft.heartbeatTimeout,
    election: raft.electionTimeout,
    request: rpc.requestTimeout,
    ping: mysql.pingTimeout,
    pingCount: mysql.admitDefeatPingCount,
  };
})();

/** Each host has its own network stack, so every node uses the same well-known ports. */
export const AGENT_RPC_PORT = 8801;
export const AGENT_HTTP_PORT = 6060;

export interface NetnsCluster extends AsyncDisposable {
  readonly lab: NetnsLab;
  readonly cluster: E2ECluster;
}

/** A lab of `n` hosts with one node each, joined, with a writable leader holding the VIP. */
export async function startNetnsCluster(n = 3, timers = NETNS_TIMERS): Promise<NetnsCluster> {
  const lab = await createLab(n);
  let cluster: E2ECluster | undefined;
  try {
    const network = lab.network;
    cluster = await startE2ECluster(n, {
      hosts: (index) => ({
        netns: { namespace: network.namespace(index), address: network.host(index) },
        runOn: network.runOn(index),
        rpcPort: AGENT_RPC_PORT,
        httpPort: AGENT_HTTP_PORT,
        leaderCommands: (agentDir) => network.leaderCommands(`${agentDir}/leader.log`),
      }),
      // A host's agent runs its mysqld, as in production: without it a survivor that shut its
      // own mysqld down (commits waiting for acks nobody sends) stays down for good.
      supervised: true,
      // The sandbox's mysqld profile (durable commits, parallel apply): the hosts a user tries.
      mysqld: LOSSLESS_PROFILE,
      extra: {
        raft: {
          "heartbeat-timeout": timers.heartbeat,
          "election-timeout": timers.election,
        },
        mysql: {
          "ping-timeout": timers.ping,
          "admit-defeat-ping-count": timers.pingCount,
        },
        rpc: { "request-timeout": timers.request },
      },
    });
    await joinAll(cluster);
    await cluster.waitForLeader(30_000);
  } catch (error) {
    await cluster?.[Symbol.asyncDispose]();
    await lab[Symbol.asyncDispose]();
    throw error;
  }
  const started = cluster;
  return {
    lab,
    cluster: started,
    async [Symbol.asyncDispose]() {
      await started[Symbol.asyncDispose]();
      await lab[Symbol.asyncDispose]();
    },
  };
}
