/**
 * The embedded store: one SQLite file through better-sqlite3 (synchronous; each method does
 * its work and resolves). WAL journal with synchronous=FULL: a committed insert has been
 * fsynced to the WAL before `insert` resolves, so an acknowledged event survives kill -9
 * and power loss; readers in other processes do not block the writer.
 *
 * Events are kept in compressed blocks with posting lists (schema.ts, block.ts,
 * postings.ts): sqlite-write.ts inserts, scan.ts and sqlite-query.ts answer,
 * sqlite-retention.ts deletes, sqlite-upgrade.ts moves a version 1 file's rows into blocks.
 */
import Database from 'better-sqlite3';
import { memoizeString } from '../model/memo.js';
import { META_DDL, pendingMigrations } from './schema.js';
import { alertQuerySql, alertsByRuleSql, mapAlertRow, mapCounts, runRetention, type Sql } from './sql.js';
import { checkByteOrder } from './block.js';
import { BlockSource } from './scan.js';
import { Dict, Sets } from './sqlite-dict.js';
import { queryEvents, summary, whoTouched } from './sqlite-query.js';
import { BlockRetention } from './sqlite-retention.js';
import { hasV1Events, nextV1Batch } from './sqlite-upgrade.js';
import { BlockWriter } from './sqlite-write.js';
import type {
  AlertQuery,
  EventQuery,
  IngestItem,
  InsertResult,
  RetentionPolicy,
  Store,
  StoredAlert,
  StoredEvent,
  StoreStats,
  Summary,
  SummaryQuery,
  WhoTouchedQuery,
} from './types.js';

export interface SqliteOptions {
  /** Page cache in MiB (default 256; memory is taken only as pages are used). */
  cacheMiB?: number;
  /** Memory-mapped reads, MiB (default 0: off; reads through the page cache measured as fast). */
  mmapMiB?: number;
  /**
   * 'FULL' (default) fsyncs the WAL on every commit: what the ingest path needs. 'NORMAL'
   * may lose the last transactions on power loss (never corrupts): for bulk loads only.
   */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /**
   * WAL pages after which a commit copies the WAL into the database (default 10000). Index
   * pages rewritten by every batch are copied once per checkpoint, so fewer checkpoints write
   * less: at 10 M events, 6.6 KiB per event instead of 8.7 with SQLite's default of 1000.
   */
  walAutocheckpoint?: number;
  /** Page size of a new database file, bytes (default 16384: fewer, larger WAL writes per batch measured fastest; an existing file keeps its own). */
  pageSize?: number;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private closed = false;
  private readonly dict: Dict;
  private readonly sets: Sets;
  private readonly src: BlockSource;
  private readonly writer: BlockWriter;
  private readonly retention: BlockRetention;
  private readonly stagesOf: Database.Statement;
  private readonly insertTx: Database.Transaction<(items: readonly IngestItem[]) => InsertResult>;

