/**
 * Passwords on the command line. The original's interface takes them as arguments, which every
 * local user can read in `ps`; `-` reads the password from standard input instead.
 */
import { UsageError } from "../lib/errors.ts";
import { registerSecret } from "../lib/redact.ts";
import type { CliContext } from "./context.ts";

/** Help text for a password argument or option. */
export const PASSWORD_HELP =
  "the password, or - to read it from stdin (arguments are visible to other users in ps)";

/** The password `value` stands for; registered as a secret so no message ever shows it. */
export async function passwordFrom(
  ctx: CliContext,
  value: string | undefined,
  what: string,
): Promise<string> {
  if (!value) throw new UsageError(`${what} is missing: give it, or - to read it from stdin`);
  const password = value === "-" ? (await ctx.readStdin()).split(/\r?\n/)[0] : value;
  if (!password) {
    throw new UsageError(
      `${what}: standard input is empty; pipe the password in, e.g. from a file`,
    );
  }
  registerSecret(password);
  return password;
}
