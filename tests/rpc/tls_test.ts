import assert from "node:assert/strict";
import { RpcClient, RpcServer, RpcUnreachableError } from "../../src/rpc/mod.ts";
import { clusterKey, PEER, rejection, withServer } from "./_helpers.ts";

/** A CA and a server certificate for 127.0.0.1, made with openssl in `dir`; null without it. */
async function makeCertificates(dir: string): Promise<boolean> {
  const run = async (args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    })
      .output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  try {
    await run(["version"]);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1\n");
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=xenon test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
    "-out",
    "server.pem",
  ]);
  return true;
}

Deno.test("RpcServer and RpcClient talk over TLS with a CA from a file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "xenon-rpc-tls-" });
  try {
    if (!await makeCertificates(dir)) {
      console.log("SKIPPED: openssl is not installed, so no test certificate can be made");
      return;
    }
    const tls = { certFile: `${dir}/server.pem`, keyFile: `${dir}/server.key` };
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
    }, { tls, client: { tls: { caFile: `${dir}/ca.pem` } } });
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
