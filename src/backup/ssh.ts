/**
 * The donor's ssh to the receiver, as argv: key auth by default (BatchMode, no prompt), the
 * password only through `sshpass -e` (the SSHPASS environment variable, never argv). Host keys
 * are checked: a new host's key is accepted and remembered on first contact (accept-new), a
 * changed key is refused. The one remote command is the extractor, whose directory and program
 * are checked against a strict pattern and quoted: nothing else reaches the remote shell.
 */
import { XenonError } from "../lib/errors.ts";
import type { StreamTarget } from "../model/mod.ts";

/** The donor's own ssh client settings (its xenon.json). */
export interface SshClientOptions {
  /** `backup.ssh-identity-file`: "" lets ssh use its defaults (~/.ssh/id_*). */
  identityFile: string;
  /** `backup.ssh-known-hosts-file`: "" lets ssh use ~/.ssh/known_hosts. */
  knownHostsFile: string;
  /** Seconds to wait for the connection. */
  connectTimeoutS?: number;
}

/** A program to run: argv plus the environment it needs (the password lives only there). */
export interface Invocation {
  program: string;
  args: string[];
  env?: Record<string, string>;
}

const SAFE_PATH = /^\/[A-Za-z0-9_.\/+-]*$/;
const SAFE_PROGRAM = /^[A-Za-z0-9_.\/+][A-Za-z0-9_.\/+-]*$/;
const SAFE_HOST = /^[A-Za-z0-9_\[][A-Za-z0-9_.:%\[\]-]*$/;
const SAFE_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Refuses (one line) a target whose fields could be anything but a host, a user and a path. */
function checkTarget(t: StreamTarget): void {
  if (!SAFE_HOST.test(t.sshHost)) {
    throw new XenonError(
      `backup.ssh-host ${JSON.stringify(t.sshHost)} is not a host name or address`,
    );
  }
  if (!SAFE_USER.test(t.sshUser)) {
    throw new XenonError(`backup.ssh-user ${JSON.stringify(t.sshUser)} is not a user name`);
  }
  if (!SAFE_PATH.test(t.dir) || t.dir.split("/").includes("..")) {
    throw new XenonError(
      `backup target ${
        JSON.stringify(t.dir)
      }: expected an absolute path of letters, digits and ._/+-`,
    );
  }
  if (!SAFE_PROGRAM.test(t.extractor)) {
    throw new XenonError(`extractor ${JSON.stringify(t.extractor)} is not a program path`);
  }
}

/** `ssh ... user@host <command>`, through `sshpass -e` when the target carries a password. */
export function sshInvocation(t: StreamTarget, o: SshClientOptions, remote: string[]): Invocation {
  checkTarget(t);
  const password = t.sshPasswd ?? "";
  const args = [
    "-p",
    String(t.sshPort),
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    `ConnectTimeout=${o.connectTimeoutS ?? 10}`,
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "ServerAliveCountMax=3",
  ];
  if (o.knownHostsFile) args.push("-o", `UserKnownHostsFile=${o.knownHostsFile}`);
  if (password === "") {
    args.push("-o", "BatchMode=yes");
    if (o.identityFile) args.push("-i", o.identityFile, "-o", "IdentitiesOnly=yes");
  } else {
    args.push("-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password");
  }
  args.push("--", `${t.sshUser}@${t.sshHost}`, ...remote);
  if (password === "") return { program: "ssh", args };
  return { program: "sshpass", args: ["-e", "ssh", ...args], env: { SSHPASS: password } };
}

/** The remote extractor: `<extractor> -x -C '<dir>'` (both checked by checkTarget). */
export function extractCommand(t: StreamTarget): string[] {
  checkTarget(t);
  return [quote(t.extractor), "-x", "-C", quote(t.dir)];
}

/** The remote check: the extractor exists and the directory is there and writable. */
export function probeCommand(t: StreamTarget): string[] {
  checkTarget(t);
  return [
    "command",
    "-v",
    quote(t.extractor),
    ">/dev/null",
    "&&",
    "test",
    "-d",
    quote(t.dir),
    "-a",
    "-w",
    quote(t.dir),
  ];
}

function quote(value: string): string {
  return `'${value}'`;
}
