/**
 * A network lab for tests: N hosts and a client, each a network namespace, on a bridge with no
 * uplink (the layout of src/sandbox/network.ts), plus the link faults the scenarios inject. Its
 * teardown is registered with the harness registry before anything is made, so the namespaces
 * and links go away with the test's temp root however the test ends (kill -9 included).
 * Only addresses of this lab's own /24 are ever used.
 */
import { XenonError } from "../../src/lib/errors.ts";
import {
  createNetwork,
  freeNetnsSubnet,
  NETNS_DEVICE,
  NetnsNetwork,
} from "../../src/sandbox/network.ts";
import { registerTeardown } from "../harness/registry.ts";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell) and returns its exit code and output. */
export async function run(argv: string[], stdin?: string): Promise<CommandResult> {
  const [program, ...args] = argv;
  const child = new Deno.Command(program, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Runs argv and throws one line naming it and its stderr when it fails. */
export async function runOk(argv: string[], stdin?: string): Promise<string> {
  const r = await run(argv, stdin);
  if (r.code !== 0) {
    throw new XenonError(`${argv.join(" ")} exited ${r.code}: ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** The nft table faults live in, one per namespace: deleting it heals everything at once. */
const FAULT_TABLE = "xenon_fault";

export class NetnsLab implements AsyncDisposable {
  #teardown: () => void;
  #linksDown = new Set<number>();

  constructor(readonly network: NetnsNetwork, teardown: () => void) {
    this.#teardown = teardown;
  }

  get nodes(): number {
    return this.network.layout.nodes;
  }

  /** Takes node `index` off the bridge (its host-side veth down): a host loss seen by peers. */
  async linkDown(index: number): Promise<void> {
    this.#linksDown.add(index);
    await runOk(["ip", "link", "set", this.network.veth(index), "down"]);
  }

  async linkUp(index: number): Promise<void> {
    await runOk(["ip", "link", "set", this.network.veth(index), "up"]);
    this.#linksDown.delete(index);
  }

  /** True while node `index` is off the bridge by `linkDown`. */
  isLinkDown(index: number): boolean {
    return this.#linksDown.has(index);
  }

  /**
   * Drops, inside node `index`'s namespace, traffic to and from the given peers (default: every
   * other node and the client): a partition, undone by `heal`. `direction` "in" drops only what
   * arrives (an asymmetric partition), "out" only what leaves.
   */
  async isolate(
    index: number,
    options: { peers?: number[]; direction?: "both" | "in" | "out"; lossPercent?: number } = {},
  ): Promise<void> {
    const peers = options.peers ??
      Array.from({ length: this.nodes }, (_, i) => i).filter((i) => i !== index);
    const addresses = [
      ...peers.map((i) => this.network.host(i)),
      ...(options.peers ? [] : [this.network.client.address]),
    ];
    const direction = options.direction ?? "both";
    const set = `{ ${addresses.join(", ")} }`;
    // numgen: a random share of packets (F12 loss); without it every matching packet.
    const drop = options.lossPercent === undefined
      ? "drop"
      : `numgen random mod 100 < ${options.lossPercent} drop`;
    const rules = [
      direction !== "out" ? `add rule inet ${FAULT_TABLE} input ip saddr ${set} ${drop}` : "",
      direction !== "in" ? `add rule inet ${FAULT_TABLE} output ip daddr ${set} ${drop}` : "",
    ].filter((r) => r !== "");
    const script = [
      `add table inet ${FAULT_TABLE}`,
      `add chain inet ${FAULT_TABLE} input { type filter hook input priority 0; policy accept; }`,
      `add chain inet ${FAULT_TABLE} output { type filter hook output priority 0; policy accept; }`,
      ...rules,
    ].join("\n") + "\n";
    await runOk(["ip", "netns", "exec", this.network.namespace(index), "nft", "-f", "-"], script);
  }

  /** Removes every fault `isolate` added in node `index`'s namespace. */
  async heal(index: number): Promise<void> {
    const ns = this.network.namespace(index);
    await run(["ip", "netns", "exec", ns, "nft", "delete", "table", "inet", FAULT_TABLE]);
  }

  /** True if node `index`'s interface holds the VIP now (false if its namespace is gone). */
  holdsVip(index: number): Promise<boolean> {
    return this.network.holdsVip(index).catch(() => false);
  }

  /** Removes the VIP from node `index` if it holds it: what a reboot of that host does. */
  async dropVip(index: number): Promise<void> {
    if (!await this.holdsVip(index)) return;
    const ns = this.network.namespace(index);
    await runOk(["ip", "-n", ns, "addr", "del", `${this.network.vip}/24`, "dev", NETNS_DEVICE]);
  }

  /** Indexes of the nodes whose interface holds the VIP now. */
  async vipHolders(): Promise<number[]> {
    const all = Array.from({ length: this.nodes }, (_, i) => i);
    const holds = await Promise.all(all.map((i) => this.holdsVip(i)));
    return all.filter((i) => holds[i]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.#teardown();
    return Promise.resolve();
  }
}

function randomTag(): string {
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  const raw = crypto.getRandomValues(new Uint8Array(5));
  return "x" + Array.from(raw, (b) => letters[b % letters.length]).join("");
}

/** Makes the lab: bridge, N node namespaces and the client namespace, all linked up. */
export async function createLab(nodes: number): Promise<NetnsLab> {
  const subnet = await freeNetnsSubnet();
  const network = new NetnsNetwork({ tag: randomTag(), subnet, nodes });
  const teardown = registerTeardown(network.teardownCommands());
  await createNetwork(network);
  return new NetnsLab(network, teardown);
}