  /** Opens (creating when absent) and migrates the database at `file` (':memory:' for a private in-memory one). */
  constructor(readonly file: string, opts: SqliteOptions = {}) {
    // Before anything is created, migrated or upgraded.
    checkByteOrder();
    const db = new Database(file, { fileMustExist: false });
    this.db = db;
    try {
      db.pragma(`page_size = ${opts.pageSize ?? 16384}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      db.pragma(`cache_size = ${-1024 * (opts.cacheMiB ?? 256)}`);
      db.pragma(`mmap_size = ${(opts.mmapMiB ?? 0) * 1024 * 1024}`);
      db.pragma('temp_store = MEMORY');
      db.pragma(`wal_autocheckpoint = ${opts.walAutocheckpoint ?? 10_000}`);
      // After a checkpoint the WAL file is cut back to this size.
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      db.pragma('busy_timeout = 10000');
      this.migrate();
      this.dict = new Dict(db);
      this.sets = new Sets(db, this.dict);
      this.src = new BlockSource(db, this.dict);
      this.writer = new BlockWriter(db, this.dict, this.sets);
      this.retention = new BlockRetention(db, this.src, this.writer.postings);
      this.stagesOf = db.prepare('SELECT stage_id FROM seen WHERE received = ? AND audit_id = ?').pluck();
      this.insertTx = db.transaction((items: readonly IngestItem[]) => this.writer.insert(items));
      this.upgradeV1();
    } catch (e) {
      db.close();
      throw e;
    }
  }

  private migrate(): void {
    const db = this.db;
    db.transaction(() => {
      db.exec(META_DDL);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
      const current = row ? Number(row.value) : 0;
      for (const m of pendingMigrations(current, `database ${this.file}`)) {
        for (const s of m.sqlite) db.exec(s);
        db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(m.version));
      }
    }).immediate();
  }

  /** A version 1 file's events, moved into blocks a batch per transaction. */
  private upgradeV1(): void {
    if (!hasV1Events(this.db)) return;
    const step = this.db.transaction((): boolean => {
      const batch = nextV1Batch(this.db, this.dict);
      if (!batch) return false;
      this.writer.insert(batch.items);
      batch.done();
      return true;
    });
    for (;;) {
      const more = this.committed(() => step.immediate());
      if (!more) return;
    }
  }

  /** Runs a write transaction; the dictionary's and sets' new ids are kept only if it commits. */
  private committed<T>(run: () => T): T {
    try {
      const r = run();
      this.dict.commit();
      this.sets.commit();
      return r;
    } catch (e) {
      this.dict.rollback();
      this.sets.rollback();
      throw e;
    }
  }

  /** Statements by SQL text: alert queries and totals repeat the same few texts. */
  private readonly statement = memoizeString((text) => this.db.prepare(text).raw(true), 200);

  private rows(q: Sql): unknown[][] {
    return this.statement(q.text).all(...q.params) as unknown[][];
  }

  async insert(items: readonly IngestItem[]): Promise<InsertResult> {
    if (items.length === 0) return { inserted: [], insertedCount: 0, duplicates: 0 };
    return this.committed(() => this.insertTx.immediate(items));
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    return this.read(() => queryEvents(this.src, this.sets, q));
  }

  async whoTouched(q: WhoTouchedQuery): Promise<StoredEvent[]> {
    return this.read(() => whoTouched(this.src, this.stagesOf, q));
  }

  /** One read transaction: blocks and their posting lists from the same snapshot. */
  private read<T>(run: () => T): T {
    return this.db.transaction(run).deferred();
  }

  async queryAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    const sql = alertQuerySql('sqlite', q);
    return sql === null ? [] : this.rows(sql).map(mapAlertRow);
  }

  async summary(q: SummaryQuery): Promise<Summary> {
    return this.read(() => ({ ...summary(this.src, q), alertsByRule: mapCounts(this.rows(alertsByRuleSql('sqlite', q))) }));
  }

  async applyRetention(p: RetentionPolicy): Promise<{ events: number; alerts: number }> {
    return runRetention(
      {
        oldest: async (limit, before) => this.read(() => this.retention.oldest(limit, before)),
        remove: async (victims) => this.committed(() => this.db.transaction(() => this.retention.remove(victims)).immediate()),
        totalBytes: async () => Number((this.rows({ text: 'SELECT bytes FROM totals WHERE id = 1', params: [] })[0] ?? [0])[0]),
      },
      p,
    );
  }

  async stats(): Promise<StoreStats> {
    return this.read((): StoreStats => {
      const [t] = this.rows({ text: 'SELECT events, alerts, bytes FROM totals WHERE id = 1', params: [] });
      // Two subqueries: SQLite answers min() or max() from an index only when a query has just one of them.
      const [r] = this.rows({ text: 'SELECT (SELECT min(t_min) FROM blocks), (SELECT max(t_max) FROM blocks)', params: [] });
      return {
        events: Number(t[0]),
        alerts: Number(t[1]),
        bytes: Number(t[2]),
        oldest: r[0] === null ? null : Number(r[0]),
        newest: r[1] === null ? null : Number(r[1]),
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // Statistics for the planner, sampled (a bounded cost even on a large file).
      this.db.pragma('analysis_limit = 1000');
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}
