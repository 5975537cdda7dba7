/**
 * The shared store: PostgreSQL through a `pg` Pool, for when events come from more
 * machines than one SQLite file can serve. A row per event, queries from sql.ts; times are
 * BIGINT µs, read back as JS numbers.
 *
 * A batch is inserted by ONE statement: the items travel as column arrays, `unnest` turns
 * them into rows, `INSERT … ON CONFLICT DO NOTHING RETURNING` says which were new, and
 * data-modifying CTEs add those events' group and source-IP rows, their alerts and the
 * totals in the same statement (one round trip, one transaction, durable once PostgreSQL
 * acknowledges the commit with its default synchronous_commit=on).
 *
 * Connection URL: any libpq-style URL `pg` accepts, plus `?schema=NAME`: the tables live in
 * that schema (created when absent; search_path is set on every connection). Tests use it
 * to give each run its own schema.
 */
import pg from 'pg';
import { META_DDL, pendingMigrations, POSTGRES_DENIED, POSTGRES_WRITE_VERB } from './schema.js';
import { WRITE_VERBS } from './types.js';
import {
  alertQuerySql,
  eventQuerySql,
  mapAlertRow,
  mapCounts,
  mapTextEventRow,
  PG_EVENT_COLUMNS,
  runRetention,
  summarySql,
  whoTouchedSql,
  type Field,
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

export interface PostgresOptions {
  /** Give up connecting after this long (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Connections in the pool (default 4). */
  poolSize?: number;
}

/** BIGINT (int8, oid 20) as a JS number: our values (µs times, ids, counts) stay below 2^53. */
const INT8_OID = 20;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const COLUMN: Record<Field, string> = {
  user: 'e.user_name',
  verb: 'e.verb',
  resource: 'e.resource',
  subresource: 'e.subresource',
  apiGroup: 'e.api_group',
  namespace: 'e.namespace',
  name: 'e.name',
  userAgent: 'e.user_agent',
  decision: 'e.decision',
};

const VOCAB: Vocab = {
  col: (f) => COLUMN[f],
  eventColumns: PG_EVENT_COLUMNS,
  denied: POSTGRES_DENIED,
  notDenied: "(e.decision <> 'forbid' AND (e.code IS NULL OR e.code NOT IN (401, 403)))",
  stageRank: (a) =>
    `(CASE ${a}.stage WHEN 'ResponseComplete' THEN 4 WHEN 'Panic' THEN 3 WHEN 'ResponseStarted' THEN 2 WHEN 'RequestReceived' THEN 1 ELSE 0 END)`,
  // Repeats the partial index's condition when only write verbs are asked for.
  touchHint: (verbs) => (verbs.every((v) => WRITE_VERBS.includes(v)) ? `e.${POSTGRES_WRITE_VERB}` : undefined),
  subresourceHint: "e.subresource <> ''",
  anonymous: "e.user_name IN ('system:anonymous', '')",
  sets: { groups: 'event_groups', ips: 'event_source_ips' },
};

/**
 * One statement per batch. The batch travels as one JSON parameter, an array of row arrays
 * read by position: serialising it is one native JSON.stringify (pg's array literals escape
 * every string in JavaScript: five times the client CPU), and jsonb parses it once on the
 * server (json would parse a row again for each field).
 */
const INSERT_SQL = `WITH src AS (
  SELECT x.value AS v, x.ord FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(value, ord)
), ins AS (
  INSERT INTO events (audit_id, stage, level, time, received, user_name, user_groups, impersonated_user, verb,
    api_group, api_version, resource, subresource, namespace, name, request_uri, code, decision, source_ips, user_agent, bytes, event)
  SELECT v->>0, v->>1, v->>2, (v->>3)::bigint, (v->>4)::bigint, v->>5, (v->6)::text, v->>7, v->>8,
    v->>9, v->>10, v->>11, v->>12, v->>13, v->>14, v->>15, (v->>16)::int, v->>17, (v->18)::text, v->>19, (v->>20)::bigint, v->>21
  FROM src ORDER BY ord
  ON CONFLICT (received, audit_id, stage) DO NOTHING
  RETURNING id, received, audit_id, stage, time, bytes, user_groups, source_ips
), g AS (
  INSERT INTO event_groups (grp, time, event_id)
  SELECT m, ins.time, ins.id FROM ins, jsonb_array_elements_text(ins.user_groups::jsonb) AS m
  ON CONFLICT DO NOTHING
), s AS (
  INSERT INTO event_source_ips (ip, time, event_id)
  SELECT m, ins.time, ins.id FROM ins, jsonb_array_elements_text(ins.source_ips::jsonb) AS m
  ON CONFLICT DO NOTHING
), al AS (
  INSERT INTO alerts (event_id, audit_id, stage, time, rule, priority, source, output, alert)
  SELECT ins.id, a.value->>0, a.value->>1, (a.value->>2)::bigint, a.value->>3, a.value->>4, a.value->>5, a.value->>6, a.value->>7
  FROM src
  JOIN ins ON ins.received = (src.v->>4)::bigint AND ins.audit_id = src.v->>0 AND ins.stage = src.v->>1
  CROSS JOIN jsonb_array_elements(src.v->22) WITH ORDINALITY AS a(value, ord)
  WHERE jsonb_array_length(src.v->22) > 0
  ORDER BY src.ord, a.ord
  RETURNING 1
), t AS (
  UPDATE totals SET events = events + (SELECT count(*) FROM ins), alerts = alerts + (SELECT count(*) FROM al),
    bytes = bytes + (SELECT coalesce(sum(bytes), 0) FROM ins) WHERE id = 1
)
SELECT received, audit_id, stage FROM ins`;

const REMOVE_SQL = `WITH d AS (
  DELETE FROM events WHERE id = ANY($1::bigint[]) RETURNING id, bytes
), dg AS (
  DELETE FROM event_groups WHERE (grp, time, event_id) IN (SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[]))
), ds AS (
  DELETE FROM event_source_ips WHERE (ip, time, event_id) IN (SELECT * FROM unnest($5::text[], $6::bigint[], $7::bigint[]))
), da AS (
  DELETE FROM alerts WHERE event_id IN (SELECT id FROM d) RETURNING 1
), t AS (
  UPDATE totals SET events = events - (SELECT count(*) FROM d), alerts = alerts - (SELECT count(*) FROM da),
    bytes = bytes - (SELECT coalesce(sum(bytes), 0) FROM d) WHERE id = 1
)
SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM da)`;

/** What an error message may say about where the database is: host:port/database, never credentials. */
export interface PostgresTarget {
  /** pg connection string without our own parameters. */
  connectionString: string;
  schema: string | undefined;
  /** host:port/database */
  label: string;
  /** Strings to scrub from any message (the password, raw and decoded). */
  secrets: string[];
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Splits a postgres:// URL into what pg needs and what messages may show. Throws one-line errors without the URL. */
export function parsePostgresUrl(spec: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error('cannot connect to PostgreSQL: the connection URL is not a valid URL');
  }
  const secrets = url.password ? [url.password, safeDecode(url.password)] : [];
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const host = url.hostname || url.searchParams.get('host') || process.env.PGHOST || 'localhost';
  const port = url.port || url.searchParams.get('port') || '5432';
  const db = safeDecode(url.pathname.replace(/^\//, '')) || url.searchParams.get('dbname') || '';
  const label = `${safeDecode(host)}:${port}/${db}`;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`cannot open PostgreSQL store at ${label}: schema must be a plain identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
  }
  return { connectionString: url.toString(), schema, label, secrets };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function scrub(message: string, secrets: readonly string[]): string {
  let m = message.split('\n')[0].trim();
  for (const s of secrets) if (s) m = m.split(s).join('***');
  return m;
}

/** A connection failure in a few words ("connection refused"), pg's own sentence otherwise. */
export function connectReason(e: unknown, timeoutMs: number): string {
  const errs: unknown[] = e instanceof AggregateError && e.errors.length ? e.errors : [e];
  const first = errs[0] as { code?: string; message?: string } | undefined;
  const code = first?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return `connection timed out after ${timeoutMs / 1000} s`;
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ECONNRESET':
      return 'connection reset by the server';
  }
  const msg = String(first?.message ?? e);
  if (/timeout/i.test(msg)) return `connection timed out after ${timeoutMs / 1000} s`;
  return msg;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly label: string,
  ) {}

  /** Connects, creates the schema when asked for one that is absent, migrates. Errors are one line naming host:port/db. */
  static async open(spec: string, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const target = parsePostgresUrl(spec);
    const timeout = opts.connectTimeoutMs ?? 10_000;
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      connectionTimeoutMillis: timeout,
      max: opts.poolSize ?? 4,
      types,
      ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
    });
    // An idle connection dropped by the server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      await pool.end().catch(() => {});
      throw new Error(`cannot connect to PostgreSQL at ${target.label}: ${scrub(connectReason(e, timeout), target.secrets)}`);
    }
    try {
      await migrate(client, target.label, target.schema);
    } catch (e) {
      client.release(true);
      await pool.end().catch(() => {});
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`cannot open PostgreSQL store at ${target.label}: ${scrub(msg, target.secrets)}`);
    }
    client.release();
    return new PostgresStore(pool, target.label);
  }

  private async rows(q: Sql): Promise<unknown[][]> {
    const r = await this.pool.query({ text: q.text, values: q.params, rowMode: 'array' });
    return r.rows as unknown[][];
  }

  async insert(items: readonly IngestItem[]): Promise<InsertResult> {
    const inserted = new Array<boolean>(items.length).fill(false);
    if (items.length === 0) return { inserted, insertedCount: 0, duplicates: 0 };
    // Rows as arrays in one JSON text; a key repeated inside the batch is sent once (its first item).
    const rows: unknown[][] = [];
    const firstOf = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const { record: r, alerts } = items[i];
      const key = `${r.received}\u0000${r.auditId}\u0000${r.stage}`;
      if (firstOf.has(key)) continue;
      firstOf.set(key, i);
      rows.push([
        r.auditId, r.stage, r.level, r.time, r.received, r.user, r.groups, r.impersonatedUser, r.verb,
        r.apiGroup, r.apiVersion, r.resource, r.subresource, r.namespace, r.name, r.requestUri, r.code, r.decision,
        r.sourceIps, r.userAgent, Buffer.byteLength(r.event, 'utf8'), r.event,
        alerts.map((a) => [a.auditId, a.stage, a.time, a.rule, a.priority, a.source, a.output, a.alert]),
      ]);
    }
    const res = await this.pool.query({ name: 'palisade_insert_v3', text: INSERT_SQL, values: [JSON.stringify(rows)], rowMode: 'array' });
    let count = 0;
    for (const row of res.rows as unknown[][]) {
      const i = firstOf.get(`${Number(row[0])}\u0000${row[1] as string}\u0000${row[2] as string}`);
      if (i !== undefined && !inserted[i]) {
        inserted[i] = true;
        count++;
      }
    }
    return { inserted, insertedCount: count, duplicates: items.length - count };
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    const sql = eventQuerySql(VOCAB, q);
    return sql === null ? [] : (await this.rows(sql)).map(mapTextEventRow);
  }

  async whoTouched(q: WhoTouchedQuery): Promise<StoredEvent[]> {
    const sql = whoTouchedSql(VOCAB, q);
    return sql === null ? [] : (await this.rows(sql)).map(mapTextEventRow);
  }

  async queryAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    const sql = alertQuerySql('postgres', q);
    return sql === null ? [] : (await this.rows(sql)).map(mapAlertRow);
  }

  async summary(q: SummaryQuery): Promise<Summary> {
    const s = summarySql(VOCAB, q);
    const client = await this.pool.connect();
    try {
      // One snapshot for every figure.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const run = async (x: Sql) => (await client.query({ text: x.text, values: x.params, rowMode: 'array' })).rows as unknown[][];
      const [o] = await run(s.overall);
      const out: Summary = {
        events: Number(o[0]),
        first: o[1] === null ? null : Number(o[1]),
        last: o[2] === null ? null : Number(o[2]),
        topUsers: mapCounts(await run(s.topUsers)),
        verbs: mapCounts(await run(s.verbs)),
        topResources: mapCounts(await run(s.topResources)),
        deniedByUser: mapCounts(await run(s.deniedByUser)),
        anonymous: Number(o[3] ?? 0),
        alertsByRule: mapCounts(await run(s.alertsByRule)),
      };
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async applyRetention(p: RetentionPolicy): Promise<{ events: number; alerts: number }> {
    return runRetention(
      {
        oldest: async (limit, before) =>
          (
            await this.rows(
              before === undefined
                ? { text: 'SELECT id, time, bytes, user_groups, source_ips FROM events ORDER BY time, id LIMIT $1', params: [limit] }
                : { text: 'SELECT id, time, bytes, user_groups, source_ips FROM events WHERE time < $1 ORDER BY time, id LIMIT $2', params: [before, limit] },
            )
          ).map((r): Victim => ({ id: Number(r[0]), time: Number(r[1]), bytes: Number(r[2]), groups: r[3] as string, ips: r[4] as string })),
        remove: async (victims: readonly Victim[]) => {
          const a: unknown[][] = Array.from({ length: 7 }, () => []);
          for (const v of victims) {
            a[0].push(v.id);
            for (const g of JSON.parse(v.groups ?? '[]') as string[]) a[1].push(g), a[2].push(v.time), a[3].push(v.id);
            for (const ip of JSON.parse(v.ips ?? '[]') as string[]) a[4].push(ip), a[5].push(v.time), a[6].push(v.id);
          }
          const [r] = await this.rows({ text: REMOVE_SQL, params: a });
          return { events: Number(r[0]), alerts: Number(r[1]) };
        },
        totalBytes: async () => Number((await this.rows({ text: 'SELECT bytes FROM totals WHERE id = 1', params: [] }))[0][0]),
      },
      p,
    );
  }

  async stats(): Promise<StoreStats> {
    const [r] = await this.rows({
      text: 'SELECT t.events, t.alerts, t.bytes, (SELECT min(time) FROM events), (SELECT max(time) FROM events) FROM totals t WHERE t.id = 1',
      params: [],
    });
    return {
      events: Number(r[0]),
      alerts: Number(r[1]),
      bytes: Number(r[2]),
      oldest: r[3] === null ? null : Number(r[3]),
      newest: r[4] === null ? null : Number(r[4]),
    };
  }

  /** Query plan of a query (for tests and tuning). */
  async explain(q: Sql): Promise<string[]> {
    return (await this.rows({ text: `EXPLAIN ${q.text}`, params: q.params })).map((r) => String(r[0]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Creates the schema when one is named, applies missing migrations: under an advisory lock
 * (per schema), so processes opening one database at once take turns.
 */
async function migrate(client: pg.PoolClient, label: string, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(1346456649, hashtext(coalesce($1::text, current_schema(), '')))", [schema ?? null]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(META_DDL);
    const r = await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'");
    const current = r.rows.length ? Number(r.rows[0].value) : 0;
    for (const m of pendingMigrations(current, `database ${label}`)) {
      for (const s of m.postgres) await client.query(s);
      await client.query(
        "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [String(m.version)],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
