/**
 * What `xenon init` writes into the config: this host's endpoint, the replication user, and the
 * VIP commands the right way round (the original's init swapped add and delete, so a new leader
 * dropped the VIP and a demoted one took it).
 */
import type { XenonConfig } from "../config/mod.ts";
import { UsageError, XenonError } from "../lib/errors.ts";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** Linux interface names: at most 15 characters, none a shell metacharacter. */
const INTERFACE = /^[A-Za-z0-9_.:-]{1,15}$/;

export interface InitOptions {
  address: string;
  port: number;
  /** Needed with `vip`. */
  interface?: string;
  vip?: string;
  replUser?: string;
  replPassword?: string;
}

export function checkIpv4(text: string, option: string): string {
  if (!IPV4.test(text)) throw new UsageError(`${option}: "${text}" is not an IPv4 address`);
  return text;
}

export function checkPort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(`--port: "${text}" is not a port; expected 1-65535, e.g. 8801`);
  }
  return port;
}

export function checkInterface(name: string): string {
  if (!INTERFACE.test(name)) {
    throw new UsageError(`--interface: "${name}" is not a network interface name, e.g. eth0`);
  }
  return name;
}

/**
 * The leader takes the VIP and announces it (gratuitous ARP, so switches learn the new host at
 * once); a demoted leader resets the connections made to it (`ss -K`: once the address is gone
 * the host cannot answer on them, and each client would wait out its own timeout), then drops
 * it. Every value is validated above, so the strings are safe for the shell the daemon runs them
 * with.
 */
export function vipCommands(vip: string, iface: string): { start: string; stop: string } {
  checkIpv4(vip, "--vip");
  checkInterface(iface);
  return {
    start: `ip addr add ${vip}/32 dev ${iface} && arping -c 1 -A -I ${iface} ${vip}`,
    stop: `ss -K src ${vip} >/dev/null 2>&1; ip addr del ${vip}/32 dev ${iface}`,
  };
}

/** The interface holding `address`, from `ip -o -4 addr show` output. */
export function interfaceWithAddress(ipOutput: string, address: string): string | undefined {
  for (const line of ipOutput.split("\n")) {
    const match = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    if (match && match[2] === address) return match[1].split("@")[0];
  }
  return undefined;
}

/** Runs `ip -o -4 addr show` (argv, no shell) and finds the interface holding `address`. */
export async function findInterface(address: string): Promise<string> {
  const hint = "or name it with --interface";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("ip", { args: ["-o", "-4", "addr", "show"] }).output();
  } catch (error) {
    throw new XenonError(`cannot run 'ip -o -4 addr show' (${(error as Error).message}); ${hint}`);
  }
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) throw new XenonError(`'ip -o -4 addr show' failed; ${hint}`);
  const found = interfaceWithAddress(text, address);
  if (!found) {
    throw new XenonError(`no interface of this host has ${address}: is --address right? ${hint}`);
  }
  return checkInterface(found);
}

/** The config with init's values; what changed, for the report (the password masked). */
export function applyInit(
  config: XenonConfig,
  o: InitOptions,
): { config: XenonConfig; changed: Record<string, string> } {
  const next = structuredClone(config);
  const changed: Record<string, string> = {};
  next.server.endpoint = changed["server.endpoint"] = `${o.address}:${o.port}`;
  next.backup.sshHost = changed["backup.ssh-host"] = o.address;
  if (o.replUser !== undefined) next.replication.user = changed["replication.user"] = o.replUser;
  if (o.replPassword !== undefined) {
    next.replication.passwd = o.replPassword;
    changed["replication.passwd"] = "******";
  }
  if (o.vip !== undefined) {
    const { start, stop } = vipCommands(o.vip, o.interface ?? "");
    next.raft.leaderStartCommand = changed["raft.leader-start-command"] = start;
    next.raft.leaderStopCommand = changed["raft.leader-stop-command"] = stop;
  }
  return { config: next, changed };
}
