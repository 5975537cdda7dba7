/**
 * The SQL both adapters run for queries, built by one set of functions so that a filter
 * means the same on SQLite and PostgreSQL. Only placeholders (`?` / `$n`) and the collation
 * of tie-breaking sorts differ.
 */
import { DENIED_SQL, type Dialect } from './schema.js';
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

/** Column list of a StoredEvent row, in the order mapEventRow reads it (table alias e). */
export const EVENT_COLUMNS =
  'e.id, e.audit_id, e.stage, e.level, e.time, e.received, e.user_name, e.user_groups, e.impersonated_user, e.verb, ' +
  'e.api_group, e.api_version, e.resource, e.subresource, e.namespace, e.name, e.request_uri, e.code, e.decision, ' +
  'e.source_ips, e.user_agent, e.event';

export function mapEventRow(r: readonly unknown[]): StoredEvent {
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

function limitOf(limit: number | undefined): number {
  const n = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(n) || n < 0) throw new Error(`limit must be a non-negative integer, got ${String(limit)}`);
  return n;
}

function direction(order: 'asc' | 'desc' | undefined): 'ASC' | 'DESC' {
  if (order === undefined || order === 'asc') return 'ASC';
  if (order === 'desc') return 'DESC';
  throw new Error(`order must be 'asc' or 'desc', got ${String(order)}`);
}

function checkTime(name: string, v: number | undefined): void {
  if (v !== undefined && !Number.isFinite(v)) throw new Error(`${name} must be a number of µs since the epoch, got ${String(v)}`);
}

/**
 * Events matching every filter, ordered by time then id. A group or source-IP filter makes
 * its side table drive the query (its key is value, time, event id: already in the order
 * asked for); the remaining filters are checked on the joined event row.
 */
