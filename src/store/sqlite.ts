/**
 * The embedded store: one SQLite file through better-sqlite3 (synchronous; each method does
 * its work and resolves). WAL journal with synchronous=FULL: a committed insert has been
 * fsynced to the WAL before `insert` resolves, so an acknowledged event survives kill -9
 * and power loss; readers in other processes do not block the writer.
 */
import Database from 'better-sqlite3';
import { META_DDL, pendingMigrations } from './schema.js';
import {
  alertQuerySql,
  eventQuerySql,
  mapAlertRow,
  mapCounts,
  mapEventRow,
  mapVictimRow,
  runRetention,
  summarySql,
  VICTIM_COLUMNS,
  whoTouchedSql,
  type Sql,
  type Victim,
} from './sql.js';
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
  /** Page cache in MiB (default 128; memory is taken only as pages are read). */
  cacheMiB?: number;
  /** Memory-mapped reads, MiB (default 1024; 0 turns it off). */
  mmapMiB?: number;
  /**
   * 'FULL' (default) fsyncs the WAL on every commit: what the ingest path needs. 'NORMAL'
   * may lose the last transactions on power loss (never corrupts): for bulk loads only.
   */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
}

/** Page size of a new database file (an existing file keeps its own). */
const PAGE_SIZE = 8192;

