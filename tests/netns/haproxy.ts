/**
 * HAProxy on the lab's client host, configured from the sample conf/haproxy.cfg with the lab's
 * addresses: writes go to the one node whose /primary answers 200, as a DBA would set it up.
 */
import { XenonError } from "../../src/lib/errors.ts";
import { newInstanceDir } from "../harness/registry.ts";
import { settleWithin, sleep } from "../harness/wait.ts";
import type { NetnsLab } from "./lab.ts";
import { run } from "./lab.ts";

const SAMPLE = new URL("../../conf/haproxy.cfg", import.meta.url).pathname;
/** The sample's write frontend, inside the client namespace. */
export const HAPROXY_WRITE_PORT = 3306;

export interface Haproxy extends AsyncDisposable {
  readonly frontend: { host: string; port: number };
}

/** The sample with the lab's node addresses (10.0.0.11-13 there, the lab's .11-.13 here). */
export async function haproxyConfig(lab: NetnsLab): Promise<string> {
  const sample = await Deno.readTextFile(SAMPLE);
  const subnet = lab.network.layout.subnet;
  return sample.replace(/\b10\.0\.0\.(1\d)\b/g, `${subnet}.$1`);
}

export async function startHaproxy(lab: NetnsLab): Promise<Haproxy> {
  const dir = newInstanceDir("haproxy");
  const path = `${dir}/haproxy.cfg`;
  await Deno.writeTextFile(path, await haproxyConfig(lab));
  const check = await run(["haproxy", "-c", "-q", "-f", path]);
  if (check.code !== 0) throw new XenonError(`haproxy -c: ${check.stderr || check.stdout}`);
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", lab.network.client.namespace, "haproxy", "-db", "-f", path],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Its health checks need a moment to find the leader (inter 1s, rise 2).
  await sleep(2500);
  return {
    frontend: { host: "127.0.0.1", port: HAPROXY_WRITE_PORT },
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // exited already
      }
      await settleWithin(child.status, 5000);
      try {
        child.kill("SIGKILL");
      } catch {
        // exited at SIGTERM
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
