/**
 * Election RPC between simulated hosts over the world's network (cut links, drops, duplicates,
 * delays): a call reaches the peer's agent as the daemon's RPC handler takes it (the sender's
 * MySQL address learned, then the message queued) and answers; otherwise it fails after the
 * RPC timeout. Both ends run only while their agent process does.
 */
import { RAFT_MESSAGE_METHOD, type RaftEnvelope } from "../../model/mod.ts";
import type { PeerOutcome, PeerTransport } from "../../ports/mod.ts";
import type { Message } from "../../raft/mod.ts";
import type { AgentProcess } from "../agent.ts";
import type { SimNode } from "../sim_node.ts";
import type { World } from "../world.ts";

export class SimTransport implements PeerTransport {
  constructor(
    private readonly w: World,
    private readonly n: SimNode,
    private readonly proc: AgentProcess,
  ) {}

  call<Res = unknown>(
    endpoint: string,
    method: string,
    request: unknown,
    options: { timeoutMs: number },
  ): Promise<Res> {
    const w = this.w;
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    let settled = false;
    /** The first of the answer and the timeout counts, once the caller runs to hear it. */
    const settle = (outcome: () => void) =>
      this.proc.run(() => {
        if (settled) return;
        settled = true;
        outcome();
      });
    const answer = () => settle(() => resolve(null as Res));
    const timeout = () =>
      w.later(
        options.timeoutMs / this.n.rate,
        () => settle(() => reject(new Error(`${endpoint}: request timed out`))),
      );
    const to = w.node(endpoint);
    if (method !== RAFT_MESSAGE_METHOD || to === undefined) {
      timeout();
      return promise;
    }
    const envelope = request as RaftEnvelope<Message>;
    w.inv.sending(envelope.message);
    w.onSend?.(this.n, envelope.message);
    const delays = w.net.canSend(this.n.id, to.id) ? w.net.delays() : [];
    if (delays.length === 0) timeout();
    for (const delay of delays) {
      w.later(delay, () => {
        const target = to.proc;
        if (target === null || target.status === "dead") return void timeout();
        // A paused peer reads the request once it runs again, after the caller gave up.
        if (target.status === "paused") timeout();
        target.run(() => {
          target.node.peers.learn(this.n.id, envelope.mysql);
          target.node.receive({ type: "message", message: envelope.message });
          answer();
        });
      });
    }
    return promise;
  }

  callAll<Res = unknown>(
    endpoints: readonly string[],
    method: string,
    request: unknown,
    options: { timeoutMs: number },
  ): Promise<PeerOutcome<Res>[]> {
    return Promise.all(
      endpoints.map((endpoint) =>
        this.call<Res>(endpoint, method, request, options).then(
          (result): PeerOutcome<Res> => ({ endpoint, ok: true, result }),
          (error): PeerOutcome<Res> => ({ endpoint, ok: false, error }),
        )
      ),
    );
  }
}