const INSERT_EVENT = `INSERT INTO events (audit_id, stage, level, time, received, user_name, user_groups, impersonated_user, verb,
  api_group, api_version, resource, subresource, namespace, name, request_uri, code, decision, source_ips, user_agent, bytes, event)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (audit_id, stage) DO NOTHING`;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private readonly insertTx: Database.Transaction<(items: readonly IngestItem[]) => InsertResult>;
  private readonly removeTx: Database.Transaction<(victims: readonly Victim[]) => { events: number; alerts: number }>;

  /** Opens (creating when absent) and migrates the database at `file` (':memory:' for a private in-memory one). */
  constructor(readonly file: string, opts: SqliteOptions = {}) {
    const db = new Database(file, { fileMustExist: false });
    this.db = db;
    try {
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      db.pragma(`cache_size = ${-1024 * (opts.cacheMiB ?? 128)}`);
      db.pragma(`mmap_size = ${(opts.mmapMiB ?? 1024) * 1024 * 1024}`);
      db.pragma('temp_store = MEMORY');
      db.pragma('busy_timeout = 10000');
      this.migrate();
    } catch (e) {
      db.close();
      throw e;
    }

    const insEvent = db.prepare(INSERT_EVENT);
    const insGroup = db.prepare('INSERT OR IGNORE INTO event_groups (grp, time, event_id) VALUES (?, ?, ?)');
    const insIp = db.prepare('INSERT OR IGNORE INTO event_source_ips (ip, time, event_id) VALUES (?, ?, ?)');
    const insAlert = db.prepare('INSERT INTO alerts (event_id, audit_id, stage, time, rule, priority, source, output, alert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const addTotals = db.prepare('UPDATE totals SET events = events + ?, alerts = alerts + ?, bytes = bytes + ? WHERE id = 1');
    this.insertTx = db.transaction((items: readonly IngestItem[]): InsertResult => {
      const inserted = new Array<boolean>(items.length);
      let count = 0;
      let alerts = 0;
      let bytes = 0;
      for (let i = 0; i < items.length; i++) {
        const { record: r, alerts: as } = items[i];
        const size = Buffer.byteLength(r.event, 'utf8');
        const res = insEvent.run(
          r.auditId, r.stage, r.level, r.time, r.received, r.user, JSON.stringify(r.groups), r.impersonatedUser, r.verb,
          r.apiGroup, r.apiVersion, r.resource, r.subresource, r.namespace, r.name, r.requestUri, r.code, r.decision,
          JSON.stringify(r.sourceIps), r.userAgent, size, r.event,
        );
        if (res.changes === 0) {
          inserted[i] = false;
          continue;
        }
        inserted[i] = true;
        count++;
        bytes += size;
        const id = res.lastInsertRowid;
        for (const g of r.groups) insGroup.run(g, r.time, id);
        for (const ip of r.sourceIps) insIp.run(ip, r.time, id);
        for (const a of as) {
          insAlert.run(id, a.auditId, a.stage, a.time, a.rule, a.priority, a.source, a.output, a.alert);
          alerts++;
        }
      }
      if (count > 0) addTotals.run(count, alerts, bytes);
      return { inserted, insertedCount: count, duplicates: items.length - count };
    });

    const delEvent = db.prepare('DELETE FROM events WHERE id = ?');
    const delGroup = db.prepare('DELETE FROM event_groups WHERE grp = ? AND time = ? AND event_id = ?');
    const delIp = db.prepare('DELETE FROM event_source_ips WHERE ip = ? AND time = ? AND event_id = ?');
    const delAlerts = db.prepare('DELETE FROM alerts WHERE event_id = ?');
    this.removeTx = db.transaction((victims: readonly Victim[]) => {
      let events = 0;
      let alerts = 0;
      let bytes = 0;
      for (const v of victims) {
        if (delEvent.run(v.id).changes === 0) continue;
        events++;
        bytes += v.bytes;
        for (const g of v.groups) delGroup.run(g, v.time, v.id);
        for (const ip of v.ips) delIp.run(ip, v.time, v.id);
        alerts += delAlerts.run(v.id).changes;
      }
      addTotals.run(-events, -alerts, -bytes);
      return { events, alerts };
    });
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

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, s);
    }
    return s;
  }

  private rows(q: Sql): unknown[][] {
    return this.stmt(q.text).raw(true).all(...q.params) as unknown[][];
  }

  async insert(items: readonly IngestItem[]): Promise<InsertResult> {
    if (items.length === 0) return { inserted: [], insertedCount: 0, duplicates: 0 };
    return this.insertTx.immediate(items);
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    return this.rows(eventQuerySql('sqlite', q)).map(mapEventRow);
  }

  async whoTouched(q: WhoTouchedQuery): Promise<StoredEvent[]> {
    return this.rows(whoTouchedSql('sqlite', q)).map(mapEventRow);
  }

  async queryAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    return this.rows(alertQuerySql('sqlite', q)).map(mapAlertRow);
  }

  async summary(q: SummaryQuery): Promise<Summary> {
    const s = summarySql('sqlite', q);
    // One read transaction: every figure from the same snapshot.
    return this.db.transaction((): Summary => {
      const [o] = this.rows(s.overall);
      return {
        events: Number(o[0]),
        first: o[1] === null ? null : Number(o[1]),
        last: o[2] === null ? null : Number(o[2]),
        topUsers: mapCounts(this.rows(s.topUsers)),
        verbs: mapCounts(this.rows(s.verbs)),
        topResources: mapCounts(this.rows(s.topResources)),
        deniedByUser: mapCounts(this.rows(s.deniedByUser)),
        anonymous: Number(o[3] ?? 0),
        alertsByRule: mapCounts(this.rows(s.alertsByRule)),
      };
    }).deferred();
  }

  async applyRetention(p: RetentionPolicy): Promise<{ events: number; alerts: number }> {
    return runRetention(
      {
        oldest: async (limit, before) =>
          this.rows(
            before === undefined
              ? { text: `SELECT ${VICTIM_COLUMNS} FROM events ORDER BY time, id LIMIT ?`, params: [limit] }
              : { text: `SELECT ${VICTIM_COLUMNS} FROM events WHERE time < ? ORDER BY time, id LIMIT ?`, params: [before, limit] },
          ).map(mapVictimRow),
        remove: async (victims) => this.removeTx.immediate(victims),
        totalBytes: async () => Number((this.rows({ text: 'SELECT bytes FROM totals WHERE id = 1', params: [] })[0] ?? [0])[0]),
      },
      p,
    );
  }

  async stats(): Promise<StoreStats> {
    return this.db.transaction((): StoreStats => {
      const [t] = this.rows({ text: 'SELECT events, alerts, bytes FROM totals WHERE id = 1', params: [] });
      const [r] = this.rows({ text: 'SELECT min(time), max(time) FROM events', params: [] });
      return {
        events: Number(t[0]),
        alerts: Number(t[1]),
        bytes: Number(t[2]),
        oldest: r[0] === null ? null : Number(r[0]),
        newest: r[1] === null ? null : Number(r[1]),
      };
    }).deferred();
  }

  /** Query plan of a query (for tests and tuning). */
  explain(q: Sql): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${q.text}`).all(...q.params) as Array<{ detail: string }>).map((r) => r.detail);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}
