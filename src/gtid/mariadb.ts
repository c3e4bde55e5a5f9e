/**
 * MariaDB GTID positions: `domain-server-seq` per replication domain, comma-separated, as
 * `@@gtid_current_pos`, `@@gtid_binlog_pos` and `@@gtid_slave_pos` print them (`0-1-42,1-2-7`;
 * empty text = nothing yet). A position is not a set: it names only the last GTID of each domain.
 *
 * The divergence rule (reliability.md §2.5): with `gtid_strict_mode=ON` seq_no strictly increases
 * per domain, so the same domain and seq_no from two different servers means two histories. A
 * position is ahead only if, in every domain, it is at or after the other on the same history.
 *
 * Limit: from positions alone, `0-1-6` against `0-2-9` reads as "behind", even if server 1 wrote
 * 0-1-6 after server 2 had already taken over at seq 6 (a seq_no clash hidden by later writes).
 * Only the binlogs show that; the replica finds out when the leader refuses it (error 1236).
 */
import { PositionError, quote, shown } from "./errors.ts";
import type { Comparison, PositionComparator } from "./types.ts";

export interface MariadbGtid {
  readonly domain: number;
  readonly server: number;
  readonly seq: bigint;
}

/** One GTID per domain, sorted by domain. Build it with `parseMariadbPosition`. */
export type MariadbPosition = readonly MariadbGtid[];

/** How two positions relate in one domain; a side lacking the domain is `undefined`. */
export interface DomainRelation {
  readonly domain: number;
  readonly a: MariadbGtid | undefined;
  readonly b: MariadbGtid | undefined;
  readonly relation: Comparison;
}

/** A domain in which a replica holds what its leader lacks ("ahead") or has another history. */
export interface ErrantDomain {
  readonly domain: number;
  readonly replica: MariadbGtid;
  readonly leader: MariadbGtid | undefined;
  readonly relation: "ahead" | "diverged";
}

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_SEQ = 2n ** 64n - 1n;
const GTID = /^([0-9]+)-([0-9]+)-([0-9]+)$/;

/** Parses MariaDB's text form; blank text is the empty position. Throws PositionError. */
export function parseMariadbPosition(text: string): MariadbPosition {
  if (text.trim() === "") return [];
  const byDomain = new Map<number, MariadbGtid>();
  for (const entry of text.split(",")) {
    const gtid = parseGtid(entry.trim());
    const earlier = byDomain.get(gtid.domain);
    if (earlier !== undefined) {
      throw new PositionError(
        `malformed MariaDB GTID position ${quote(text.trim())}: domain ${gtid.domain} appears ` +
          `twice (${formatGtid(earlier)} and ${formatGtid(gtid)})`,
      );
    }
    byDomain.set(gtid.domain, gtid);
  }
  return [...byDomain.values()].sort((x, y) => x.domain - y.domain);
}

function parseGtid(entry: string): MariadbGtid {
  const match = GTID.exec(entry);
  if (match === null) {
    throw new PositionError(
      `malformed MariaDB GTID ${quote(entry)}: expected domain-server-seq like 0-1-42`,
    );
  }
  const domain = Number(match[1]);
  const server = Number(match[2]);
  const seq = BigInt(match[3]);
  if (domain > MAX_UINT32 || server > MAX_UINT32 || seq > MAX_SEQ) {
    throw new PositionError(
      `malformed MariaDB GTID ${quote(entry)}: domain and server must be at most ${MAX_UINT32}, ` +
        `seq_no at most ${MAX_SEQ}`,
    );
  }
  return { domain, server, seq };
}

export function formatGtid(gtid: MariadbGtid): string {
  return `${gtid.domain}-${gtid.server}-${gtid.seq}`;
}

/** MariaDB's text form, domains in ascending order; the empty position is "". */
export function formatMariadbPosition(position: MariadbPosition): string {
  return position.map(formatGtid).join(",");
}

/** How `a` relates to `b` in each domain either one names, by ascending domain. */
export function domainRelations(a: MariadbPosition, b: MariadbPosition): DomainRelation[] {
  const domains = [...new Set([...a, ...b].map((gtid) => gtid.domain))].sort((x, y) => x - y);
  return domains.map((domain) => {
    const inA = a.find((gtid) => gtid.domain === domain);
    const inB = b.find((gtid) => gtid.domain === domain);
    return { domain, a: inA, b: inB, relation: compareInDomain(inA, inB) };
  });
}

function compareInDomain(a: MariadbGtid | undefined, b: MariadbGtid | undefined): Comparison {
  if (a === undefined) return b === undefined ? "equal" : "behind";
  if (b === undefined) return "ahead";
  if (a.seq < b.seq) return "behind";
  if (a.seq > b.seq) return "ahead";
  return a.server === b.server ? "equal" : "diverged";
}

/** Equal if equal everywhere; ahead/behind if so in some domains and equal in the rest. */
export function compareMariadbPositions(a: MariadbPosition, b: MariadbPosition): Comparison {
  return combine(domainRelations(a, b));
}

function combine(relations: readonly DomainRelation[]): Comparison {
  const kinds = new Set(relations.map((r) => r.relation).filter((r) => r !== "equal"));
  if (kinds.size === 0) return "equal";
  const [only] = kinds;
  return kinds.size === 1 ? only : "diverged";
}

/**
 * Domains in which the replica has what the leader lacks (or another history): non-empty means
 * the replica must not simply follow this leader. Compare live positions: a leader's position
 * sampled earlier would flag the replica's legitimate later transactions (replication-manager#719).
 */
export function errantDomains(replica: MariadbPosition, leader: MariadbPosition): ErrantDomain[] {
  const errant: ErrantDomain[] = [];
  for (const r of domainRelations(replica, leader)) {
    if ((r.relation === "ahead" || r.relation === "diverged") && r.a !== undefined) {
      errant.push({ domain: r.domain, replica: r.a, leader: r.b, relation: r.relation });
    }
  }
  return errant;
}

export const mariadbComparator: PositionComparator = {
  compare(a, b) {
    return compareMariadbPositions(parseMariadbPosition(a), parseMariadbPosition(b));
  },
  explain(a, b) {
    const [positionA, positionB] = [parseMariadbPosition(a), parseMariadbPosition(b)];
    const relations = domainRelations(positionA, positionB);
    const textA = shown(formatMariadbPosition(positionA));
    const textB = shown(formatMariadbPosition(positionB));
    const comparison = combine(relations);
    if (comparison === "equal") return `${textA} equals ${textB}`;
    if (comparison === "ahead") return `${textA} is ahead of ${textB}`;
    if (comparison === "behind") return `${textA} is behind ${textB}`;
    const clashes = relations.filter((r) => r.relation === "diverged");
    if (clashes.length > 0) {
      return `${textA} and ${textB} diverged ${clashes.map(clash).join("; ")}`;
    }
    const mixed = relations.filter((r) => r.relation !== "equal");
    return `${textA} and ${textB} diverged: ` +
      mixed.map((r) => `${r.relation} in domain ${r.domain}`).join(", ");
  },
};

function clash(r: DomainRelation): string {
  return `in domain ${r.domain} (same seq_no ${r.a?.seq} from servers ${r.a?.server} and ` +
    `${r.b?.server})`;
}
