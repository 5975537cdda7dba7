/**
 * The SQL of the store's questions on the row-per-event layout (PostgreSQL), described by a
 * Vocab (which column holds a field, the hints that let partial indexes serve, the group / source-IP
 * side tables); and what both backends share: argument checks, alert queries, retention's
 * loop. SQLite's block layout answers the same questions in sqlite-query.ts, meaning what
 * this file makes them mean (one test suite runs on both).
 */
import type { Dialect } from './schema.js';
import {
  WRITE_VERBS,
  type AlertQuery,
  type Count,
  type EventQuery,
  type StoredAlert,
  type StoredEvent,
  type SummaryQuery,
  type WhoTouchedQuery,
} from './types.js';

export const DEFAULT_LIMIT = 1000;
export const DEFAULT_TOP = 10;

export interface Sql {
  text: string;
  params: unknown[];
}

/** Collects parameters and hands back the dialect's placeholder for each. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(v: unknown): string {
    this.values.push(v);
    return this.dialect === 'sqlite' ? '?' : `$${this.values.length}`;
  }
  list(vs: readonly unknown[]): string {
    return vs.map((v) => this.add(v)).join(', ');
  }
}

/** String fields of an event that queries compare exactly. */
export type Field = 'user' | 'verb' | 'resource' | 'subresource' | 'apiGroup' | 'namespace' | 'name' | 'userAgent' | 'decision';

/** How PostgreSQL's row-per-event layout names things (postgres.ts fills it in). */
export interface Vocab {
  /** The column of a field on alias `e` (also its key text in summaries). */
  col(f: Field): string;
  /** The select list of an event row (alias e). */
  eventColumns: string;
  /** Denied predicate (decision forbid, or code 401/403), word for word as the partial index has it. */
  denied: string;
  /** Its negation (null codes count as not denied). */
  notDenied: string;
  /** The stage's preference among the stages of one request (ResponseComplete highest). */
  stageRank(alias: string): string;
  /** A term to add to who-touched for this verb list so a partial index is usable, or nothing. */
  touchHint(verbs: readonly string[]): string | undefined;
  /** Term to add when filtering on a non-empty subresource (a partial index). */
  subresourceHint: string;
  /** Whether a user counts as anonymous (system:anonymous or ''). */
  anonymous: string;
  /** Group / source-IP side tables (value, time, event_id): one drives the query when asked for. */
  sets: { groups: string; ips: string };
}

export function limitOf(limit: number | undefined): number {
  const n = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(n) || n < 0) throw new Error(`limit must be a non-negative integer, got ${String(limit)}`);
  return n;
}

export function direction(order: 'asc' | 'desc' | undefined): 'ASC' | 'DESC' {
  if (order === undefined || order === 'asc') return 'ASC';
  if (order === 'desc') return 'DESC';
  throw new Error(`order must be 'asc' or 'desc', got ${String(order)}`);
}

export function checkTime(name: string, v: number | undefined): void {
  if (v !== undefined && !Number.isFinite(v)) throw new Error(`${name} must be a number of µs since the epoch, got ${String(v)}`);
}

/** `col = value` for an exact string filter. */
function eq(v: Vocab, p: Params, f: Field, s: string): string {
  return `${v.col(f)} = ${p.add(s)}`;
}

/**
 * The filters of an EventQuery other than group, source IP and time, on alias e; null when
 * they cannot match anything (an empty verb list).
 */
function columnFilters(v: Vocab, p: Params, q: EventQuery): string[] | null {
  const where: string[] = [];
  const add = (f: Field, s: string | undefined): void => {
    if (s !== undefined) where.push(eq(v, p, f, s));
  };
  add('user', q.user);
  if (q.verb !== undefined) {
    const verbs = typeof q.verb === 'string' ? [q.verb] : q.verb;
    if (verbs.length === 0) return null;
    where.push(verbs.length === 1 ? `${v.col('verb')} = ${p.add(verbs[0])}` : `${v.col('verb')} IN (${p.list(verbs)})`);
  }
  add('resource', q.resource);
  add('subresource', q.subresource);
  if (q.subresource !== undefined && q.subresource !== '') where.push(v.subresourceHint);
  add('apiGroup', q.apiGroup);
  add('namespace', q.namespace);
  add('name', q.name);
  add('userAgent', q.userAgent);
  if (q.code !== undefined) {
    where.push(`e.code = ${p.add(q.code)}`);
    // Repeats the partial index's condition so the planner may use it.
    if (q.code >= 300) where.push('e.code >= 300');
  }
  if (q.denied === true) where.push(v.denied);
  else if (q.denied === false) where.push(v.notDenied);
  return where;
}

