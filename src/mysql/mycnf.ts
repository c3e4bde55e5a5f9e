/**
 * Reading one setting from a my.cnf, for the doctor: is `read_only` set for the server, so that
 * a restarted old primary comes up read-only? `!include` files are not followed.
 */

/** Sections mysqld reads (MariaDB also reads [server], [mariadb] and versioned variants). */
const SERVER_SECTION = /^(mysqld|server|mariadb|mariadbd|mysqld-[\d.]+|mariadb-[\d.]+)$/;

/** The value of `name` (dash or underscore spelling) in the server sections, last one wins. */
export function mycnfValue(text: string, name: string): string | undefined {
  const key = name.replaceAll("-", "_");
  let inServer = false;
  let value: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      inServer = SERVER_SECTION.test(section[1].trim().toLowerCase());
      continue;
    }
    if (!inServer || line === "") continue;
    const eq = line.indexOf("=");
    const k = (eq < 0 ? line : line.slice(0, eq)).trim().replaceAll("-", "_").toLowerCase();
    if (k === key) value = eq < 0 ? "" : line.slice(eq + 1).trim().replace(/^["'](.*)["']$/, "$1");
  }
  return value;
}

/** Whether the file turns `read_only` on for the server (a bare `read_only` counts as on). */
export function mycnfReadOnly(text: string): boolean {
  const value = mycnfValue(text, "read_only");
  if (value === undefined) return false;
  return value === "" || ["1", "on", "true"].includes(value.toLowerCase());
}
