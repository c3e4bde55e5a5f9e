/** Driving the failover observer by hand: node states, one transition at a time, the records. */
import { mariadbComparator } from "../../src/gtid/mod.ts";
import type { FailoverObserver } from "../../src/node/history.ts";
import type { Observed } from "../../src/node/observer.ts";
import { initialState, raftOptions, type RaftState } from "../../src/raft/mod.ts";
import type { FlightRecorder } from "../../src/recorder/mod.ts";

export const PEERS = ["a:1", "b:1", "c:1"];
const alive = { alive: true, ioRunning: true, sqlRunning: true, position: "0-1-10" };

/** `self` as a follower in term 5 of a 3-voter cluster. */
export function node(self: string): RaftState {
  return {
    ...initialState(raftOptions(self, mariadbComparator)),
    role: "FOLLOWER",
    term: 5,
    peers: PEERS,
    mysql: alive,
  };
}

/** One transition to `before` + `changes` at `now`, shown to the observer. */
export function step(
  o: FailoverObserver,
  before: RaftState,
  changes: Partial<RaftState>,
  now: number,
): RaftState {
  const after = { ...before, ...changes, now };
  const t: Observed = { event: { type: "tick", now }, before, after, effects: [] };
  o.transition(t);
  return after;
}

/** The records once written (the recorder appends asynchronously), within a second. */
export async function recorded(recorder: FlightRecorder) {
  for (let i = 0; i < 100; i++) {
    const r = await recorder.read();
    if (r.length > 0) return r;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  return [];
}

export const leadership = (phase: "catchingUp" | "ready" | "writable", since = 2700) => ({
  since,
  startPosition: "0-1-10",
  acks: {},
  positions: {},
  lastHeartbeatAt: 0,
  phase,
  catchUpDeadline: 0,
  removing: [],
});
