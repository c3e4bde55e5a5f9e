/**
 * One node's MariaDB as the simulator sees it: a binlog of GTIDs (single domain 0), a relay
 * backlog, read_only, the IO and SQL threads, and semi-sync commits that complete once
 * `waitCount` replicas have received them (AFTER_SYNC, infinite timeout), in group commits.
 * Where safety lives it behaves as MariaDB 10.11 does: killing a session that waits for an
 * acknowledgement returns OK to the rest of its group, turning semi-sync off releases every
 * waiter, READ ONLY ADMIN writes through read_only, a power loss keeps only what
 * `sync_binlog` and `innodb_flush_log_at_trx_commit` made durable, and a restart with
 * `--init-rpl-role=SLAVE` truncates from the first transaction InnoDB had not committed, which at
 * innodb_flush_log_at_trx_commit=1 can be one that returned: with a binlog, InnoDB writes a commit
 * record only at the next prepare or its once-a-second flush (at 3, before the commit returns).
 */

export interface Txn {
  /** Globally unique id: the identity of a transaction, whatever its GTID. */
  readonly id: number;
  readonly gtid: string;
}

export interface PendingCommit {
  readonly txn: Txn;
  readonly acks: Set<string>;
  /** The binlog group commit it is part of (one leader waits for the whole group). */
  readonly group: number;
  /** False once the client's connection was killed: the commit may land, but nobody was told. */
  clientWaiting: boolean;
}

/** How durable a commit is at the moment it returns (power loss keeps only the synced part). */
export interface Durability {
  /** sync_binlog: 1 fsyncs the binlog at each commit, 0 leaves it to the OS. */
  readonly syncBinlog: 0 | 1;
  /**
   * innodb_flush_log_at_trx_commit: 1 flushes the redo log at each prepare (the binlog recovers a
   * commit), 3 at each commit too, 2 writes at commit and flushes once a second, 0 does both once
   * a second.
   */
  readonly flushAtCommit: 0 | 1 | 2 | 3;
}

export const FULLY_DURABLE: Durability = { syncBinlog: 1, flushAtCommit: 1 };

export class MysqlModel {
  alive = true;
  /** SIGSTOPped: statements hang, no replication, no acknowledgements, until resumed. */
  paused = false;
  readOnly = true;
  history: Txn[] = [];
  ids = new Set<number>();
  /** Where each transaction is in `history`: a read sees it once the SQL thread applied it. */
  #index = new Map<number, number>();
  /** Bumped whenever `history` is replaced: what a reader saw before may be gone. */
  generation = 0;
  /** How many of `history` the SQL thread has applied. */
  applied = 0;
  /** How many of `history` survive a power loss (fsynced binlog and redo log). */
  durable = 0;
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
  /** An account with READ ONLY ADMIN writes here (the harness enables it). */
  readOnlyAdmin = false;
  /** As the sysvar profiles set it: the replica's until a promote applies the master's. */
  durability: Durability;
  #nextGroup = 1;
  /** Commits that returned (or whose client was killed) with InnoDB's commit record unwritten. */
  #engineUnwritten = new Set<number>();

