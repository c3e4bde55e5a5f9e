/**
 * Where the sandbox's nodes live on the network. On loopback every node has its own ports and "the
 * VIP" is a line in a file. In network namespaces every node is a host of its own on a bridge
 * with no uplink, and the leader commands move a real VIP between them. The test suite's netns
 * lab (tests/netns) builds its hosts from the same description.
 */

import { XenonError } from "../lib/errors.ts";

export interface SandboxNetwork {
  readonly kind: "loopback" | "netns";
  /** The ports node `index` uses: its own on loopback, the standard ones in a namespace. */
  ports(index: number, free: () => number): { mysql: number; rpc: number; http: number };
  /** The address node `index` listens on (MySQL, agent RPC, HTTP API). */
  host(index: number): string;
  /** The address mysqld binds to. */
  readonly bindAddress: string;
  /**
   * The node's `raft.leader-start-command` and `leader-stop-command`. They run through bash, so
   * every path is single-quoted; what they may want to know comes in XENON_* variables.
   */
  leaderCommands(leaderLog: string): { start: string; stop: string };
  /** The argv prefix that runs a program on node `index`'s host ([] on loopback). */
  runOn(index: number): string[];
  /** Commands (argv) that create the network, in order, and those that remove it again. */
  setupCommands(): string[][];
  teardownCommands(): string[][];
}

/** Quotes `text` as one bash word. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function logLine(leaderLog: string, what: string): string {
  return `echo "$(date -u +%FT%T.%3NZ) ${what} term=$XENON_TERM $XENON_ENDPOINT" >> ${
    shellQuote(leaderLog)
  }`;
}

/** Loopback: the leader commands record the role change instead of moving an address. */
export const loopbackNetwork: SandboxNetwork = {
  kind: "loopback",
  host: () => "127.0.0.1",
  bindAddress: "127.0.0.1",
  ports: (_, free) => ({ mysql: free(), rpc: free(), http: free() }),
  leaderCommands(leaderLog) {
    return {
      start: logLine(leaderLog, "leader-start (VIP would be added here)"),
      stop: logLine(leaderLog, "leader-stop"),
    };
  },
  runOn: () => [],
  setupCommands: () => [],
  teardownCommands: () => [],
};

/** What a namespace network is made of; every name is derived from `tag`. */
export interface NetnsLayout {
  /** Prefix of every namespace and link name (letters and digits, at most 8). */
  tag: string;
  /** The first three octets of the /24, e.g. "10.77.0". */
  subnet: string;
  nodes: number;
}

/** Host numbers inside the /24: the bridge's own leg, the nodes, the VIP, the client. */
const BRIDGE_HOST = 1;
const FIRST_NODE_HOST = 11;
const VIP_HOST = 100;
const CLIENT_HOST = 200;
/** The interface name every namespace sees (the veth's inner end). */
export const NETNS_DEVICE = "eth0";
/**
 * How long duplicate-address detection waits for another host to answer for the VIP. On a LAN an
 * answer takes well under a millisecond (`ip netns exec ... arping -D` answered in 28-40 ms here,
 * process start included, with both cores busy); arping's own wait (whole seconds only) would add
 * a second to every failover, and each 0.1 s here adds to it too.
 */
export const DAD_WAIT_SECONDS = 0.15;
/** The pause between two duplicate-address checks while another host still holds the VIP. */
export const VIP_RETRY_PAUSE_SECONDS = 0.2;
/**
 * How long a new leader keeps checking for the old one to release the VIP before it refuses:
 * longer than an old leader needs to learn of the new term and run its leader-stop-command,
 * shorter than the leader-start-command's 30 s timeout.
 */
export const VIP_CLAIM_WINDOW_MS = 20_000;

/**
 * N hosts (network namespaces) and a client namespace on a bridge with no uplink, the bridge
 * holding `.1` so the machine itself reaches every host; a VIP that the leader commands move.
 */
export class NetnsNetwork implements SandboxNetwork {
  readonly kind = "netns";
  readonly bindAddress = "0.0.0.0";
  readonly bridge: string;
  readonly vip: string;
  readonly client: { namespace: string; address: string; veth: string };

