/**
 * The store's schema, as numbered migrations per backend. A database records the version it
 * is at in `meta` (key 'schema_version'); opening it applies the missing migrations in one
 * transaction. Later issues add tables by appending a migration — never by editing one that
 * has shipped.
 *
 * Both backends keep the same things and answer the same questions (one test suite checks
 * that); their layouts differ where each is fastest:
 *
 * SQLite (embedded, one core, the ingest target is ≥ 50,000 events/s with detection):
 *   events        one row per audit Event. Every repeated string (user, verb, resource,
 *                 namespace, name, user agent, stage, …) is an integer id into `dict`, and the
 *                 groups and source IPs of an event are one id each (the JSON text of the
 *                 array, interned in `dict` too): integer index keys are about three times
 *                 cheaper to maintain than text ones, and rows are smaller.
 *   dict          id ↔ string. Ids 0 … 20 are fixed (SEEDED below) so partial indexes and
 *                 queries can name them.
 *   set_members   (kind, member, set_id): which group sets / source-IP sets hold a member, so
 *                 "events of group G" reads the few sets that contain G, each in time order.
 *   alerts, totals
 *
 * PostgreSQL (shared, no rate target of its own): plain text columns, and side tables
 *   event_groups (grp, time, event_id) / event_source_ips (ip, time, event_id).
 *
 * On both, the duplicate key is (received, audit_id, stage): every copy of an event (a
 * webhook retry, a log file read twice, the same event from file and webhook) carries the
 * same requestReceivedTimestamp, and putting the time first keeps the index's inserts at its
 * end (a random auditID first would touch a random page per insert: at 10 M events, one
 * fsynced batch of 1000 rewrote 8 MB of that index). It also finds the other stages of one
 * request (who-touched prefers ResponseComplete over RequestReceived).
 *
 * Indexes lead with the filtered column and end with time, so a filter plus a time range
 * plus ORDER BY time LIMIT n reads only the rows it returns. Rare values get partial indexes
 * (denied requests; codes ≥ 300; subresources; verbs other than get/list/watch/update/patch);
 * common ones are found fast enough by walking the time index.
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** SQLite dictionary ids fixed by the schema (partial indexes and queries use them). */
export const SEEDED: Readonly<Record<string, number>> = {
  '': 0,
  get: 1,
  list: 2,
  watch: 3,
  update: 4,
  patch: 5,
  create: 6,
  delete: 7,
  deletecollection: 8,
  allow: 9,
  forbid: 10,
  RequestReceived: 11,
  ResponseStarted: 12,
  ResponseComplete: 13,
  Panic: 14,
  'system:anonymous': 15,
  None: 16,
  Metadata: 17,
  Request: 18,
  RequestResponse: 19,
  '[]': 20,
};

/** WRITE_VERBS as ids: the verbs of the who-touched index. */
export const WRITE_VERB_IDS = [SEEDED.create, SEEDED.update, SEEDED.patch, SEEDED.delete, SEEDED.deletecollection];

/** Verbs without an entry in the SQLite verb index: common enough that a walk by time finds them. */
export const COMMON_VERB_IDS = [SEEDED.get, SEEDED.list, SEEDED.watch, SEEDED.update, SEEDED.patch];

/**
 * Partial-index conditions. SQLite uses a partial index only when the query repeats its
 * WHERE term word for word, so queries take them from here.
 */
export const SQLITE_DENIED = `(decision_id = ${SEEDED.forbid} OR code IN (401, 403))`;
export const SQLITE_RARE_VERB = `verb_id NOT IN (${COMMON_VERB_IDS.join(', ')})`;
export const SQLITE_WRITE_VERB = `verb_id IN (${WRITE_VERB_IDS.join(', ')})`;
export const POSTGRES_DENIED = "(decision = 'forbid' OR code IN (401, 403))";
export const POSTGRES_WRITE_VERB = "verb IN ('create', 'update', 'patch', 'delete', 'deletecollection')";

/** set_members.kind */
export const SET_GROUPS = 1;
export const SET_IPS = 2;

