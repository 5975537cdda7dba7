/**
 * The embedded store: one SQLite file through better-sqlite3 (synchronous; each method does
 * its work and resolves). WAL journal with synchronous=FULL: a committed insert has been
 * fsynced to the WAL before `insert` resolves, so an acknowledged event survives kill -9
 * and power loss; readers in other processes do not block the writer.
 *
 * Repeated strings are stored as ids into `dict` (see schema.ts); this file keeps an
 * in-memory map both ways, filled as strings are met, so an insert costs a map lookup per
 * column and a query turns its strings into ids before it runs.
 */
import Database from 'better-sqlite3';
import {
  COMMON_VERB_IDS,
  META_DDL,
  pendingMigrations,
  SEEDED,
  SET_GROUPS,
  SET_IPS,
  SQLITE_DENIED,
  SQLITE_RARE_VERB,
  SQLITE_WRITE_VERB,
  WRITE_VERB_IDS,
} from './schema.js';
import {
  alertQuerySql,
  eventQuerySql,
  mapAlertRow,
  mapCounts,
  NONE,
  runRetention,
  summarySql,
  whoTouchedSql,
  type Field,
  type Params,
  type Sql,
  type Victim,
  type Vocab,
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

/** Cached strings beyond which the maps start again (a store of many distinct names must not grow the heap for ever). */
const DICT_CACHE_MAX = 1_000_000;

/**
 * id ↔ string. Ids handed out inside a transaction stay pending until it commits, so a
 * rolled-back insert cannot leave ids in the cache that the database does not have.
 */
class Dict {
  private byStr = new Map<string, number>();
  private byId = new Map<number, string>();
  private pending = new Map<string, number>();
  private readonly ins: Database.Statement;
  private readonly sel: Database.Statement;
  private readonly selStr: Database.Statement;

  constructor(db: Database.Database) {
    this.ins = db.prepare('INSERT OR IGNORE INTO dict (s) VALUES (?)');
    this.sel = db.prepare('SELECT id FROM dict WHERE s = ?').pluck();
    this.selStr = db.prepare('SELECT s FROM dict WHERE id = ?').pluck();
    this.seed();
  }

  private seed(): void {
    this.byStr.clear();
    this.byId.clear();
    for (const [s, id] of Object.entries(SEEDED)) this.remember(s, id);
  }

  private remember(s: string, id: number): void {
    if (this.byStr.size >= DICT_CACHE_MAX) this.seed();
    this.byStr.set(s, id);
    this.byId.set(id, s);
  }

  /** The id of `s`, added to the dictionary when new (inside a write transaction). */
  id(s: string): number {
    const known = this.byStr.get(s) ?? this.pending.get(s);
    if (known !== undefined) return known;
    const r = this.ins.run(s);
    if (r.changes === 1) {
      const id = Number(r.lastInsertRowid);
      this.pending.set(s, id);
      return id;
    }
    const id = this.sel.get(s) as number;
    this.remember(s, id);
    return id;
  }

  /** The id of `s` if some event has it. */
  find(s: string): number | undefined {
    const known = this.byStr.get(s);
    if (known !== undefined) return known;
    const id = this.sel.get(s) as number | undefined;
    if (id !== undefined) this.remember(s, id);
    return id;
  }

  str(id: number): string {
    const known = this.byId.get(id);
    if (known !== undefined) return known;
    const s = this.selStr.get(id) as string | undefined;
    if (s === undefined) throw new Error(`database is inconsistent: string id ${id} is not in the dictionary`);
    this.remember(s, id);
    return s;
  }

  commit(): void {
    for (const [s, id] of this.pending) this.remember(s, id);
    this.pending.clear();
  }

  rollback(): void {
    this.pending.clear();
  }
}

interface KnownSet {
  id: number;
  members: readonly string[];
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Group sets and source-IP sets: an array's JSON text is its dict id; its members are
 * listed in set_members once. The cache is keyed by the members joined with newlines (cheaper
 * than JSON per event) and checks the members on a hit, so two arrays that join alike
 * (['a\nb'] and ['a', 'b']) still get their own sets.
 */
class Sets {
  private known = [new Map<string, KnownSet>(), new Map<string, KnownSet>()];
  private pending = [new Map<string, KnownSet>(), new Map<string, KnownSet>()];
  private readonly insMember: Database.Statement;
  private readonly selIds: Database.Statement;

  constructor(db: Database.Database, private readonly dict: Dict) {
    this.insMember = db.prepare('INSERT OR IGNORE INTO set_members (kind, member, set_id) VALUES (?, ?, ?)');
    this.selIds = db.prepare('SELECT set_id FROM set_members WHERE kind = ? AND member = ? ORDER BY set_id').pluck();
  }

  /** The set id of `members` (inside a write transaction), its members listed when first met. */
  id(kind: typeof SET_GROUPS | typeof SET_IPS, members: readonly string[]): number {
    const k = kind - 1;
    let key = members.length === 1 ? members[0] : members.join('\n');
    let hit = this.known[k].get(key) ?? this.pending[k].get(key);
    if (hit && sameMembers(hit.members, members)) return hit.id;
    const json = JSON.stringify(members);
    if (hit) {
      // Another array joined to the same key: this one is cached under its JSON text.
      key = `\u0000${json}`;
      hit = this.known[k].get(key) ?? this.pending[k].get(key);
      if (hit) return hit.id;
    }
    const id = this.dict.id(json);
    for (const m of new Set(members)) this.insMember.run(kind, m, id);
    this.pending[k].set(key, { id, members: [...members] });
    return id;
  }

  /** Ids of the sets that hold `member`. */
  holding(kind: typeof SET_GROUPS | typeof SET_IPS, member: string): number[] {
    return this.selIds.all(kind, member) as number[];
  }

  commit(): void {
    for (let k = 0; k < 2; k++) {
      if (this.known[k].size + this.pending[k].size > DICT_CACHE_MAX) this.known[k].clear();
      for (const [s, v] of this.pending[k]) this.known[k].set(s, v);
      this.pending[k].clear();
    }
  }

  rollback(): void {
    for (const p of this.pending) p.clear();
  }
}

const EVENT_COLUMNS =
  'e.id, e.audit_id, e.stage_id, e.level_id, e.time, e.received, e.user_id, e.group_set, e.impersonated_id, e.verb_id, ' +
  'e.api_group_id, e.api_version_id, e.resource_id, e.subresource_id, e.namespace_id, e.name_id, e.request_uri, e.code, ' +
  'e.decision_id, e.ip_set, e.agent_id, e.event';

const COLUMN: Record<Field, string> = {
  user: 'e.user_id',
  verb: 'e.verb_id',
  resource: 'e.resource_id',
  subresource: 'e.subresource_id',
  apiGroup: 'e.api_group_id',
  namespace: 'e.namespace_id',
  name: 'e.name_id',
  userAgent: 'e.agent_id',
  decision: 'e.decision_id',
};

const INSERT_EVENT = `INSERT INTO events (received, audit_id, stage_id, time, level_id, user_id, group_set, impersonated_id, verb_id,
  api_group_id, api_version_id, resource_id, subresource_id, namespace_id, name_id, code, decision_id, ip_set, agent_id, bytes, request_uri, event)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (received, audit_id, stage_id) DO NOTHING`;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private readonly dict: Dict;
  private readonly sets: Sets;
  private readonly vocab: Vocab;
  private readonly insertTx: Database.Transaction<(items: readonly IngestItem[]) => InsertResult>;
  private readonly removeTx: Database.Transaction<(victims: readonly Victim[]) => { events: number; alerts: number }>;

  /** Opens (creating when absent) and migrates the database at `file` (':memory:' for a private in-memory one). */
  constructor(readonly file: string, opts: SqliteOptions = {}) {
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
    } catch (e) {
      db.close();
      throw e;
    }
    const dict = (this.dict = new Dict(db));
    const sets = (this.sets = new Sets(db, dict));
    this.vocab = {
      dialect: 'sqlite',
      col: (f) => COLUMN[f],
      value: (_f, s) => dict.find(s) ?? NONE,
      eventColumns: EVENT_COLUMNS,
      denied: SQLITE_DENIED,
      notDenied: `(e.decision_id <> ${SEEDED.forbid} AND (e.code IS NULL OR e.code NOT IN (401, 403)))`,
      stageRank: (a) =>
        `(CASE ${a}.stage_id WHEN ${SEEDED.ResponseComplete} THEN 4 WHEN ${SEEDED.Panic} THEN 3 WHEN ${SEEDED.ResponseStarted} THEN 2 WHEN ${SEEDED.RequestReceived} THEN 1 ELSE 0 END)`,
      verbHint: (ids) => (ids.every((id) => !COMMON_VERB_IDS.includes(id as number)) ? SQLITE_RARE_VERB : undefined),
      // The planner, without statistics, may pick (name, time) and read every request on a much-read name.
      touchHint: (ids) =>
        ids.every((id) => WRITE_VERB_IDS.includes(id as number))
          ? { term: SQLITE_WRITE_VERB, indexedBy: 'events_object_writes_time' }
          : { indexedBy: 'events_object_time' },
      subresourceHint: 'subresource_id <> 0',
      keyOf: (f) => `(SELECT s FROM dict WHERE id = ${COLUMN[f]})`,
      anonymous: `e.user_id IN (${SEEDED['']}, ${SEEDED['system:anonymous']})`,
      sets: {
        kind: 'interned',
        ids: (which, value) => sets.holding(which === 'group' ? SET_GROUPS : SET_IPS, value),
        column: (which) => (which === 'group' ? 'e.group_set' : 'e.ip_set'),
        membersSql: (which: 'group' | 'ip', p: Params, value: string) =>
          `SELECT set_id FROM set_members WHERE kind = ${p.add(which === 'group' ? SET_GROUPS : SET_IPS)} AND member = ${p.add(value)}`,
      },
    };

    const insEvent = db.prepare(INSERT_EVENT);
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
          r.received, r.auditId, dict.id(r.stage), r.time, dict.id(r.level), dict.id(r.user),
          sets.id(SET_GROUPS, r.groups), dict.id(r.impersonatedUser), dict.id(r.verb),
          dict.id(r.apiGroup), dict.id(r.apiVersion), dict.id(r.resource), dict.id(r.subresource), dict.id(r.namespace),
          dict.id(r.name), r.code, dict.id(r.decision), sets.id(SET_IPS, r.sourceIps),
          dict.id(r.userAgent), size, r.requestUri, r.event,
        );
        if (res.changes === 0) {
          inserted[i] = false;
          continue;
        }
        inserted[i] = true;
        count++;
        bytes += size;
        if (as.length) {
          const id = res.lastInsertRowid;
          for (const a of as) {
            insAlert.run(id, a.auditId, a.stage, a.time, a.rule, a.priority, a.source, a.output, a.alert);
            alerts++;
          }
        }
      }
      if (count > 0) addTotals.run(count, alerts, bytes);
      return { inserted, insertedCount: count, duplicates: items.length - count };
    });

    const delEvent = db.prepare('DELETE FROM events WHERE id = ?');
    const delAlerts = db.prepare('DELETE FROM alerts WHERE event_id = ?');
    this.removeTx = db.transaction((victims: readonly Victim[]) => {
      let events = 0;
      let alerts = 0;
      let bytes = 0;
      for (const v of victims) {
        if (delEvent.run(v.id).changes === 0) continue;
        events++;
        bytes += v.bytes;
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

  private event(r: readonly unknown[]): StoredEvent {
    const d = this.dict;
    return {
      id: Number(r[0]),
      auditId: r[1] as string,
      stage: d.str(r[2] as number),
      level: d.str(r[3] as number),
      time: r[4] as number,
      received: r[5] as number,
      user: d.str(r[6] as number),
      groups: JSON.parse(d.str(r[7] as number)) as string[],
      impersonatedUser: d.str(r[8] as number),
      verb: d.str(r[9] as number),
      apiGroup: d.str(r[10] as number),
      apiVersion: d.str(r[11] as number),
      resource: d.str(r[12] as number),
      subresource: d.str(r[13] as number),
      namespace: d.str(r[14] as number),
      name: d.str(r[15] as number),
      requestUri: r[16] as string,
      code: r[17] as number | null,
      decision: d.str(r[18] as number),
      sourceIps: JSON.parse(d.str(r[19] as number)) as string[],
      userAgent: d.str(r[20] as number),
      event: r[21] as string,
    };
  }

  private events(q: Sql | null): StoredEvent[] {
    return q === null ? [] : this.rows(q).map((r) => this.event(r));
  }

  async insert(items: readonly IngestItem[]): Promise<InsertResult> {
    if (items.length === 0) return { inserted: [], insertedCount: 0, duplicates: 0 };
    try {
      const r = this.insertTx.immediate(items);
      this.dict.commit();
      this.sets.commit();
      return r;
    } catch (e) {
      this.dict.rollback();
      this.sets.rollback();
      throw e;
    }
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    return this.events(eventQuerySql(this.vocab, q));
  }

  async whoTouched(q: WhoTouchedQuery): Promise<StoredEvent[]> {
    return this.events(whoTouchedSql(this.vocab, q));
  }

  async queryAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    const sql = alertQuerySql('sqlite', q);
    return sql === null ? [] : this.rows(sql).map(mapAlertRow);
  }

  async summary(q: SummaryQuery): Promise<Summary> {
    const s = summarySql(this.vocab, q);
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
    const victim = (r: unknown[]): Victim => ({ id: r[0] as number, time: r[1] as number, bytes: r[2] as number });
    return runRetention(
      {
        oldest: async (limit, before) =>
          this.rows(
            before === undefined
              ? { text: 'SELECT id, time, bytes FROM events ORDER BY time, id LIMIT ?', params: [limit] }
              : { text: 'SELECT id, time, bytes FROM events WHERE time < ? ORDER BY time, id LIMIT ?', params: [before, limit] },
          ).map(victim),
        remove: async (victims) => this.removeTx.immediate(victims),
        totalBytes: async () => Number((this.rows({ text: 'SELECT bytes FROM totals WHERE id = 1', params: [] })[0] ?? [0])[0]),
      },
      p,
    );
  }

  async stats(): Promise<StoreStats> {
    return this.db.transaction((): StoreStats => {
      const [t] = this.rows({ text: 'SELECT events, alerts, bytes FROM totals WHERE id = 1', params: [] });
      // Two subqueries: SQLite answers min() or max() from the index only when a query has just one of them.
      const [r] = this.rows({ text: 'SELECT (SELECT min(time) FROM events), (SELECT max(time) FROM events)', params: [] });
      return {
        events: Number(t[0]),
        alerts: Number(t[1]),
        bytes: Number(t[2]),
        oldest: r[0] === null ? null : Number(r[0]),
        newest: r[1] === null ? null : Number(r[1]),
      };
    }).deferred();
  }

  /** The SQL a query runs (null: answered without asking), for tests and tuning. */
  sqlOf(kind: 'events', q: EventQuery): Sql | null;
  sqlOf(kind: 'whoTouched', q: WhoTouchedQuery): Sql | null;
  sqlOf(kind: 'summary', q: SummaryQuery): ReturnType<typeof summarySql>;
  sqlOf(kind: 'events' | 'whoTouched' | 'summary', q: EventQuery | WhoTouchedQuery | SummaryQuery): unknown {
    if (kind === 'events') return eventQuerySql(this.vocab, q as EventQuery);
    if (kind === 'whoTouched') return whoTouchedSql(this.vocab, q as WhoTouchedQuery);
    return summarySql(this.vocab, q as SummaryQuery);
  }

  /** Query plan of a query (for tests and tuning). */
  explain(q: Sql): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${q.text}`).all(...q.params) as Array<{ detail: string }>).map((r) => r.detail);
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
