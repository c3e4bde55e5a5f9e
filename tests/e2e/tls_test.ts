/**
 * Peer RPC over TLS end to end: real daemons on loopback, every node with tls-cert, tls-key and
 * tls-ca (openssl-made), joined and inspected through the real command line.
 */
import assert from "node:assert/strict";
import { assertNoLeaks } from "../harness/mod.ts";
import {
  cliIdentity,
  deriveClusterKey,
  RpcClient,
  RpcRemoteError,
  RpcUnreachableError,
} from "../../src/rpc/mod.ts";
import { makeCertificates } from "../rpc/_certs.ts";
import { type Agent, CLUSTER_SECRET, startE2ECluster, waitFor } from "./_cluster.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** `xenon -c <agent's config> argv...` as a subprocess; exit code and output. */
async function xenonOn(agent: Agent, argv: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "-c", agent.configPath, ...argv],
    cwd: ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(45_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("tls: nodes with tls-cert/key/ca join with cluster add, elect, and answer the CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-e2e-tls-" });
  try {
    const certs = await makeCertificates(dir);
    {
      await using cluster = await startE2ECluster(3, {
        extra: {
          server: { "tls-cert": certs.certFile, "tls-key": certs.keyFile, "tls-ca": certs.caFile },
        },
      });
      const all = cluster.agents.map((a) => a.endpoint);
      for (const agent of cluster.agents) {
        const others = all.filter((e) => e !== agent.endpoint).join(",");
        const added = await xenonOn(agent, ["cluster", "add", others]);
        assert.equal(added.code, 0, added.stderr);
      }
      const leader = await cluster.waitForLeader(30_000);

      let last = "";
      const status = await waitFor(
        "cluster status over TLS: one leader, two followers",
        async () => {
          const r = await xenonOn(cluster.agents[0], ["cluster", "status"]);
          last = r.stdout + r.stderr;
          const followers = r.stdout.split("\n").filter((l) => l.includes("@FOLLOWER")).length;
          return r.code === 0 && followers === 2 ? r : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500, explain: () => last },
      );
      assert.match(status.stdout, new RegExp(`\\| ${leader.endpoint} .*@LEADER`));
      assert.equal(status.stderr, "");

      // The transport really is TLS: a client without the CA is not answered in plain HTTP.
      const plain = new RpcClient({
        self: cliIdentity(),
        key: await deriveClusterKey({ secret: CLUSTER_SECRET, replicationPassword: "" }),
      });
      try {
        const error = await (async () => {
          try {
            await plain.call(leader.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 3000 });
          } catch (e) {
            return e;
          }
        })();
        assert.ok(error instanceof RpcUnreachableError, String(error));
      } finally {
        plain.close();
      }
      for (const agent of cluster.agents) {
        assert.match(Deno.readTextFileSync(agent.logPath), /listening on \S+ \(TLS\)/);
      }

      // The daemon refuses variables it owns even from a client that skips the CLI's check.
      const refused = await cluster.call(leader, "MysqlRPC.SetGlobalSysVar", {
        varSql: "SET GLOBAL rpl_semi_sync_master_enabled=OFF",
      }).then(() => null, (e) => e);
      assert.ok(refused instanceof RpcRemoteError, String(refused));
      assert.match(
        refused.reason,
        /^rpl_semi_sync_master_enabled is set by xenon itself on every role change/,
      );
    }
    await assertNoLeaks();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
