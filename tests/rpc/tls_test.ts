import assert from "node:assert/strict";
import { RpcClient, RpcServer, RpcUnreachableError } from "../../src/rpc/mod.ts";
import { makeCertificates } from "./_certs.ts";
import { clusterKey, PEER, rejection, withServer } from "./_helpers.ts";

Deno.test("RpcServer and RpcClient talk over TLS with a CA from a file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-rpc-tls-" });
  try {
    const certs = await makeCertificates(dir);
    const tls = { certFile: certs.certFile, keyFile: certs.keyFile };
    await withServer(async (server, client) => {
      await t.step("a signed call succeeds over https", async () => {
        assert.deepEqual(
          await client.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 3000 }),
          { RetCode: "OK" },
        );
      });
      await t.step("a client that does not trust the CA cannot connect", async () => {
        const untrusting = new RpcClient({
          self: PEER,
          key: await clusterKey(),
          tls: { caFile: `${dir}/server.pem` },
        });
        try {
          const error = await rejection(
            untrusting.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 3000 }),
            RpcUnreachableError,
          );
          assert.match(error.message, /TLS failed \(.*\); check server\.tls-ca/);
        } finally {
          untrusting.close();
        }
      });
      await t.step("a plain-http client gets a one-line error", async () => {
        const plain = new RpcClient({ self: PEER, key: await clusterKey() });
        try {
          const error = await rejection(
            plain.call(server.endpoint, "ServerRPC.Ping", {}, { timeoutMs: 3000 }),
            Error,
          );
          assert.match(
            error.message,
            /did not answer in plain HTTP .*set server\.tls-ca here too$/,
          );
          assert.ok(!error.message.includes("\n"));
        } finally {
          plain.close();
        }
      });
    }, { tls, client: { tls: { caFile: certs.caFile } } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RpcServer.start() names the TLS file it cannot read", async () => {
  const server = new RpcServer({
    listen: "127.0.0.1:0",
    key: await clusterKey(),
    allowedPeer: () => true,
    tls: { certFile: "/nonexistent/cert.pem", keyFile: "/nonexistent/key.pem" },
  });
  await assert.rejects(
    () => server.start(),
    /cannot read server\.tls-cert \/nonexistent\/cert\.pem: /,
  );
});

Deno.test("RpcClient names the CA file it cannot read", async () => {
  const key = await clusterKey();
  assert.throws(
    () => new RpcClient({ self: PEER, key, tls: { caFile: "/nonexistent/ca.pem" } }),
    /cannot read server\.tls-ca \/nonexistent\/ca\.pem: /,
  );
});
