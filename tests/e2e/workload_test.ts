/**
 * The split-brain check of the e2e workload, on made-up probe rounds: it must find the old
 * leader's late write, and must fail, not pass, when it has nothing to compare.
 */
import assert from "node:assert/strict";
import { Prober, type ProbeWrite } from "./_workload.ts";

const OLD = 1;
const NEW = 2;

function proberWith(writes: ProbeWrite[]): Prober {
  const prober = new Prober(() => []);
  for (const w of writes) {
    prober.rounds.push({ at: w.sentAt, writes: [w], wrote: [w.node], readWrite: [w.node] });
  }
  return prober;
}

Deno.test("split-brain check: the old leader writing after the new one is found", () => {
  const late = { id: 3, node: OLD, sentAt: 30, ackedAt: 31 };
  const prober = proberWith([
    { id: 1, node: OLD, sentAt: 10, ackedAt: 11 },
    { id: 2, node: NEW, sentAt: 20, ackedAt: 21 },
    late,
  ]);
  assert.deepEqual(prober.writesAfterHandover(OLD, NEW), [late]);
  assert.equal(prober.firstWriteAt(NEW), 21);
});

Deno.test("split-brain check: an orderly hand-over has no late write", () => {
  const prober = proberWith([
    { id: 1, node: OLD, sentAt: 10, ackedAt: 11 },
    { id: 2, node: NEW, sentAt: 20, ackedAt: 21 },
  ]);
  assert.deepEqual(prober.writesAfterHandover(OLD, NEW), []);
});

Deno.test("split-brain check: no probe write on the new leader fails instead of passing", () => {
  // The old leader kept accepting writes, but the prober never wrote on the new leader: with
  // Math.min() of nothing (Infinity) this returned [] and the scenario passed.
  const prober = proberWith([
    { id: 1, node: OLD, sentAt: 10, ackedAt: 11 },
    { id: 2, node: OLD, sentAt: 30, ackedAt: 31 },
  ]);
  assert.throws(() => prober.writesAfterHandover(OLD, NEW), /never wrote on server 2/);
});