export function eventQuerySql(d: Dialect, q: EventQuery): Sql {
  const p = new Params(d);
  checkTime('since', q.since);
  checkTime('until', q.until);
  const where: string[] = [];
  let from: string;
  let t: string;
  let id: string;
  if (q.group !== undefined) {
    // CROSS JOIN fixes the join order in SQLite (the side table outside); an inner join elsewhere.
    from = 'event_groups g CROSS JOIN events e';
    where.push(`g.grp = ${p.add(q.group)}`, 'e.id = g.event_id');
    t = 'g.time';
    id = 'g.event_id';
    if (q.sourceIp !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM event_source_ips s WHERE s.ip = ${p.add(q.sourceIp)} AND s.time = e.time AND s.event_id = e.id)`);
    }
  } else if (q.sourceIp !== undefined) {
    from = 'event_source_ips s CROSS JOIN events e';
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
  if (q.user !== undefined) where.push(`e.user_name = ${p.add(q.user)}`);
  if (q.verb !== undefined) {
    const verbs = typeof q.verb === 'string' ? [q.verb] : q.verb;
    where.push(verbs.length === 0 ? '1 = 0' : verbs.length === 1 ? `e.verb = ${p.add(verbs[0])}` : `e.verb IN (${p.list(verbs)})`);
  }
  if (q.resource !== undefined) where.push(`e.resource = ${p.add(q.resource)}`);
  if (q.subresource !== undefined) {
    where.push(`e.subresource = ${p.add(q.subresource)}`);
    // Repeats the partial index's condition so SQLite may use it.
    if (q.subresource !== '') where.push("e.subresource <> ''");
  }
  if (q.apiGroup !== undefined) where.push(`e.api_group = ${p.add(q.apiGroup)}`);
  if (q.namespace !== undefined) where.push(`e.namespace = ${p.add(q.namespace)}`);
  if (q.name !== undefined) where.push(`e.name = ${p.add(q.name)}`);
  if (q.userAgent !== undefined) where.push(`e.user_agent = ${p.add(q.userAgent)}`);
  if (q.code !== undefined) {
    where.push(`e.code = ${p.add(q.code)}`);
    if (q.code >= 300) where.push('e.code >= 300');
  }
  if (q.denied === true) where.push(DENIED_SQL);
  else if (q.denied === false) where.push("(e.decision <> 'forbid' AND (e.code IS NULL OR e.code NOT IN (401, 403)))");
  const dir = direction(q.order);
  const text =
    `SELECT ${EVENT_COLUMNS} FROM ${from}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${t} ${dir}, ${id} ${dir} LIMIT ${p.add(limitOf(q.limit))}`;
  return { text, params: p.values };
}

/** Preference among the stages of one request: the most complete one stands for it. */
function stageRank(alias: string): string {
  return `(CASE ${alias}.stage WHEN 'ResponseComplete' THEN 4 WHEN 'Panic' THEN 3 WHEN 'ResponseStarted' THEN 2 WHEN 'RequestReceived' THEN 1 ELSE 0 END)`;
}

/**
 * Changes to one object, oldest first, one row per request: of the stages stored for an
 * auditID the most complete stands for it (ResponseComplete, else Panic, else
 * ResponseStarted, else RequestReceived), so a request whose response never arrived is
 * still listed. Any subresource counts (pods/exec, deployments/scale, …).
 */
export function whoTouchedSql(d: Dialect, q: WhoTouchedQuery): Sql {
  const p = new Params(d);
  const verbs = q.verbs ?? WRITE_VERBS;
  const where = [
    `e.resource = ${p.add(q.resource)}`,
    `e.namespace = ${p.add(q.namespace ?? '')}`,
    `e.name = ${p.add(q.name)}`,
  ];
  if (q.apiGroup !== undefined) where.push(`e.api_group = ${p.add(q.apiGroup)}`);
  where.push(verbs.length === 0 ? '1 = 0' : `e.verb IN (${p.list(verbs)})`);
  where.push(`NOT EXISTS (SELECT 1 FROM events o WHERE o.audit_id = e.audit_id AND o.stage <> e.stage AND ${stageRank('o')} > ${stageRank('e')})`);
  const text = `SELECT ${EVENT_COLUMNS} FROM events e WHERE ${where.join(' AND ')} ORDER BY e.time ASC, e.id ASC LIMIT ${p.add(limitOf(q.limit))}`;
  return { text, params: p.values };
}

export function alertQuerySql(d: Dialect, q: AlertQuery): Sql {
  const p = new Params(d);
  checkTime('since', q.since);
  checkTime('until', q.until);
  const where: string[] = [];
  if (q.since !== undefined) where.push(`a.time >= ${p.add(q.since)}`);
  if (q.until !== undefined) where.push(`a.time < ${p.add(q.until)}`);
  if (q.rule !== undefined) where.push(`a.rule = ${p.add(q.rule)}`);
  if (q.priorities !== undefined) where.push(q.priorities.length === 0 ? '1 = 0' : `a.priority IN (${p.list(q.priorities)})`);
  const dir = direction(q.order);
  const text =
    `SELECT ${ALERT_COLUMNS} FROM alerts a` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY a.time ${dir}, a.id ${dir} LIMIT ${p.add(limitOf(q.limit))}`;
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
 * Counts are over stored events (one row per auditID + stage), within [since, until) of
 * the event time. Top lists are cut at `top` (default 10); verbs and alerts by rule are
 * complete. Ties are broken by key in byte order on both backends.
 */
export function summarySql(d: Dialect, q: SummaryQuery): SummarySql {
  checkTime('since', q.since);
  checkTime('until', q.until);
  const top = q.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 0) throw new Error(`top must be a non-negative integer, got ${String(q.top)}`);
  const collate = d === 'postgres' ? ' COLLATE "C"' : '';
  const range = (p: Params, col: string, extra: string[] = []): string => {
    const w = [...extra];
    if (q.since !== undefined) w.push(`${col} >= ${p.add(q.since)}`);
    if (q.until !== undefined) w.push(`${col} < ${p.add(q.until)}`);
    return w.length ? ` WHERE ${w.join(' AND ')}` : '';
  };
  const grouped = (table: string, keyExpr: string, extra: string[], limit: number | null): Sql => {
    const p = new Params(d);
    const where = range(p, 'time', extra);
    const lim = limit === null ? '' : ` LIMIT ${p.add(limit)}`;
    return {
      text: `SELECT ${keyExpr} AS k, count(*) AS c FROM ${table}${where} GROUP BY ${keyExpr} ORDER BY count(*) DESC, (${keyExpr})${collate} ASC${lim}`,
      params: p.values,
    };
  };
  const o = new Params(d);
  const overall: Sql = {
    text: `SELECT count(*), min(time), max(time), sum(CASE WHEN user_name IN ('system:anonymous', '') THEN 1 ELSE 0 END) FROM events${range(o, 'time')}`,
    params: o.values,
  };
  return {
    overall,
    topUsers: grouped('events', 'user_name', [], top),
    verbs: grouped('events', 'verb', [], null),
    topResources: grouped('events', "resource || CASE WHEN subresource <> '' THEN '/' || subresource ELSE '' END", ["resource <> ''"], top),
    deniedByUser: grouped('events', 'user_name', [DENIED_SQL], top),
    alertsByRule: grouped('alerts', 'rule', [], null),
  };
}

export function mapCounts(rows: ReadonlyArray<readonly unknown[]>): Count[] {
  return rows.map((r) => ({ key: r[0] as string, count: Number(r[1]) }));
}

// ---------------------------------------------------------------------------------------
// Retention, shared by both adapters: find the oldest events, delete them in chunks.

/** An event about to be deleted, with what it takes to delete its side-table rows. */
export interface Victim {
  id: number;
  time: number;
  groups: string[];
  ips: string[];
  bytes: number;
}

export const VICTIM_COLUMNS = 'id, time, user_groups, source_ips, bytes';

export function mapVictimRow(r: readonly unknown[]): Victim {
  return {
    id: Number(r[0]),
    time: Number(r[1]),
    groups: JSON.parse(r[2] as string) as string[],
    ips: JSON.parse(r[3] as string) as string[],
    bytes: Number(r[4]),
  };
}

export interface RetentionOps {
  /** Up to `limit` oldest events (by time, then id), only those with time < `before` when given. */
  oldest(limit: number, before: number | undefined): Promise<Victim[]>;
  /** Deletes the events, their side rows and alerts in one transaction; counts what went. */
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
