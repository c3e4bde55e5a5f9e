/**
 * Before the sandbox touches anything: it must run as root (mysqld_safe runs mariadbd as root in
 * the sandbox's root-owned directories) and MariaDB's programs must be installed. Whatever is
 * wrong is said in one line, with the command that fixes it.
 */
import { XenonError } from "../lib/errors.ts";

/** What the preflight asks of the machine; tests inject their own. */
export interface Host {
  /** The effective user id (null where unknown, e.g. not Linux). */
  uid(): number | null;
  /** The absolute path of an executable `program`, or undefined when it is not installed. */
  which(program: string): string | undefined;
}

/** The MariaDB programs the sandbox and its agents run. */
export const REQUIRED_PROGRAMS = [
  "mariadbd",
  "mariadb-install-db",
  "mysqld_safe",
  "mysqladmin",
] as const;

/** Where MariaDB's programs were found. */
export interface Tools {
  /** `mysql.basedir` of the agents: `<basedir>/bin/mysqld_safe` and `bin/mysqladmin` exist. */
  basedir: string;
}

const INSTALL =
  "bash scripts/setup.sh --system (or apt-get install -y mariadb-server mariadb-backup)";

/** Checks root and the programs; throws one line naming what is missing and how to fix it. */
export function preflight(host: Host = systemHost): Tools {
  const missing = REQUIRED_PROGRAMS.filter((p) => host.which(p) === undefined);
  const root = host.uid() === 0;
  if (!root && missing.length > 0) {
    throw new XenonError(
      `sandbox needs root and MariaDB (missing: ${missing.join(", ")}): as root, run ${INSTALL}`,
    );
  }
  if (!root) {
    throw new XenonError(
      "sandbox must run as root (its mysqld_safe runs mariadbd as root): run it as root, " +
        "e.g. sudo bin/xenon sandbox up",
    );
  }
  if (missing.length > 0) {
    throw new XenonError(
      `MariaDB is not installed (missing: ${missing.join(", ")}): run ${INSTALL}`,
    );
  }
  const safe = host.which("mysqld_safe")!;
  const basedir = safe.slice(0, safe.lastIndexOf("/bin/mysqld_safe"));
  if (
    !safe.endsWith("/bin/mysqld_safe") || host.which("mysqladmin") !== `${basedir}/bin/mysqladmin`
  ) {
    throw new XenonError(
      `mysqld_safe (${safe}) and mysqladmin must be in the same <basedir>/bin: reinstall ${INSTALL}`,
    );
  }
  return { basedir: basedir || "/" };
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The real machine: PATH plus the sbin directories a non-root PATH often lacks. */
export const systemHost: Host = {
  uid: () => Deno.uid(),
  which(program) {
    const path = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d.startsWith("/"));
    for (const dir of [...path, "/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
      if (isExecutable(`${dir}/${program}`)) return `${dir}/${program}`;
    }
    return undefined;
  },
};
