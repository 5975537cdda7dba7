/**
 * The store's schema, as numbered migrations per backend. A database records the version it
 * is at in `meta` (key 'schema_version'); opening it applies the missing migrations in one
 * transaction. Later issues add tables by appending a migration — never by editing one that
 * has shipped.
 *
 * Both backends keep the same things and answer the same questions (one test suite checks
 * that); their layouts differ where each is fastest:
 *
 * SQLite (embedded, one core, the ingest target is ≥ 50,000 events/s with detection), from
 * version 2:
 *   blocks        events in blocks of up to 1024 of one 10-minute bucket of event time, one
 *                 row each: their packed columns and compressed texts (block.ts). Index on
 *                 (t_min, id, t_max) for time-ordered scans, on t_max for the newest time.
 *   postings      (key, t_min, block, t_max): which blocks hold a value of a filtered field
 *                 (user, verb, resource, …, object written; postings.ts), in time order.
 *   seen          (received, audit_id, stage_id): the duplicate key of every stored event,
 *                 also how who-touched finds the other stages of a request (a UUID auditID
 *                 is kept as its 16 bytes).
 *   dict          id ↔ string: the ids the columns hold. Ids 0 … 20 are fixed (SEEDED below).
 *   set_members   (kind, member, set_id): which group sets / source-IP sets hold a member
 *                 (an event's groups and source IPs are one set id each).
 *   alerts        event_id = block * 4096 + slot.
 *   totals
 * Version 1 kept a row per event with 16 indexes (about 20 µs per insert); opening a
 * version 1 file moves its events into blocks (sqlite-upgrade.ts).
 *
 * PostgreSQL (shared, no rate target of its own): one row per event, plain text columns,
 * side tables event_groups (grp, time, event_id) / event_source_ips (ip, time, event_id).
 * Indexes lead with the filtered column and end with time, so a filter plus a time range
 * plus ORDER BY time LIMIT n reads only the rows it returns; rare values get partial indexes.
 *
 * On both, the duplicate key is (received, audit_id, stage): every copy of an event (a
 * webhook retry, a log file read twice, the same event from file and webhook) carries the
 * same requestReceivedTimestamp, and putting the time first keeps the index's inserts at its
 * end (a random auditID first would touch a random page per insert).
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

/** WRITE_VERBS as ids: the verbs of the who-touched posting lists. */
export const WRITE_VERB_IDS = [SEEDED.create, SEEDED.update, SEEDED.patch, SEEDED.delete, SEEDED.deletecollection];

/** A denied request (EventQuery.denied): decision forbid (a dictionary id), or code 401 or 403. */
export function isDenied(decision: number, code: number | null): boolean {
  return decision === SEEDED.forbid || code === 401 || code === 403;
}

/** Version 1's SQLite conditions, kept for its migration (which must not change). */
const V1_COMMON_VERB_IDS = [SEEDED.get, SEEDED.list, SEEDED.watch, SEEDED.update, SEEDED.patch];
const SQLITE_DENIED = `(decision_id = ${SEEDED.forbid} OR code IN (401, 403))`;
const SQLITE_RARE_VERB = `verb_id NOT IN (${V1_COMMON_VERB_IDS.join(', ')})`;
const SQLITE_WRITE_VERB = `verb_id IN (${WRITE_VERB_IDS.join(', ')})`;
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

/** Version 1's SQLite indexes, dropped by version 2 (alerts' names are taken again). */
const V1_SQLITE_INDEXES = [
  'events_time', 'events_user_time', 'events_object_writes_time', 'events_object_time', 'events_namespace_time', 'events_name_time',
  'events_agent_time', 'events_groups_time', 'events_ips_time', 'events_verb_time', 'events_denied_time', 'events_denied_user_time',
  'events_subresource_time', 'events_error_time', 'alerts_time', 'alerts_rule_time', 'alerts_event',
];

/**
 * Blocks, postings and seen replace the row per event. Version 1's tables are renamed
 * events_v1 / alerts_v1 for sqlite-upgrade.ts to move into blocks (it drops them when done);
 * the totals start again from what it moves.
 */
function sqliteV2(): string[] {
  return [
    ...V1_SQLITE_INDEXES.map((i) => `DROP INDEX ${i}`),
    'ALTER TABLE events RENAME TO events_v1',
    'ALTER TABLE alerts RENAME TO alerts_v1',
    // Each upgrade batch reads and deletes the alerts of its events: by event, not by scanning all of them.
    'CREATE INDEX alerts_v1_event ON alerts_v1 (event_id)',
    `CREATE TABLE blocks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      t_min INTEGER NOT NULL,
      t_max INTEGER NOT NULL,
      n INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      cols BLOB NOT NULL,
      text BLOB NOT NULL
    )`,
    'CREATE INDEX blocks_time ON blocks (t_min, id, t_max)',
    'CREATE INDEX blocks_t_max ON blocks (t_max)',
    'CREATE TABLE postings (key INTEGER NOT NULL, t_min INTEGER NOT NULL, block INTEGER NOT NULL, t_max INTEGER NOT NULL, PRIMARY KEY (key, t_min, block)) WITHOUT ROWID',
    // audit_id: a canonical UUID as its 16 bytes, any other auditID as text (sqlite-write.ts, seenId).
    'CREATE TABLE seen (received INTEGER NOT NULL, audit_id BLOB NOT NULL, stage_id INTEGER NOT NULL, PRIMARY KEY (received, audit_id, stage_id)) WITHOUT ROWID',
    ...alertsTable('sqlite'),
    'UPDATE totals SET events = 0, alerts = 0, bytes = 0',
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
  return [
    ...alertsTable(d),
    `CREATE TABLE totals (id INTEGER PRIMARY KEY CHECK (id = 1), events ${int} NOT NULL, alerts ${int} NOT NULL, bytes ${int} NOT NULL)`,
    'INSERT INTO totals (id, events, alerts, bytes) VALUES (1, 0, 0, 0)',
  ];
}

function alertsTable(d: Dialect): string[] {
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
  ];
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'audit events, their indexes, group and source-IP lookups, alerts, totals', sqlite: sqliteV1(), postgres: postgresV1() },
  { version: 2, description: 'SQLite: events in compressed blocks with posting lists and a duplicate-key table', sqlite: sqliteV2(), postgres: [] },
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
