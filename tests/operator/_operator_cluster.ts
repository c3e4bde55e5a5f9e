/**
 * A cluster configured as radondb-mysql-kubernetes configures it (see operator_contract_test.ts):
 * real mariadbd and real daemons on loopback, xenon.json from the sidecar's template, peers.json
 * from the operator's config map, `xenon -c FILE`, and `xenoncli` found through config.path.
 */
import assert from "node:assert/strict";
import { AgentProcess, readOnlyOf, waitFor } from "../e2e/_cluster.ts";
import { createInstance, type MariaDBInstance } from "../harness/mod.ts";
import { REPL_PASSWORD, REPL_USER, ROOT_PASSWORD } from "../harness/credentials.ts";
import { freePort } from "../harness/registry.ts";
import {
  OperatorHttp,
  type OperatorPod,
  podExecFailure,
  type PodExecResult,
} from "./_operator_client.ts";
import { operatorConfig } from "./_operator_config.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
export const ELECTION_TIMEOUT = 10_000;
/** A planned switchover or an election with the operator's timers: 2x ET + catch-up, and slack. */
export const SWITCH_MS = 2 * ELECTION_TIMEOUT + 6000 + 10_000;

export interface Pod extends OperatorPod {
  index: number;
  dir: string;
  agent: AgentProcess;
  instance: MariaDBInstance;
}

/** The CRD allows only "" as root password: give root@'%' an empty password too (MariaDB's OR). */
async function allowEmptyRootPassword(instance: MariaDBInstance): Promise<void> {
  const conn = await instance.connect();
  try {
    // Not binlogged: each server would otherwise hold its own first transaction (diverged).
    await conn.query("SET sql_log_bin = 0");
    await conn.query(
      "ALTER USER root@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD(?) " +
        "OR mysql_native_password USING PASSWORD('')",
      [ROOT_PASSWORD],
    );
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

export class OperatorCluster implements AsyncDisposable {
  readonly pods: Pod[] = [];
  readonly http = new OperatorHttp("");
  #root = "";

  async addPods(count: number, members: () => string[]): Promise<Pod[]> {
    this.#root ||= await Deno.makeTempDir({ prefix: "xenon-operator-" });
    const made: Pod[] = [];
    for (let n = 0; n < count; n++) {
      const index = this.pods.length;
      const instance = await createInstance({ mysqld: { read_only: 1 } });
      const dir = `${this.#root}/pod${index}`;
      await Deno.mkdir(`${dir}/meta`, { recursive: true });
      const endpoint = `127.0.0.1:${freePort()}`;
      const peerAddress = `127.0.0.1:${freePort()}`;
      const config = operatorConfig({
        host: "127.0.0.1",
        xenonPort: Number(endpoint.split(":")[1]),
        peerPort: Number(peerAddress.split(":")[1]),
        replicationUser: REPL_USER,
        replicationPassword: REPL_PASSWORD,
        mysqlPort: instance.port,
        metaDir: `${dir}/meta`,
        leaderStartCommand: `echo start >> ${dir}/vip.log`,
        leaderStopCommand: `echo stop >> ${dir}/vip.log`,
      });
      await Deno.writeTextFile(`${dir}/xenon.json`, JSON.stringify(config, null, 2), {
        mode: 0o600,
      });
      await Deno.writeTextFile(`${dir}/config.path`, `${dir}/xenon.json\n`);
      const agent = new AgentProcess(
        index,
        endpoint,
        instance,
        `${dir}/xenon.json`,
        `${dir}/xenon.log`,
        true,
      );
      const pod = { index, dir, agent, instance, endpoint, peerAddress };
      this.pods.push(pod);
      made.push(pod);
      await allowEmptyRootPassword(instance);
    }
    // The config map's peers.json, as buildXenonMetaData marshals it (a nil slice is null).
    for (const pod of made) {
      await Deno.writeTextFile(
        `${pod.dir}/meta/peers.json`,
        JSON.stringify({ idlepeers: null, peers: members() }),
      );
      pod.agent.start();
    }
    return made;
  }

  /** `xenoncli <argv>` in the pod, as the pod executor and the probes run it. */
  async exec(pod: Pod, ...argv: string[]): Promise<PodExecResult> {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${ROOT}deno.json`, `${ROOT}main.ts`, ...argv],
      cwd: pod.dir,
      env: { NO_COLOR: "1", XENON_INVOKED_AS: "xenoncli", XENON_EXE_DIR: pod.dir },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  }

  /** Runs a pod-executor command and fails the test on its failure rule. */
  async podExec(pod: Pod, ...argv: string[]): Promise<string> {
    const r = await this.exec(pod, ...argv);
    const failure = podExecFailure(["xenoncli", ...argv], r);
    assert.equal(failure, undefined, `${failure}\n${this.logTail(pod)}`);
    return r.stdout;
  }

  running(): Pod[] {
    return this.pods.filter((p) => p.agent.running());
  }

  /** The one pod every running pod's raft status names LEADER, writable. */
  async waitForLeader(timeoutMs = SWITCH_MS, want?: Pod): Promise<Pod> {
    return await waitFor("one writable leader", async () => {
      const pods = this.running();
      const states = await Promise.all(
        pods.map((p) => this.http.raftStatus(p.peerAddress).catch(() => null)),
      );
      const leaders = pods.filter((_, i) => states[i]?.role === "LEADER");
      if (leaders.length !== 1 || (want && leaders[0] !== want)) return undefined;
      if (!states.every((s) => s?.leader === leaders[0].endpoint)) return undefined;
      return (await readOnlyOf(leaders[0].instance).catch(() => null)) === false
        ? leaders[0]
        : undefined;
    }, {
      timeoutMs,
      intervalMs: 250,
      explain: () => this.pods.map((p) => this.logTail(p)).join("\n"),
    });
  }

  async waitForMembers(expected: string[], timeoutMs = 15_000): Promise<void> {
    await waitFor(`every pod to list ${expected.length} members`, async () => {
      for (const pod of this.running()) {
        const s = await this.http.raftStatus(pod.peerAddress).catch(() => null);
        if (!s || [...s.nodes].sort().join() !== [...expected].sort().join()) return undefined;
      }
      return true;
    }, {
      timeoutMs,
      intervalMs: 250,
      explain: () => this.pods.map((p) => this.logTail(p)).join("\n"),
    });
  }

  logTail(pod: Pod, lines = 6): string {
    try {
      const text = Deno.readTextFileSync(pod.agent.logPath).trim().split("\n");
      return `pod${pod.index}: ${text.slice(-lines).join("\n  ")}`;
    } catch {
      return `pod${pod.index}: (no log)`;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const pod of this.pods) await pod.agent.kill("SIGKILL").catch(() => {});
    const keep = Deno.env.get("E2E_KEEP_LOGS");
    for (const pod of this.pods) {
      if (keep) {
        await Deno.copyFile(pod.agent.logPath, `${keep}/pod${pod.index}.log`).catch(() => {});
      }
      await pod.instance.remove().catch(() => {});
    }
    if (this.#root) await Deno.remove(this.#root, { recursive: true }).catch(() => {});
  }
}
