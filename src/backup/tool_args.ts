/**
 * The backup tool's command lines. The MySQL login goes into a 0600 option file that includes
 * the server's own my.cnf (so datadir, socket and InnoDB settings come from there): no password
 * ever appears in argv.
 */
import { XenonError } from "../lib/errors.ts";
import type { BackupTools } from "../mysql/backup_flavor.ts";

/** What the donor's backup and the receiver's prepare need to know. */
export interface ToolOptions {
  tools: BackupTools;
  /** `backup.xtrabackup-bindir`; "." means "on the PATH". */
  bindir: string;
  /** `backup.backup-parallel`. */
  parallel: number;
  /** `backup.backup-iops-limits` (0 = unthrottled). */
  iopsLimit: number;
  /** `backup.backup-use-memory`, for prepare. */
  useMemory: string;
  /** `backup.compress`. */
  compress: boolean;
}

/** The login the backup tool uses. */
export interface ToolLogin {
  defaultsFile: string;
  host: string;
  port: number;
  user: string;
  password: string;
}

/** `<bindir>/<name>`, or the bare name (PATH) when the bindir is "." or empty. */
export function toolPath(bindir: string, name: string): string {
  const dir = bindir.replace(/\/+$/, "");
  return dir === "" || dir === "." ? name : `${dir}/${name}`;
}

/** The option file text: the server's my.cnf, then the login in the tool's own group. */
export function loginOptionFile(tools: BackupTools, login: ToolLogin): string {
  const values = [login.defaultsFile, login.host, login.user, login.password];
  if (values.some((v) => /[\n\r]/.test(v))) {
    throw new XenonError(
      "mysql admin user, password, host and defaults-file must be one line each",
    );
  }
  const q = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  return `!include ${login.defaultsFile}\n[${tools.optionGroup}]\nhost=${q(login.host)}\n` +
    `port=${login.port}\nuser=${q(login.user)}\npassword=${q(login.password)}\n`;
}

/** `--backup --stream=xbstream` into stdout, with the throttle and parallelism configured. */
export function backupArgs(o: ToolOptions, optionFile: string, scratchDir: string): string[] {
  const args = [
    `--defaults-file=${optionFile}`,
    "--backup",
    "--stream=xbstream",
    `--target-dir=${scratchDir}`,
    `--parallel=${o.parallel}`,
  ];
  if (o.iopsLimit > 0) args.push(`--throttle=${o.iopsLimit}`);
  if (o.compress) args.push(o.tools.compressOption);
  return args;
}

/** `--prepare` of an extracted backup (decompressing it first when it was compressed). */
export function prepareArgs(o: ToolOptions, dir: string): string[][] {
  const steps: string[][] = [];
  if (o.compress) steps.push(["--decompress", "--remove-original", `--target-dir=${dir}`]);
  steps.push(["--prepare", `--use-memory=${o.useMemory}`, `--target-dir=${dir}`]);
  return steps;
}