/**
 * Events matching every filter, ordered by time then id; null when the answer is known to be
 * empty without asking.
 */
export function eventQuerySql(v: Vocab, q: EventQuery): Sql | null {
  checkTime('since', q.since);
  checkTime('until', q.until);
  const dir = direction(q.order);
  const limit = limitOf(q.limit);
  if (limit === 0) return null;
  return sideQuery(v, q, dir, limit);
}

/** A group or source-IP side table (key value, time, event id) drives the query when one is asked for. */
function sideQuery(v: Vocab, q: EventQuery, dir: string, limit: number): Sql | null {
  const s = v.sets;
  const p = new Params('postgres');
  const where: string[] = [];
  let from: string;
  let t: string;
  let id: string;
  if (q.group !== undefined) {
    from = `${s.groups} g CROSS JOIN events e`;
    where.push(`g.grp = ${p.add(q.group)}`, 'e.id = g.event_id');
    t = 'g.time';
    id = 'g.event_id';
    if (q.sourceIp !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM ${s.ips} s WHERE s.ip = ${p.add(q.sourceIp)} AND s.time = e.time AND s.event_id = e.id)`);
    }
  } else if (q.sourceIp !== undefined) {
    from = `${s.ips} s CROSS JOIN events e`;
    where.push(`s.ip = ${p.add(q.sourceIp)}`, 'e.id = s.event_id');
    t = 's.time';
    id = 's.event_id';
  } else {
    from = 'events e';
    t = 'e.time';
    id = 'e.id';
  }
  if (q.since !== undefined) where.push(`${t} >= ${p.add(q.since)}`);
  if (q.until !== undefined) where.push(`${t} < ${p.add(q.until)}`);
  const rest = columnFilters(v, p, q);
  if (rest === null) return null;
  where.push(...rest);
  const text =
    `SELECT ${v.eventColumns} FROM ${from}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${t} ${dir}, ${id} ${dir} LIMIT ${p.add(limit)}`;
  return { text, params: p.values };
}

/**
 * Changes to one object, oldest first, one row per request: of the stages stored for a
 * request (same auditID and requestReceivedTimestamp) the most complete stands for it
 * (ResponseComplete, else Panic, else ResponseStarted, else RequestReceived), so a request
 * whose response never arrived is still listed. Any subresource counts (pods/exec,
 * deployments/scale, …).
 */
export function whoTouchedSql(v: Vocab, q: WhoTouchedQuery): Sql | null {
  const p = new Params('postgres');
  const limit = limitOf(q.limit);
  if (limit === 0) return null;
  const where: string[] = [];
  for (const [f, s] of [['resource', q.resource], ['namespace', q.namespace ?? ''], ['name', q.name]] as const) where.push(eq(v, p, f, s));
  if (q.apiGroup !== undefined) where.push(eq(v, p, 'apiGroup', q.apiGroup));
  const verbs = q.verbs ?? WRITE_VERBS;
  if (verbs.length === 0) return null;
  where.push(`${v.col('verb')} IN (${p.list(verbs)})`);
  const hint = v.touchHint(verbs);
  if (hint) where.push(hint);
  where.push(
    `NOT EXISTS (SELECT 1 FROM events o WHERE o.received = e.received AND o.audit_id = e.audit_id AND ${v.stageRank('o')} > ${v.stageRank('e')})`,
  );
  const text = `SELECT ${v.eventColumns} FROM events e WHERE ${where.join(' AND ')} ORDER BY e.time ASC, e.id ASC LIMIT ${p.add(limit)}`;
  return { text, params: p.values };
}

export const ALERT_COLUMNS = 'a.id, a.audit_id, a.stage, a.time, a.rule, a.priority, a.source, a.output, a.alert';

export function mapAlertRow(r: readonly unknown[]): StoredAlert {
  return {
    id: Number(r[0]),
    auditId: r[1] as string,
    stage: r[2] as string,
    time: Number(r[3]),
    rule: r[4] as string,
    priority: r[5] as string,
    source: r[6] as string,
    output: r[7] as string,
    alert: r[8] as string,
  };
}

export function alertQuerySql(d: Dialect, q: AlertQuery): Sql | null {
  const p = new Params(d);
  checkTime('since', q.since);
  checkTime('until', q.until);
  const dir = direction(q.order);
  const limit = limitOf(q.limit);
  if (limit === 0 || (q.priorities !== undefined && q.priorities.length === 0)) return null;
  const where: string[] = [];
  if (q.since !== undefined) where.push(`a.time >= ${p.add(q.since)}`);
  if (q.until !== undefined) where.push(`a.time < ${p.add(q.until)}`);
  if (q.rule !== undefined) where.push(`a.rule = ${p.add(q.rule)}`);
  if (q.priorities !== undefined) where.push(`a.priority IN (${p.list(q.priorities)})`);
  const text =
    `SELECT ${ALERT_COLUMNS} FROM alerts a` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY a.time ${dir}, a.id ${dir} LIMIT ${p.add(limit)}`;
  return { text, params: p.values };
}

/** The queries behind Store.summary, each returning rows of (key, count) unless noted. */
export interface SummarySql {
  /** One row: count, min(time), max(time), anonymous count. */
  overall: Sql;
  topUsers: Sql;
  verbs: Sql;
  topResources: Sql;
  deniedByUser: Sql;
  alertsByRule: Sql;
}

/**
 * Counts are over stored events (one row per auditID + stage), within [since, until) of the
 * event time. Top lists are cut at `top` (default 10); verbs and alerts by rule are
 * complete. Ties are broken by key in byte order on both backends.
 */
export function summarySql(v: Vocab, q: SummaryQuery): SummarySql {
  const top = topOf(q);
  // Ties by key in byte order, as SQLite's summary breaks them.
  const grouped = (keyExpr: string, groupBy: string, extra: string[], limit: number | null): Sql => {
    const p = new Params('postgres');
    const where = timeRange(q, p, 'e', extra);
    const lim = limit === null ? '' : ` LIMIT ${p.add(limit)}`;
    return {
      text: `SELECT ${keyExpr} AS k, count(*) AS c FROM events e${where} GROUP BY ${groupBy} ORDER BY count(*) DESC, ${keyExpr} COLLATE "C" ASC${lim}`,
      params: p.values,
    };
  };
  const o = new Params('postgres');
  const overall: Sql = {
    text: `SELECT count(*), min(e.time), max(e.time), sum(CASE WHEN ${v.anonymous} THEN 1 ELSE 0 END) FROM events e${timeRange(q, o, 'e', [])}`,
    params: o.values,
  };
  const resourceKey = `${v.col('resource')} || CASE WHEN ${v.col('subresource')} <> '' THEN '/' || ${v.col('subresource')} ELSE '' END`;
  return {
    overall,
    topUsers: grouped(v.col('user'), v.col('user'), [], top),
    verbs: grouped(v.col('verb'), v.col('verb'), [], null),
    topResources: grouped(resourceKey, `${v.col('resource')}, ${v.col('subresource')}`, [`${v.col('resource')} <> ''`], top),
    deniedByUser: grouped(v.col('user'), v.col('user'), [v.denied], top),
    alertsByRule: alertsByRuleSql('postgres', q),
  };
}

/** The time window and top-list length of a summary, checked. */
export function topOf(q: SummaryQuery): number {
  checkTime('since', q.since);
  checkTime('until', q.until);
  const top = q.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 0) throw new Error(`top must be a non-negative integer, got ${String(q.top)}`);
  return top;
}