  constructor(
    readonly serverId: number,
    applyRate: number,
    /** What slave-sysvars set on this host (master-sysvars always set 1/1, as xenon requires). */
    readonly replicaDurability: Durability = FULLY_DURABLE,
  ) {
    this.applyRate = applyRate;
    this.durability = replicaDurability;
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

  /**
   * Client writes committed together (binlog group commit), waiting for acknowledgements; null
   * when read_only refuses them (an account with READ ONLY ADMIN is not refused).
   */
  commitGroup(ids: readonly number[], opts: { admin?: boolean } = {}): PendingCommit[] | null {
    if (this.readOnly && !(opts.admin && this.readOnlyAdmin)) return null;
    // The prepare writes the redo log, with the commit records of earlier groups in it.
    if (this.durability.flushAtCommit !== 0) this.#engineUnwritten.clear();
    const group = this.#nextGroup++;
    return ids.map((id) => {
      const p = { txn: this.write(id), acks: new Set<string>(), group, clientWaiting: true };
      this.pending.push(p);
      return p;
    });
  }

  append(txn: Txn): void {
    this.#index.set(txn.id, this.history.length);
    this.history.push(txn);
    this.ids.add(txn.id);
    if (this.#syncsAtCommit()) this.durable = this.history.length;
  }

  /** A read sees `id`: received and applied by the SQL thread (or written here). */
  sees(id: number): boolean {
    const i = this.#index.get(id);
    return i !== undefined && i < this.applied;
  }

  /** SET GLOBAL of a sysvar profile: only the durability variables matter here. */
  applySysvars(profile: string): void {
    const values = new Map(
      profile.split(";").map((item) => item.split("=").map((s) => s.trim()) as [string, string]),
    );
    const syncBinlog = Number(values.get("sync_binlog") ?? this.durability.syncBinlog);
    const flush = Number(
      values.get("innodb_flush_log_at_trx_commit") ?? this.durability.flushAtCommit,
    );
    this.durability = {
      syncBinlog: syncBinlog === 1 ? 1 : 0,
      flushAtCommit: flush === 1 || flush === 2 || flush === 3 ? flush : 0,
    };
    if (this.#syncsAtCommit()) this.sync();
  }

  /** The binlog and redo log reach the disk (the OS's writeback, the once-a-second flush). */
  sync(): void {
    this.durable = this.history.length;
    this.#engineUnwritten.clear();
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
    this.#index = new Map(history.map((t, i) => [t.id, i]));
    this.generation++;
    this.applied = this.history.length;
    this.durable = this.history.length;
    this.pending = [];
    for (const id of this.#engineUnwritten) if (!this.ids.has(id)) this.#engineUnwritten.delete(id);
  }

  /** Commits whose acknowledgements reached the wait count return: they leave `pending`. */
  releaseAcknowledged(): PendingCommit[] {
    const done = this.pending.filter((p) => p.acks.size >= this.waitCount);
    if (done.length > 0) this.pending = this.pending.filter((p) => p.acks.size < this.waitCount);
    return this.#committed(done);
  }

  /**
   * rpl_semi_sync_master_enabled OFF (wait count 0) or a new wait count: with none, every
   * waiting commit returns OK to its client at once, acknowledged by nobody.
   */
  setWaitCount(count: number): PendingCommit[] {
    this.waitCount = count;
    return this.releaseAcknowledged();
  }

  /**
   * KILL of the session whose commit `txnId` waits for an acknowledgement: its client gets an
   * error, but the commit stays in the binlog (it replicates later); the group commit's leader
   * stops waiting for the whole group, so every other session of the group gets OK. Returns
   * those (acknowledged by no replica).
   */
  killWaitingSession(txnId: number): PendingCommit[] {
    const killed = this.pending.find((p) => p.txn.id === txnId);
    if (killed === undefined) return [];
    killed.clientWaiting = false;
    const group = this.pending.filter((p) => p.group === killed.group);
    this.pending = this.pending.filter((p) => p.group !== killed.group);
    return this.#committed(group).filter((p) => p !== killed);
  }

  /** relay_log_recovery=ON at a restart: received transactions not yet applied are dropped. */
  discardRelayLog(): void {
    const kept = this.history.slice(0, this.applied);
    const pending = this.pending;
    this.replaceHistory(kept);
    this.pending = pending.filter((p) => this.ids.has(p.txn.id));
  }

  /**
   * Crash recovery with `--init-rpl-role=SLAVE`: every transaction InnoDB had not committed (still
   * waiting for acks, or returned with its commit record unwritten) is rolled back, and the binlog
   * truncated from the first of them.
   */
  truncateUncommitted(): void {
    const waiting = new Set(this.pending.map((p) => p.txn.id));
    const first = this.history.findIndex((t) =>
      waiting.has(t.id) || this.#engineUnwritten.has(t.id)
    );
    if (first >= 0) this.replaceHistory(this.history.slice(0, first));
    this.pending = [];
  }

  /**
   * Power loss: mysqld dies and what was not on disk is gone: the binlog tail past the last
   * fsync, and with it what the SQL thread had applied there. (With the redo log flushed less
   * often than the binlog, InnoDB may lose commits its binlog kept: the model keeps the
   * shorter of the two, as a replica rebuilt from this binlog would see.) Returns how many.
   */
  losePower(): number {
    this.alive = false;
    this.paused = false;
    const lost = this.history.length - this.durable;
    if (lost > 0) {
      const applied = Math.min(this.applied, this.durable);
      const pending = this.pending;
      this.replaceHistory(this.history.slice(0, this.durable));
      this.applied = applied;
      this.pending = pending.filter((p) => this.ids.has(p.txn.id));
    }
    return lost;
  }

  /** Commits the engine carries out: at 0 and 1 (with a binlog) their record waits in memory. */
  #committed(done: PendingCommit[]): PendingCommit[] {
    const flush = this.durability.flushAtCommit;
    if (flush === 0 || flush === 1) { for (const p of done) this.#engineUnwritten.add(p.txn.id); }
    return done;
  }

  #syncsAtCommit(): boolean {
    const flush = this.durability.flushAtCommit;
    return this.durability.syncBinlog === 1 && (flush === 1 || flush === 3);
  }
}
