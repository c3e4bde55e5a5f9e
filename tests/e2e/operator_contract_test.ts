/**
 * The Kubernetes operator's contract (radondb-mysql-kubernetes), against a live cluster of real
 * mariadbd and real xenon daemons on loopback, configured as the operator's sidecar configures
 * them: xenon.json from sidecar/config.go (empty root password, its timers from the CRD defaults
 * electionTimeout 10000 / admitDefeatHearbeatCount 5, monitor-disabled, semi-sync-degrade and
 * the other extra keys), peers.json from the operator's config map (`"idlepeers":null`), the
 * daemon started as `xenon -c FILE`, the CLI found through config.path as `xenoncli`. Only the
 * leader commands differ: the operator image's /xenonchecker does not exist here.
 */
import assert from "node:assert/strict";
import { waitFor } from "./_cluster.ts";
import { podExecFailure, reconcileXenon } from "../operator/_operator_client.ts";
import { OperatorCluster, SWITCH_MS } from "../operator/_operator_cluster.ts";

Deno.test("operator contract: status, probes, trytoleader on a follower, scale-out and scale-in called on a follower first", async () => {
  await using cluster = new OperatorCluster();
  const http = cluster.http;
  const firstThree = () => cluster.pods.slice(0, 3).map((p) => p.endpoint);
  await cluster.addPods(3, firstThree);
  let leader = await cluster.waitForLeader();

  // Probes and the status syncer: every pod answers root with the CRD's empty password.
  for (const pod of cluster.pods) {
    await http.ping(pod.peerAddress);
    const status = await http.raftStatus(pod.peerAddress);
    assert.deepEqual([...status.nodes].sort(), [...firstThree()].sort());
    assert.equal(status.leader, leader.endpoint);
    await cluster.podExec(pod, "xenon", "ping");
    const cli = JSON.parse(await cluster.podExec(pod, "raft", "status"));
    assert.equal(cli.state, pod === leader ? "LEADER" : "FOLLOWER");
    // The sidecar's post-start errant-GTID check (cmd/xenon/main.go) parses this.
    const gtid = JSON.parse(await cluster.podExec(pod, "cluster", "gtid", "json"));
    assert.equal(gtid.gtid.length, 3);
  }
  const wrong = await fetch(`http://${leader.peerAddress}/v1/xenon/ping`, {
    headers: { authorization: `Basic ${btoa("root:not-the-password")}` },
  });
  assert.equal(wrong.status, 401, "only the configured (empty) password is accepted");
  await wrong.body?.cancel();

  // TryLeader (status.go) on a follower that is not pod 0, so pod 0 is a follower afterwards.
  const target = cluster.pods.slice(1, 3).find((p) => p !== leader)!;
  await cluster.podExec(target, "raft", "disablechecksemisync");
  const asked = await cluster.podExec(target, "raft", "trytoleader");
  assert.match(asked, /hand over|campaign/, asked);
  leader = await cluster.waitForLeader(SWITCH_MS, target);
  assert.notEqual(cluster.pods[0], leader);

  // Scale-out 3 -> 4 (the CRD allows 5, but 5 voters need semi-sync acks from 2 replicas, which
  // MariaDB cannot wait for, so the leader refuses a fifth MariaDB voter; the operator ships
  // MySQL): the new pod's peers.json lists all four; the operator reconciles every
  // pod in ordinal order, pod 0 (a follower) first.
  const all = () => cluster.pods.map((p) => p.endpoint);
  const added = await cluster.addPods(1, all);
  for (const pod of added) {
    await waitFor(`pod${pod.index} readiness (xenoncli xenon ping)`, async () => {
      const r = await cluster.exec(pod, "xenon", "ping");
      return podExecFailure(["xenoncli", "xenon", "ping"], r) === undefined ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, explain: () => cluster.logTail(pod) });
  }
  http.calls.length = 0;
  await reconcileXenon(http, cluster.pods, all());
  const first = http.calls.find((c) => c.url.endsWith("/v1/cluster/add"));
  assert.ok(
    first?.url.startsWith(`http://${cluster.pods[0].peerAddress}/`),
    "pod 0 was asked first",
  );
  await cluster.waitForMembers(all());
  http.calls.length = 0;
  await reconcileXenon(http, cluster.pods, all());
  assert.ok(
    !http.calls.some((c) => c.url.includes("/v1/cluster/")),
    "a second pass changes nothing",
  );
  await cluster.waitForLeader(SWITCH_MS, leader);
  await leader.instance.query("CREATE DATABASE operator_contract");
  for (const pod of added) {
    await waitFor(`pod${pod.index} to replicate from the leader`, async () => {
      const rows = await pod.instance.query("SHOW DATABASES LIKE 'operator_contract'");
      return rows.length === 1 ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, explain: () => cluster.logTail(pod) });
  }

  // Scale-in 4 -> 3: the StatefulSet deletes pod 3; then the operator reconciles the rest,
  // pod 0 (a follower) first.
  for (const pod of added.toReversed()) {
    await pod.agent.stop();
    await pod.instance.stop();
  }
  http.calls.length = 0;
  await reconcileXenon(http, cluster.running(), firstThree());
  const removal = http.calls.find((c) => c.url.endsWith("/v1/cluster/remove"));
  assert.ok(removal?.url.startsWith(`http://${cluster.pods[0].peerAddress}/`));
  await cluster.waitForMembers(firstThree());
  await cluster.waitForLeader(SWITCH_MS, leader);

  // The executor's HTTP RaftTryToLeader (POST /v1/raft/trytoleader, empty body) on pod 0: it
  // answers within the operator's 5 s deadline, and pod 0 then leads.
  await http.raftTryToLeader(cluster.pods[0].peerAddress);
  await cluster.waitForLeader(SWITCH_MS, cluster.pods[0]);
});
