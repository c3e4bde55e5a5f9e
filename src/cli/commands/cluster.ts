import type { GroupSpec } from "../spec.ts";

const NODES = "comma-separated HOST:PORT endpoints, e.g. 10.0.0.12:8801,10.0.0.13:8801";

/** `xenon cluster ...`: the cluster-wide views and membership (xenoncli's `cluster` commands). */
export const clusterCommands: GroupSpec = {
  name: "cluster",
  description: "cluster membership and cluster-wide views, gathered from every node",
  commands: [
    { usage: "add <nodes>", description: `add voting members, through the leader (${NODES})` },
    {
      usage: "addidle <nodes>",
      description: `add idle members: they follow but never vote (${NODES})`,
    },
    {
      usage: "remove <nodes>",
      description: `remove voting members, through the leader (${NODES})`,
    },
    {
      usage: "removeidle <nodes>",
      description: `remove idle members, through the leader (${NODES})`,
    },
    {
      usage: "status [json]",
      description: "every node's raft state, mysqld, monitor, backup, MySQL and replication",
    },
    { usage: "raft", description: "every node's raft counters" },
    { usage: "mysql", description: "every node's replication status" },
    { usage: "gtid [json]", description: "every node's GTID position, the leader last" },
    { usage: "xenon", description: "every node's xenon settings and uptime" },
    {
      usage: "log",
      description: "merge the xenon logs of every node into cluster.logs/cluster.log",
      options: [
        {
          flags: "--logdir <dir>",
          description: "where each node keeps xenon.log",
          defaultValue: "/data/log",
        },
        {
          flags: "--start-datetime <time>",
          description: "first timestamp to keep (YYYY/MM/DD HH:MM:SS)",
        },
        {
          flags: "--stop-datetime <time>",
          description: "last timestamp to keep (YYYY/MM/DD HH:MM:SS)",
        },
      ],
    },
  ],
};
