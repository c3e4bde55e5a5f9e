/**
 * The backup and rebuild methods (src/model/backup.ts) with their request validators, served by
 * the daemon in its normal mode and in its rebuild-only mode alike.
 */
import type { MethodName, RequestOf, ResultOf } from "../model/mod.ts";
import { type CallContext, v, type Validator } from "../rpc/mod.ts";
import type { DonorStream } from "./donor_stream.ts";
import type { Rebuilder } from "./rebuild.ts";

export interface BackupMethod {
  name: MethodName;
  validate: Validator<unknown>;
  handler: (request: unknown, context: CallContext) => unknown;
  /** Streaming to an ssh target is asked by a member only, never by the CLI. */
  callers: "peers" | "peers-and-cli";
}

const empty: Validator<Record<string, never>> = (value, path) =>
  v.object({})(value ?? {}, path) as Record<string, never>;
const target = v.object({
  sshHost: v.string(),
  sshUser: v.string(),
  sshPort: v.count(),
  sshPasswd: v.optional(v.string()),
  dir: v.string(),
  extractor: v.string(),
});

export function backupMethods(d: { donor: DonorStream; rebuilder: Rebuilder }): BackupMethod[] {
  const methods: BackupMethod[] = [];
  const method = <M extends MethodName>(
    name: M,
    validate: Validator<RequestOf<M>>,
    handler: (request: RequestOf<M>) => Promise<ResultOf<M>> | ResultOf<M>,
    callers: BackupMethod["callers"] = "peers-and-cli",
  ) => methods.push({ name, validate, handler: handler as BackupMethod["handler"], callers });

  method(
    "BackupRPC.DoBackup",
    v.object({ target, iopsLimit: v.count(), jobId: v.string() }),
    (r) => d.donor.start(r),
    "peers",
  );
  method("BackupRPC.Status", empty, () => {
    const s = d.donor.status();
    // A node that is rebuilding is no donor either.
    return d.rebuilder.running && d.rebuilder.status().kind === "rebuild" && s.state === "NONE"
      ? { ...s, state: "REBUILDING" }
      : s;
  });
  method("BackupRPC.Check", v.object({ target }), (r) => d.donor.check(r.target), "peers");
  // Here, the stream runs where the backup is taken; a node receiving one asks its donor.
  method("BackupRPC.CancelBackup", empty, async () => {
    if (d.donor.running) return await d.donor.cancel();
    return await d.rebuilder.cancel();
  });
  method(
    "RebuildRPC.Start",
    v.object({
      from: v.optional(v.string()),
      force: v.optional(v.boolean()),
      to: v.optional(v.string()),
      initConfig: v.optional(v.boolean()),
    }),
    (r) => d.rebuilder.start(r),
  );
  method("RebuildRPC.Status", empty, () => d.rebuilder.status());
  return methods;
}