  constructor(readonly layout: NetnsLayout) {
    if (!/^[a-z][a-z0-9]{0,7}$/.test(layout.tag)) {
      throw new XenonError(`netns tag ${JSON.stringify(layout.tag)}: use 1-8 letters/digits`);
    }
    const octets = layout.subnet.split(".").map(Number);
    if (octets.length !== 3 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
      throw new XenonError(`netns subnet ${JSON.stringify(layout.subnet)}: expected e.g. 10.77.0`);
    }
    if (!Number.isInteger(layout.nodes) || layout.nodes < 1 || layout.nodes > 9) {
      throw new XenonError(`netns nodes ${layout.nodes}: expected 1-9`);
    }
    this.bridge = `${layout.tag}br`;
    this.vip = `${layout.subnet}.${VIP_HOST}`;
    this.client = {
      namespace: `${layout.tag}cl`,
      address: `${layout.subnet}.${CLIENT_HOST}`,
      veth: `${layout.tag}vc`,
    };
  }

  /** The namespace of node `index` (0-based). */
  namespace(index: number): string {
    return `${this.layout.tag}n${index + 1}`;
  }

  /** The host-side end of node `index`'s veth, on the bridge: set it down to cut the host off. */
  veth(index: number): string {
    return `${this.layout.tag}v${index + 1}`;
  }

  host(index: number): string {
    return `${this.layout.subnet}.${FIRST_NODE_HOST + index}`;
  }

  runOn(index: number): string[] {
    return ["ip", "netns", "exec", this.namespace(index)];
  }

  /** True if node `index`'s interface holds the VIP now. */
  async holdsVip(index: number): Promise<boolean> {
    const ns = this.namespace(index);
    const shown = await output(["ip", "-n", ns, "-o", "-4", "addr", "show", "dev", NETNS_DEVICE]);
    return shown.includes(` ${this.vip}/`);
  }

  /** Every host has a network stack of its own: the standard ports are free on each. */
  ports(): { mysql: number; rpc: number; http: number } {
    return { mysql: 3306, rpc: 8801, http: 6060 };
  }

  /**
   * Start: duplicate-address detection first, unless the previous leader handed over after its
   * own start took the VIP and its stop removed it again (XENON_HANDED_OVER_BY): it was the holder
   * and holds it no more, and the check's wait would be most of a switchover's write block.
   * Another host answering for the VIP is an old leader that has not released it yet (its
   * leader-stop-command removes it): retry every
   * `VIP_RETRY_PAUSE_SECONDS` for up to `claimWindowMs`, then refuse (exit 1). Once free, add the
   * VIP and announce it with a gratuitous ARP so clients' ARP caches move at once. Already holding
   * it: only announce. One leader-log line per outcome (taken at once, taken after waiting,
   * refused). Stop: reset the TCP connections made to it (`ss -K`), then remove it. A stop cuts a
   * start still retrying short (src/vip).
   */
  leaderCommands(
    leaderLog: string,
    options: { claimWindowMs?: number } = {},
  ): { start: string; stop: string } {
    const vip = shellQuote(this.vip);
    const cidr = shellQuote(`${this.vip}/24`);
    const dev = shellQuote(NETNS_DEVICE);
    const held = `ip -o -4 addr show dev ${dev} | grep -qF ${shellQuote(` ${this.vip}/`)}`;
    // timeout ends arping's one-second wait: exit 124 means nobody answered, 1 that someone did.
    const dad = `timeout ${DAD_WAIT_SECONDS} arping -q -D -c 1 -I ${dev} ${vip}`;
    const windowMs = options.claimWindowMs ?? VIP_CLAIM_WINDOW_MS;
    const attempts = Math.max(
      1,
      Math.ceil(windowMs / 1000 / (DAD_WAIT_SECONDS + VIP_RETRY_PAUSE_SECONDS)),
    );
    const waited = "$(( $(date +%s%3N) - began )) ms";
    const refused =
      `the VIP ${this.vip} still answers from another host (arping -D) after ${waited}`;
    const released = `the VIP ${this.vip} added once the other host released it, after ${waited}`;
    const start = [
      'busy=0; how=""',
      `if ${held}; then :; else`,
      "  began=$(date +%s%3N)",
      '  if [ -n "$XENON_HANDED_OVER_BY" ]; then how=" (no duplicate-address check: handed over ' +
      'by $XENON_HANDED_OVER_BY, which took and released it)"; fi',
      `  while [ -z "$XENON_HANDED_OVER_BY" ] && { ${dad}; [ "$?" = 1 ]; }; do`,
      "    busy=$((busy + 1))",
      `    if [ "$busy" -ge ${attempts} ]; then`,
      `      ${logLine(leaderLog, `leader-start refused: ${refused}`)}`,
      `      echo "${refused}: not taking it" >&2`,
      "      exit 1",
      "    fi",
      `    sleep ${VIP_RETRY_PAUSE_SECONDS}`,
      "  done",
      `  ip addr add ${cidr} dev ${dev} || exit 1`,
      "fi",
      `arping -q -c 1 -A -I ${dev} ${vip} >/dev/null 2>&1 &`,
      `if [ "$busy" = 0 ]; then ${
        logLine(leaderLog, `leader-start VIP ${this.vip} added$how`)
      }; else`,
      `  ${logLine(leaderLog, `leader-start ${released}`)}`,
      `  echo "${released}"`,
      "fi",
    ].join("\n");
    // Connections through the VIP are reset first: once the address is gone this host can no
    // longer answer on them, and each client would wait out its own query timeout instead.
    const stop = [
      `if ${held}; then`,
      `  ss -K src ${vip} >/dev/null 2>&1`,
      `  ip addr del ${cidr} dev ${dev} || exit 1`,
      "fi",
      logLine(leaderLog, `leader-stop VIP ${this.vip} removed`),
    ].join("\n");
    return { start, stop };
  }

