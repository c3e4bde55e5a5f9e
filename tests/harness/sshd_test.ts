/** The loopback sshd of the harness: key auth, host key accepted on first contact, no leaks. */
import assert from "node:assert/strict";
import { assertNoLeaks } from "./registry.ts";
import { startSshd } from "./sshd.ts";

Deno.test("sshd: a command runs over key auth; the host key is learned once; nothing is left", async () => {
  {
    await using sshd = await startSshd();
    const ssh = (cmd: string) =>
      new Deno.Command("ssh", {
        args: [
          "-p",
          String(sshd.port),
          "-i",
          sshd.clientKey,
          "-o",
          "IdentitiesOnly=yes",
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=accept-new",
          "-o",
          `UserKnownHostsFile=${sshd.knownHosts}`,
          "root@127.0.0.1",
          cmd,
        ],
        stdin: "null",
      }).output();
    const first = await ssh("echo hello");
    assert.equal(new TextDecoder().decode(first.stdout).trim(), "hello");
    assert.match(await Deno.readTextFile(sshd.knownHosts), /ssh-ed25519/);
    const second = await ssh("true");
    assert.equal(second.code, 0);
  }
  await assertNoLeaks();
});
