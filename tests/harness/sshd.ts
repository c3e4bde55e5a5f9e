/**
 * A real sshd on a free loopback port, started by the test: its own host key, its own client key
 * and authorized_keys, its own known_hosts. It runs in the foreground (`sshd -D`) as the test's
 * child, under an instance directory of the harness root, so the harness's leak checks and
 * cleanup (registry.ts) cover its process, its port and its directory even when a test fails.
 *
 * ```ts
 * await using sshd = await startSshd();
 * // ssh -p sshd.port -i sshd.clientKey -o UserKnownHostsFile=sshd.knownHosts root@127.0.0.1
 * ```
 */
import { XenonError } from "../../src/lib/errors.ts";
import { isAlive, killHard } from "../../src/sandbox/procs.ts";
import { freePort, newInstanceDir } from "./registry.ts";
import { waitFor } from "./wait.ts";

export interface Sshd extends AsyncDisposable {
  readonly port: number;
  readonly dir: string;
  /** Private key of a client the server accepts (public key in its authorized_keys). */
  readonly clientKey: string;
  /** The client's known_hosts: empty at first, filled by accept-new on first contact. */
  readonly knownHosts: string;
  /** sshd's log (-E). */
  readonly log: string;
  /** Stops sshd (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

async function run(program: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(program, { args, stdin: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new XenonError(`${program} ${args[0]}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

function sshdConfig(dir: string, port: number): string {
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // The harness root is under the world-writable /tmp: StrictModes would refuse the key path.
    "StrictModes no",
    "PrintMotd no",
    "LogLevel VERBOSE",
    "",
  ].join("\n");
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
async function listens(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts sshd on loopback and resolves once it accepts connections (≤ 10 s). */
export async function startSshd(): Promise<Sshd> {
  const dir = newInstanceDir("sshd");
  await Deno.mkdir("/run/sshd", { recursive: true }); // privilege-separation directory
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/host_ed25519`]);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/client_ed25519`]);
  await Deno.copyFile(`${dir}/client_ed25519.pub`, `${dir}/authorized_keys`);
  await Deno.chmod(`${dir}/authorized_keys`, 0o600);
  await Deno.writeTextFile(`${dir}/known_hosts`, "");
  const port = freePort();
  await Deno.writeTextFile(`${dir}/sshd_config`, sshdConfig(dir, port));
  const child = new Deno.Command("/usr/sbin/sshd", {
    args: ["-D", "-f", `${dir}/sshd_config`, "-E", `${dir}/sshd.log`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // exited meanwhile
      }
      const timer = setTimeout(() => isAlive(child.pid) && killHard(child.pid), 5000);
      await status;
      clearTimeout(timer);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitFor(`sshd on 127.0.0.1:${port}`, async () => {
      if (exited) {
        const text = await Deno.readTextFile(`${dir}/sshd.log`).catch(() => "");
        throw new XenonError(`sshd exited at start: ${text.trim().split("\n").pop() ?? ""}`);
      }
      return (await listens(port)) || undefined;
    }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 50 });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    port,
    dir,
    clientKey: `${dir}/client_ed25519`,
    knownHosts: `${dir}/known_hosts`,
    log: `${dir}/sshd.log`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