  setupCommands(): string[][] {
    const { subnet, nodes } = this.layout;
    const commands: string[][] = [
      ["ip", "link", "add", this.bridge, "type", "bridge"],
      ["ip", "link", "set", this.bridge, "up"],
      ["ip", "addr", "add", `${subnet}.${BRIDGE_HOST}/24`, "dev", this.bridge],
    ];
    const hosts = Array.from({ length: nodes }, (_, i) => ({
      namespace: this.namespace(i),
      address: this.host(i),
      veth: this.veth(i),
    }));
    for (const h of [...hosts, this.client]) {
      commands.push(
        ["ip", "netns", "add", h.namespace],
        [
          "ip",
          "link",
          "add",
          h.veth,
          "type",
          "veth",
          "peer",
          "name",
          NETNS_DEVICE,
          "netns",
          h.namespace,
        ],
        ["ip", "link", "set", h.veth, "master", this.bridge, "up"],
        ["ip", "-n", h.namespace, "link", "set", "lo", "up"],
        ["ip", "-n", h.namespace, "addr", "add", `${h.address}/24`, "dev", NETNS_DEVICE],
        ["ip", "-n", h.namespace, "link", "set", NETNS_DEVICE, "up"],
      );
    }
    return commands;
  }

  /** Deleting a namespace deletes its veth pair; the bridge goes last. */
  teardownCommands(): string[][] {
    const namespaces = Array.from({ length: this.layout.nodes }, (_, i) => this.namespace(i));
    return [
      ...[...namespaces, this.client.namespace].map((ns) => ["ip", "netns", "del", ns]),
      ["ip", "link", "del", this.bridge],
    ];
  }
}

/** Runs argv and returns its standard output; one line naming it when it fails. */
async function output(argv: string[]): Promise<string> {
  const [program, ...args] = argv;
  const out = await new Deno.Command(program, { args, stdin: "null" }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new XenonError(`${argv.join(" ")} exited ${out.code}: ${why}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * A 10.77.N /24 that no interface of this machine uses now, so two networks (a sandbox and a
 * test lab, or two labs) never share addresses.
 */
export async function freeNetnsSubnet(): Promise<string> {
  const used = await output(["ip", "-o", "-4", "addr", "show"]);
  const free = Array.from({ length: 254 }, (_, i) => i + 1)
    .filter((n) => !used.includes(` 10.77.${n}.`));
  if (free.length === 0) throw new XenonError("no free 10.77.N.0/24 left for network namespaces");
  return `10.77.${free[Math.floor(Math.random() * free.length)]}`;
}

/** Creates the network; if a step fails, removes what the earlier steps made. */
export async function createNetwork(network: SandboxNetwork): Promise<void> {
  try {
    for (const argv of network.setupCommands()) await output(argv);
  } catch (error) {
    await removeNetwork(network);
    throw error;
  }
}

/** Removes the network; every step runs even if an earlier one finds nothing to remove. */
export async function removeNetwork(network: SandboxNetwork): Promise<void> {
  for (const argv of network.teardownCommands()) await output(argv).catch(() => {});
}

/** A network for `sandbox up --netns`: names no other network on this machine uses. */
export async function sandboxNetns(nodes: number): Promise<NetnsNetwork> {
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  const raw = crypto.getRandomValues(new Uint8Array(5));
  const tag = "xs" + Array.from(raw, (b) => letters[b % letters.length]).join("");
  return new NetnsNetwork({ tag, subnet: await freeNetnsSubnet(), nodes });
}
