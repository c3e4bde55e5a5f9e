/**
 * Load and observation for a netns scenario: the client host's writers and reader (client.ts, in
 * the client namespace, through the VIP and optionally HAProxy), and one probe per node every
 * 50 ms from the test process: read_only, a probe write with a unique id, and whether the node's
 * interface holds the VIP. The probes use each node's unix socket, which no network fault cuts,
 * so they see what every mysqld really does, partitioned or not.
 */
import mysql from "mysql2/promise";
import { XenonError } from "../../src/lib/errors.ts";
import { APP_PASSWORD, APP_USER } from "../e2e/_cluster.ts";
import type { MariaDBInstance } from "../harness/mod.ts";
import { newInstanceDir } from "../harness/registry.ts";
import { sleep } from "../harness/wait.ts";
import type { NodeSample, VipSample } from "./checks.ts";
import { type ClientReport, type ClientSpec, now } from "./client.ts";
import type { NetnsLab } from "./lab.ts";

const PROBE_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 500;
const CLIENT_READY_MS = 60_000;
const CLIENT_STOP_MS = 15_000;

export async function createNetnsTables(leader: MariaDBInstance): Promise<void> {
  await leader.query("CREATE DATABASE IF NOT EXISTS app");
  await leader.query(
    "CREATE TABLE IF NOT EXISTS app.netns_acked " +
      "(w INT, seq INT, server INT, PRIMARY KEY (w, seq))",
  );
  await leader.query(
    "CREATE TABLE IF NOT EXISTS app.netns_probe (id BIGINT PRIMARY KEY, node INT)",
  );
}

/** Probe ids: unique across nodes and runs of this process (time-based high part). */
let lastProbeId = Date.now() * 1000;

/**
 * Probes one node every 50 ms until stopped: its MySQL and its VIP in loops of their own, so a
 * statement waiting out its timeout (a fenced or hung server) does not stretch the VIP reading
 * taken before it into half a second the VIP might have been gone for.
 */
class NodeProbe {
  readonly samples: NodeSample[] = [];
  readonly vipSamples: VipSample[] = [];
  #stop = false;
  #done: Promise<unknown> | null = null;
  #conn: mysql.Connection | null = null;

  constructor(readonly lab: NetnsLab, readonly index: number, readonly node: MariaDBInstance) {}

  start(): void {
    this.#done = Promise.all([
      this.#every(async (at) => {
        const db = await this.#probeDb();
        this.samples.push({ at, ...db, vip: this.vipSamples.at(-1)?.vip ?? false });
      }),
      this.#every(async (at) => this.vipSamples.push({ at, vip: await this.#holdsVip() })),
    ]);
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
    this.#conn?.destroy();
  }

  async #every(probe: (at: number) => Promise<unknown>): Promise<void> {
    while (!this.#stop) {
      const at = now();
      await probe(at);
      await sleep(Math.max(0, PROBE_INTERVAL_MS - (now() - at)));
    }
  }

  async #probeDb(): Promise<Pick<NodeSample, "readWrite" | "wrote">> {
    try {
      this.#conn ??= await mysql.createConnection({
        socketPath: this.node.socket,
        user: APP_USER,
        password: APP_PASSWORD,
        connectTimeout: PROBE_TIMEOUT_MS,
      });
      const [rows] = await this.#conn.query({
        sql: "SELECT @@GLOBAL.read_only AS ro",
        timeout: PROBE_TIMEOUT_MS,
      });
      const readWrite = Number((rows as { ro: number }[])[0].ro) === 0;
      if (!readWrite) return { readWrite };
      const sent = now();
      await this.#conn.query({
        sql: "INSERT INTO app.netns_probe (id, node) VALUES (?, ?)",
        values: [++lastProbeId, this.node.serverId],
        timeout: PROBE_TIMEOUT_MS,
      });
      return { readWrite, wrote: { sent, acked: now() } };
    } catch {
      // down, read-only, blocked waiting for acks: not committing
      this.#conn?.destroy();
      this.#conn = null;
      return { readWrite: false };
    }
  }

  /** A host cut off the bridge may still hold the address, but nobody reaches it there. */
  async #holdsVip(): Promise<boolean> {
    return !this.lab.isLinkDown(this.index) && await this.lab.holdsVip(this.index);
  }
}

