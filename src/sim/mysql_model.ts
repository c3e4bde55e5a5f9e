/**
 * One node's MariaDB as the simulator sees it: a binlog of GTIDs (single domain 0), a relay
 * backlog, read_only, the IO and SQL threads, and semi-sync commits that complete once
 * `waitCount` replicas have received them (AFTER_SYNC, infinite timeout).
 */

export interface Txn {
  /** Globally unique id: the identity of a transaction, whatever its GTID. */
  readonly id: number;
  readonly gtid: string;
}

export interface PendingCommit {
  readonly txn: Txn;
  readonly acks: Set<string>;
  /** False once the client's connection was killed: the commit may land, but nobody was told. */
  clientWaiting: boolean;
}

export class MysqlModel {
  alive = true;
  readOnly = true;
  history: Txn[] = [];
  ids = new Set<number>();
  /** How many of `history` the SQL thread has applied. */
  applied = 0;
  ioRunning = false;
  ioError: string | null = null;
  sqlRunning = true;
  master: string | null = null;
  /** As a primary: the only hosts whose binlog dump threads are allowed (null: anyone). */
  allowedReplicas: Set<string> | null = null;
  /** rpl_semi_sync_slave_enabled: whether this replica's receipts count as acks. */
  semiSyncAck = false;
  waitCount = 0;
  pending: PendingCommit[] = [];
  /** Transactions applied per replication pump by the SQL thread (a slow replica has 1). */
  applyRate: number;

  constructor(readonly serverId: number, applyRate: number) {
    this.applyRate = applyRate;
  }

  position(): string {
    const last = this.history[this.history.length - 1];
    return last === undefined ? "" : last.gtid;
  }

  lastSeq(): number {
    const last = this.history[this.history.length - 1];
    return last === undefined ? 0 : Number(last.gtid.split("-")[2]);
  }

  /** A local write (client or errant): appended, applied, waiting for acks. */
  write(id: number): Txn {
    const txn = { id, gtid: `0-${this.serverId}-${this.lastSeq() + 1}` };
    this.append(txn);
    this.applied = this.history.length;
    return txn;
  }

  append(txn: Txn): void {
    this.history.push(txn);
    this.ids.add(txn.id);
  }

  /** My history is a prefix of the master's (same transactions in the same order). */
  isPrefixOf(master: MysqlModel): boolean {
    const n = this.history.length;
    if (n > master.history.length) return false;
    return n === 0 || master.history[n - 1].id === this.history[n - 1].id;
  }

  replaceHistory(history: readonly Txn[]): void {
    this.history = [...history];
    this.ids = new Set(history.map((t) => t.id));
    this.applied = this.history.length;
    this.pending = [];
  }

  /** relay_log_recovery=ON at a restart: received transactions not yet applied are dropped. */
  discardRelayLog(): void {
    const kept = this.history.slice(0, this.applied);
    const pending = this.pending;
    this.replaceHistory(kept);
    this.pending = pending.filter((p) => this.ids.has(p.txn.id));
  }

  /** Crash recovery with `--init-rpl-role=SLAVE`: unacknowledged binlog tail truncated. */
  truncateUnacknowledged(): void {
    const drop = new Set(this.pending.map((p) => p.txn.id));
    if (drop.size > 0) this.replaceHistory(this.history.filter((t) => !drop.has(t.id)));
    this.pending = [];
  }
}