function timeRange(q: { since?: number; until?: number }, p: Params, alias: string, extra: string[] = []): string {
  const w = [...extra];
  if (q.since !== undefined) w.push(`${alias}.time >= ${p.add(q.since)}`);
  if (q.until !== undefined) w.push(`${alias}.time < ${p.add(q.until)}`);
  return w.length ? ` WHERE ${w.join(' AND ')}` : '';
}

/** Alerts by rule in a summary's window (the alerts table is the same on both backends). */
export function alertsByRuleSql(d: Dialect, q: SummaryQuery): Sql {
  const a = new Params(d);
  const collate = d === 'postgres' ? ' COLLATE "C"' : '';
  return {
    text: `SELECT a.rule, count(*) FROM alerts a${timeRange(q, a, 'a')} GROUP BY a.rule ORDER BY count(*) DESC, a.rule${collate} ASC`,
    params: a.values,
  };
}

export function mapCounts(rows: ReadonlyArray<readonly unknown[]>): Count[] {
  return rows.map((r) => ({ key: r[0] as string, count: Number(r[1]) }));
}

// ---------------------------------------------------------------------------------------
// Retention, shared by both adapters: find the oldest events, delete them in chunks.

/** An event about to be deleted. */
export interface Victim {
  id: number;
  time: number;
  /** The event's stored size; only the size pass (`before` undefined) reads it, so a store may leave it 0 otherwise. */
  bytes: number;
  /** Group / source-IP JSON texts (PostgreSQL deletes their side-table rows). */
  groups?: string;
  ips?: string;
}

