/**
 * The store's schema, as numbered migrations for both dialects. A database records the
 * version it is at in `meta` (key 'schema_version'); opening it applies the missing
 * migrations in one transaction. Later issues add tables by appending a migration — never
 * by editing one that has shipped.
 *
 * Layout (the same on both backends, so queries mean the same thing):
 *
 *   events            one row per audit Event (auditID + stage unique), the queryable
 *                     columns, `bytes` (UTF-8 length of the event JSON) and the JSON itself
 *   event_groups      (grp, time, event_id): one row per group of the event's user
 *   event_source_ips  (ip, time, event_id): one row per source IP
 *   alerts            one row per alert, `event_id` pointing at its event
 *   totals            one row: event count, alert count, event bytes (kept by insert and
 *                     retention, so stats and byte retention need no full scan)
 *
 * Arrays (groups, source IPs) live twice: as JSON text in `events` (to give the record
 * back) and as side-table rows keyed (value, time, event id), so "events of group X,
 * newest first" walks one index in time order.
 *
 * Indexes serve the questions of EventQuery / WhoTouchedQuery: each leads with the
 * filtered column and ends with time, so a filter plus a time range plus ORDER BY time
 * LIMIT n reads only the rows it returns. Rare values get partial indexes (denied
 * requests; error codes; subresources); common ones (code 200, decision allow) are found
 * fast enough by walking the time index.
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** The denied predicate, written once: the partial index and the queries must match it word for word (SQLite uses a partial index only when the query repeats its WHERE term). */
export const DENIED_SQL = "(decision = 'forbid' OR code IN (401, 403))";

function v1(d: Dialect): string[] {
  const int = d === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const id = d === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  const withoutRowid = d === 'sqlite' ? ' WITHOUT ROWID' : '';
  return [
    `CREATE TABLE events (
      ${id},
      audit_id TEXT NOT NULL,
      stage TEXT NOT NULL,
      level TEXT NOT NULL,
      time ${int} NOT NULL,
      received ${int} NOT NULL,
      user_name TEXT NOT NULL,
      user_groups TEXT NOT NULL,
      impersonated_user TEXT NOT NULL,
      verb TEXT NOT NULL,
      api_group TEXT NOT NULL,
      api_version TEXT NOT NULL,
      resource TEXT NOT NULL,
      subresource TEXT NOT NULL,
      namespace TEXT NOT NULL,
      name TEXT NOT NULL,
      request_uri TEXT NOT NULL,
      code INTEGER,
      decision TEXT NOT NULL,
      source_ips TEXT NOT NULL,
      user_agent TEXT NOT NULL,
      bytes ${int} NOT NULL,
      event TEXT NOT NULL,
      UNIQUE (audit_id, stage)
    )`,
    'CREATE INDEX events_time ON events (time)',
    'CREATE INDEX events_user_time ON events (user_name, time)',
    'CREATE INDEX events_verb_time ON events (verb, time)',
    // who-touched (resource + namespace + name, by time); also any prefix of it.
    'CREATE INDEX events_object_time ON events (resource, namespace, name, time)',
    'CREATE INDEX events_namespace_time ON events (namespace, time)',
    'CREATE INDEX events_name_time ON events (name, time)',
    'CREATE INDEX events_agent_time ON events (user_agent, time)',
    `CREATE INDEX events_denied_time ON events (time) WHERE ${DENIED_SQL}`,
    // Denied requests by user (summary), cheap: only denied rows are in it.
    `CREATE INDEX events_denied_user_time ON events (user_name, time) WHERE ${DENIED_SQL}`,
    "CREATE INDEX events_subresource_time ON events (subresource, time) WHERE subresource <> ''",
    'CREATE INDEX events_error_time ON events (code, time) WHERE code >= 300',
    `CREATE TABLE event_groups (grp TEXT NOT NULL, time ${int} NOT NULL, event_id ${int} NOT NULL, PRIMARY KEY (grp, time, event_id))${withoutRowid}`,
    `CREATE TABLE event_source_ips (ip TEXT NOT NULL, time ${int} NOT NULL, event_id ${int} NOT NULL, PRIMARY KEY (ip, time, event_id))${withoutRowid}`,
    `CREATE TABLE alerts (
      ${id},
      event_id ${int} NOT NULL,
      audit_id TEXT NOT NULL,
      stage TEXT NOT NULL,
      time ${int} NOT NULL,
      rule TEXT NOT NULL,
      priority TEXT NOT NULL,
      source TEXT NOT NULL,
      output TEXT NOT NULL,
      alert TEXT NOT NULL
    )`,
    'CREATE INDEX alerts_time ON alerts (time)',
    'CREATE INDEX alerts_rule_time ON alerts (rule, time)',
    'CREATE INDEX alerts_event ON alerts (event_id)',
    `CREATE TABLE totals (id INTEGER PRIMARY KEY CHECK (id = 1), events ${int} NOT NULL, alerts ${int} NOT NULL, bytes ${int} NOT NULL)`,
    'INSERT INTO totals (id, events, alerts, bytes) VALUES (1, 0, 0, 0)',
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'audit events, group and source-IP side tables, alerts, totals', sqlite: v1('sqlite'), postgres: v1('postgres') },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const META_DDL = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

/** The migrations a database at `current` still needs; throws when it is newer than this code. */
export function pendingMigrations(current: number, what: string): readonly Migration[] {
  if (current > SCHEMA_VERSION) {
    throw new Error(`${what} has schema version ${current}, newer than this Palisade understands (${SCHEMA_VERSION}); upgrade Palisade`);
  }
  return MIGRATIONS.filter((m) => m.version > current);
}
