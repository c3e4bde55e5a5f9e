/**
 * A test CA and one server certificate for 127.0.0.1 (every loopback node can use it), made
 * with openssl. Without openssl the test fails, saying how to install it: a TLS test that
 * skips itself would pass without checking anything.
 */

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        "openssl is not installed, so no test certificate can be made: run " +
          "scripts/setup.sh --system (or apt-get install openssl)",
      );
    }
    throw error;
  }
  if (!out.success) {
    throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Writes ca.pem, server.pem and server.key into `dir`. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1\n");
  const rsa = ["-newkey", "rsa:2048", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...rsa,
    "-days",
    "1",
    "-subj",
    "/CN=xenon test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  await openssl(dir, [
    "req",
    ...rsa,
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  await openssl(dir, [
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
  return { caFile: `${dir}/ca.pem`, certFile: `${dir}/server.pem`, keyFile: `${dir}/server.key` };
}