export interface RetentionOps {
  /** Up to `limit` oldest events (by time, then id), only those with time < `before` when given. */
  oldest(limit: number, before: number | undefined): Promise<Victim[]>;
  /** Deletes the events and their alerts (and side rows) in one transaction; counts what went. */
  remove(victims: readonly Victim[]): Promise<{ events: number; alerts: number }>;
  totalBytes(): Promise<number>;
}

const RETENTION_CHUNK = 5000;

export async function runRetention(ops: RetentionOps, p: { maxAgeMicros?: number; maxBytes?: number; now?: number }): Promise<{ events: number; alerts: number }> {
  const out = { events: 0, alerts: 0 };
  const add = (r: { events: number; alerts: number }) => {
    out.events += r.events;
    out.alerts += r.alerts;
  };
  if (p.maxAgeMicros !== undefined) {
    if (!Number.isFinite(p.maxAgeMicros) || p.maxAgeMicros < 0) throw new Error(`maxAgeMicros must be a non-negative number, got ${String(p.maxAgeMicros)}`);
    const now = p.now ?? Date.now() * 1000;
    const cutoff = now - p.maxAgeMicros;
    for (;;) {
      const v = await ops.oldest(RETENTION_CHUNK, cutoff);
      if (v.length === 0) break;
      add(await ops.remove(v));
      if (v.length < RETENTION_CHUNK) break;
    }
  }
  if (p.maxBytes !== undefined) {
    if (!Number.isFinite(p.maxBytes) || p.maxBytes < 0) throw new Error(`maxBytes must be a non-negative number, got ${String(p.maxBytes)}`);
    for (;;) {
      const excess = (await ops.totalBytes()) - p.maxBytes;
      if (excess <= 0) break;
      const v = await ops.oldest(RETENTION_CHUNK, undefined);
      if (v.length === 0) break;
      let n = 0;
      let freed = 0;
      while (n < v.length && freed < excess) freed += v[n++].bytes;
      add(await ops.remove(v.slice(0, n)));
    }
  }
  return out;
}

/** StoredEvent from a row of plain text columns (PostgreSQL), in PG_EVENT_COLUMNS order. */
export function mapTextEventRow(r: readonly unknown[]): StoredEvent {
  return {
    id: Number(r[0]),
    auditId: r[1] as string,
    stage: r[2] as string,
    level: r[3] as string,
    time: Number(r[4]),
    received: Number(r[5]),
    user: r[6] as string,
    groups: JSON.parse(r[7] as string) as string[],
    impersonatedUser: r[8] as string,
    verb: r[9] as string,
    apiGroup: r[10] as string,
    apiVersion: r[11] as string,
    resource: r[12] as string,
    subresource: r[13] as string,
    namespace: r[14] as string,
    name: r[15] as string,
    requestUri: r[16] as string,
    code: r[17] === null || r[17] === undefined ? null : Number(r[17]),
    decision: r[18] as string,
    sourceIps: JSON.parse(r[19] as string) as string[],
    userAgent: r[20] as string,
    event: r[21] as string,
  };
}

export const PG_EVENT_COLUMNS =
  'e.id, e.audit_id, e.stage, e.level, e.time, e.received, e.user_name, e.user_groups, e.impersonated_user, e.verb, ' +
  'e.api_group, e.api_version, e.resource, e.subresource, e.namespace, e.name, e.request_uri, e.code, e.decision, ' +
  'e.source_ips, e.user_agent, e.event';
