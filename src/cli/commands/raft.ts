import type { GroupSpec } from "../spec.ts";

/** `xenon raft ...`: this node's part in the election (xenoncli's `raft` commands, all on self). */
export const raftCommands: GroupSpec = {
  name: "raft",
  description: "this node's part in the leader election",
  commands: [
    {
      usage: "enable",
      description: "let this node take part in elections again (leaves IDLE or LEARNER)",
    },
    {
      usage: "disable",
      description: "take this node out of elections (IDLE): it follows but never votes or leads",
    },
    {
      usage: "trytoleader",
      description:
        "planned switchover to this node: it catches up, the old leader fences, then it promotes",
    },
    {
      usage: "add <nodes>",
      description: "add voting members on this node only (comma-separated HOST:PORT)",
    },
    {
      usage: "remove <nodes>",
      description: "remove voting members on this node only (comma-separated HOST:PORT)",
    },
    { usage: "nodes", description: "the members this node knows" },
    { usage: "status", description: "this node's state, its leader and members, as JSON" },
    {
      usage: "enablepurgebinlog",
      description: "let the leader purge binary logs every member has applied (default)",
    },
    { usage: "disablepurgebinlog", description: "stop the leader purging binary logs" },
    {
      usage: "enablechecksemisync",
      description: "let the leader keep semi-sync settings right for the member count (default)",
    },
    { usage: "disablechecksemisync", description: "stop the leader adjusting semi-sync settings" },
  ],
};
