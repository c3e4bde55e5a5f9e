/**
 * `mysql.version`: one rule for the loader, `config check` and the MySQL layer. It names the
 * server family the node expects; the live server's `VERSION()` decides the dialect and the start
 * flags (src/mysql/flavor.ts), and a disagreement is logged at connect.
 */

export type Family = "mariadb" | "mysql57" | "mysql80";

/** The family of a `mysql.version` value (`mysql57`, `mysql80`, `mysql84`, `mariadb…`), or why not. */
export function familyOfVersion(version: string): Family | { problem: string } {
  const v = version.trim().toLowerCase();
  if (v.startsWith("mariadb")) return "mariadb";
  if (v === "mysql57") return "mysql57";
  if (v === "mysql80" || v === "mysql84") return "mysql80";
  if (v === "mysql56") {
    return {
      problem:
        "mysql56 is not supported (MySQL 5.6 has no super_read_only): upgrade, then use mysql57 or mysql80",
    };
  }
  return {
    problem: `${JSON.stringify(version)} is not known: use mariadb, mysql57 or mysql80`,
  };
}

/** The schema's check: a problem phrase, or undefined when the value names a family. */
export function versionProblem(version: string): string | undefined {
  const family = familyOfVersion(version);
  return typeof family === "string" ? undefined : family.problem;
}