/** The client process in the lab's client namespace. */
class ClientProcess {
  #child: Deno.ChildProcess;
  #text = "";
  #output: Promise<void>;

  constructor(lab: NetnsLab, specPath: string) {
    const script = new URL("./client.ts", import.meta.url).pathname;
    this.#child = new Deno.Command("ip", {
      args: [
        ...["netns", "exec", lab.network.client.namespace],
        ...[Deno.execPath(), "run", "-A", script, specPath],
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const stdout = this.#child.stdout;
    this.#output = (async () => {
      for await (const chunk of stdout.pipeThrough(new TextDecoderStream())) {
        this.#text += chunk;
      }
    })();
  }

  /** Resolves once the client printed READY (its connections are set up). */
  async ready(): Promise<void> {
    const deadline = performance.now() + CLIENT_READY_MS;
    let exited = false;
    this.#child.status.then(() => exited = true);
    while (!this.#text.startsWith("READY\n")) {
      if (exited) throw new XenonError("the lab client exited before it was ready");
      if (this.#text.startsWith("NOT READY")) throw new XenonError(`lab client: ${this.#text}`);
      if (performance.now() > deadline) {
        throw new XenonError(`the lab client was not ready within ${CLIENT_READY_MS} ms`);
      }
      await sleep(50);
    }
  }

  /** Closes its stdin (the stop signal) and returns its report; SIGKILL after a bound. */
  async stop(): Promise<ClientReport> {
    await this.#child.stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // exited meanwhile
      }
    }, CLIENT_STOP_MS);
    await this.#output.catch(() => {});
    await this.#child.status;
    clearTimeout(timer);
    const line = this.#text.trim().split("\n").at(-1) ?? "";
    if (!line.startsWith("{")) throw new XenonError("the lab client printed no report");
    return JSON.parse(line) as ClientReport;
  }
}

export interface WorkloadOptions {
  /** Writers through the VIP. @default 4 */
  writers?: number;
  /** Each VIP writer's pause between inserts (a light load). @default 0 */
  pauseMs?: number;
  /** HAProxy's frontend in the client namespace, as a second write path (2 writers). */
  haproxy?: { host: string; port: number };
}

/** The client host's load plus the per-node probes, started and stopped together. */
export class NetnsWorkload {
  readonly probes: NodeProbe[];
  #client: ClientProcess | null = null;
  #dir: string | null = null;

  constructor(
    readonly lab: NetnsLab,
    readonly nodes: MariaDBInstance[],
    readonly options: WorkloadOptions = {},
  ) {
    this.probes = nodes.map((node, i) => new NodeProbe(lab, i, node));
  }

  async start(): Promise<void> {
    const spec: ClientSpec = {
      targets: [
        {
          name: "vip",
          host: this.lab.network.vip,
          port: 3306,
          writers: this.options.writers ?? 4,
          pauseMs: this.options.pauseMs,
        },
        ...(this.options.haproxy ? [{ name: "haproxy", ...this.options.haproxy, writers: 2 }] : []),
      ],
      readFrom: "vip",
      user: APP_USER,
      password: APP_PASSWORD,
    };
    const dir = newInstanceDir("client");
    this.#dir = dir;
    const specPath = `${dir}/spec.json`;
    await Deno.writeTextFile(specPath, JSON.stringify(spec));
    for (const p of this.probes) p.start();
    this.#client = new ClientProcess(this.lab, specPath);
    await this.#client.ready();
  }

  /** Stops the load and the probes; the client's report and every node's samples. */
  async stop(): Promise<
    { report: ClientReport; samples: NodeSample[][]; vipSamples: VipSample[][] }
  > {
    const client = this.#client;
    this.#client = null;
    const report = client
      ? await client.stop()
      : { acks: [], reads: [], writerTargets: {}, failures: 0 };
    await Promise.all(this.probes.map((p) => p.stop()));
    if (this.#dir) await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    return {
      report,
      samples: this.probes.map((p) => p.samples),
      vipSamples: this.probes.map((p) => p.vipSamples),
    };
  }
}
