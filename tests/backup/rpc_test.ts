/** Who may call the backup methods: streaming a database to an ssh target is never the CLI's. */
import assert from "node:assert/strict";
import { backupMethods } from "../../src/backup/rpc.ts";
import type { DonorStream, Rebuilder } from "../../src/backup/mod.ts";

Deno.test("backup RPC: only members may ask a donor to stream or probe an ssh target", () => {
  const methods = backupMethods({ donor: {} as DonorStream, rebuilder: {} as Rebuilder });
  const callers = Object.fromEntries(methods.map((m) => [m.name, m.callers]));
  assert.deepEqual(callers, {
    "BackupRPC.DoBackup": "peers",
    "BackupRPC.Check": "peers",
    "BackupRPC.Status": "peers-and-cli",
    "BackupRPC.CancelBackup": "peers-and-cli",
    "RebuildRPC.Start": "peers-and-cli",
    "RebuildRPC.Status": "peers-and-cli",
  });
});