function sqliteV1(): string[] {
  return [
    'CREATE TABLE dict (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE)',
    `INSERT INTO dict (id, s) VALUES ${Object.entries(SEEDED).map(([s, id]) => `(${id}, '${s}')`).join(', ')}`,
    'CREATE TABLE set_members (kind INTEGER NOT NULL, member TEXT NOT NULL, set_id INTEGER NOT NULL, PRIMARY KEY (kind, member, set_id)) WITHOUT ROWID',
    `CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      received INTEGER NOT NULL,
      audit_id TEXT NOT NULL,
      stage_id INTEGER NOT NULL,
      time INTEGER NOT NULL,
      level_id INTEGER NOT NULL,
      user_id INTEGER NOT NULL,
      group_set INTEGER NOT NULL,
      impersonated_id INTEGER NOT NULL,
      verb_id INTEGER NOT NULL,
      api_group_id INTEGER NOT NULL,
      api_version_id INTEGER NOT NULL,
      resource_id INTEGER NOT NULL,
      subresource_id INTEGER NOT NULL,
      namespace_id INTEGER NOT NULL,
      name_id INTEGER NOT NULL,
      code INTEGER,
      decision_id INTEGER NOT NULL,
      ip_set INTEGER NOT NULL,
      agent_id INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      request_uri TEXT NOT NULL,
      event TEXT NOT NULL,
      UNIQUE (received, audit_id, stage_id)
    )`,
    'CREATE INDEX events_time ON events (time)',
    'CREATE INDEX events_user_time ON events (user_id, time)',
    // who-touched: the changes to an object in time order (reads of a much-read object are not in the way) …
    `CREATE INDEX events_object_writes_time ON events (resource_id, namespace_id, name_id, time) WHERE ${SQLITE_WRITE_VERB}`,
    // … and every request on it, the verb in the entry so other verb lists are checked without reading rows.
    'CREATE INDEX events_object_time ON events (resource_id, namespace_id, name_id, time, verb_id)',
    'CREATE INDEX events_namespace_time ON events (namespace_id, time)',
    'CREATE INDEX events_name_time ON events (name_id, time)',
    'CREATE INDEX events_agent_time ON events (agent_id, time)',
    'CREATE INDEX events_groups_time ON events (group_set, time)',
    'CREATE INDEX events_ips_time ON events (ip_set, time)',
    `CREATE INDEX events_verb_time ON events (verb_id, time) WHERE ${SQLITE_RARE_VERB}`,
    `CREATE INDEX events_denied_time ON events (time) WHERE ${SQLITE_DENIED}`,
    `CREATE INDEX events_denied_user_time ON events (user_id, time) WHERE ${SQLITE_DENIED}`,
    'CREATE INDEX events_subresource_time ON events (subresource_id, time) WHERE subresource_id <> 0',
    'CREATE INDEX events_error_time ON events (code, time) WHERE code >= 300',
    ...alertsAndTotals('sqlite'),
  ];
}

function postgresV1(): string[] {
  return [
    `CREATE TABLE events (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      received BIGINT NOT NULL,
      audit_id TEXT NOT NULL,
      stage TEXT NOT NULL,
      time BIGINT NOT NULL,
      level TEXT NOT NULL,
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
      code INTEGER,
      decision TEXT NOT NULL,
      source_ips TEXT NOT NULL,
      user_agent TEXT NOT NULL,
      bytes BIGINT NOT NULL,
      request_uri TEXT NOT NULL,
      event TEXT NOT NULL,
      UNIQUE (received, audit_id, stage)
    )`,
    'CREATE INDEX events_time ON events (time)',
    'CREATE INDEX events_user_time ON events (user_name, time)',
    'CREATE INDEX events_verb_time ON events (verb, time)',
    `CREATE INDEX events_object_writes_time ON events (resource, namespace, name, time) WHERE ${POSTGRES_WRITE_VERB}`,
    'CREATE INDEX events_object_time ON events (resource, namespace, name, time, verb)',
    'CREATE INDEX events_namespace_time ON events (namespace, time)',
    'CREATE INDEX events_name_time ON events (name, time)',
    'CREATE INDEX events_agent_time ON events (user_agent, time)',
    `CREATE INDEX events_denied_time ON events (time) WHERE ${POSTGRES_DENIED}`,
    `CREATE INDEX events_denied_user_time ON events (user_name, time) WHERE ${POSTGRES_DENIED}`,
    "CREATE INDEX events_subresource_time ON events (subresource, time) WHERE subresource <> ''",
    'CREATE INDEX events_error_time ON events (code, time) WHERE code >= 300',
    'CREATE TABLE event_groups (grp TEXT NOT NULL, time BIGINT NOT NULL, event_id BIGINT NOT NULL, PRIMARY KEY (grp, time, event_id))',
    'CREATE TABLE event_source_ips (ip TEXT NOT NULL, time BIGINT NOT NULL, event_id BIGINT NOT NULL, PRIMARY KEY (ip, time, event_id))',
    ...alertsAndTotals('postgres'),
  ];
}

function alertsAndTotals(d: Dialect): string[] {
  const int = d === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const id = d === 'sqlite' ? 'id INTEGER PRIMARY KEY' : 'id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
  return [
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
  { version: 1, description: 'audit events, their indexes, group and source-IP lookups, alerts, totals', sqlite: sqliteV1(), postgres: postgresV1() },
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
