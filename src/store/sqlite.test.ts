// The store suite against SQLite (a file and :memory:), and what only SQLite has: file errors,
// the default ./palisade.db, WAL, the indexes its planner picks.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, openSqlite } from './open.js';
import { SCHEMA_VERSION } from './schema.js';
import { eventQuerySql, summarySql, whoTouchedSql } from './sql.js';
import { dataset, storeSuite } from './suite.js';
import type { SqliteStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeSuite({ name: 'sqlite file', shared: true, fresh: async () => join(dir, `s${++n}.db`) });
storeSuite({ name: 'sqlite :memory:', shared: false, fresh: async () => ':memory:' });

test('sqlite: a path in a directory that does not exist is one clear line', async () => {
  const file = join(dir, 'no', 'such', 'dir', 'x.db');
  await assert.rejects(openStore(file), { message: `cannot open database ${file}: directory ${join(dir, 'no', 'such', 'dir')} does not exist` });
});

test('sqlite: a directory, or a file that is not a database', async () => {
  const d = join(dir, 'a-directory');
  mkdirSync(d);
  await assert.rejects(openStore(d), { message: `cannot open database ${d}: it is a directory` });
  const f = join(dir, 'not-a-db.db');
  writeFileSync(f, 'this is a text file, not SQLite, and it is long enough to have a header of sorts\n'.repeat(20));
  await assert.rejects(openStore(f), { message: `cannot open database ${f}: not a SQLite database (or encrypted)` });
});

test('sqlite: a database from a newer Palisade is refused, not touched', async () => {
  const f = join(dir, 'newer.db');
  (await openStore(f)).close();
  const raw = new Database(f);
  raw.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION + 1));
  raw.close();
  await assert.rejects(openStore(f), {
    message: `cannot open database ${f}: database ${f} has schema version ${SCHEMA_VERSION + 1}, newer than this Palisade understands (${SCHEMA_VERSION}); upgrade Palisade`,
  });
});

test('sqlite: no spec means ./palisade.db; the file is in WAL mode with the schema version recorded', async () => {
  const cwd = process.cwd();
  const d = mkdtempSync(join(dir, 'cwd-'));
  process.chdir(d);
  try {
    const s = await openStore(undefined);
    assert.equal(s.kind, 'sqlite');
    await s.insert(dataset().items);
    await s.close();
    assert.ok(existsSync(join(d, 'palisade.db')));
    const raw = new Database(join(d, 'palisade.db'), { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
    assert.equal(raw.prepare('SELECT count(*) FROM events').pluck().get(), 10);
    raw.close();
    // '' is the default too.
    const again = await openStore('');
    assert.equal((await again.stats()).events, 10);
    await again.close();
  } finally {
    process.chdir(cwd);
  }
});

test('sqlite: the planner uses the indexes meant for each question', async () => {
  const s = openSqlite(':memory:') as SqliteStore;
  try {
    await s.insert(dataset().items);
    const plan = (q: { text: string; params: unknown[] }) => s.explain(q).join(' | ');
    assert.match(plan(eventQuerySql('sqlite', { user: 'alice', since: 1 })), /USING INDEX events_user_time \(user_name=\? AND time>\?\)/);
    assert.match(plan(eventQuerySql('sqlite', { verb: 'get' })), /USING INDEX events_verb_time/);
    assert.match(plan(eventQuerySql('sqlite', { namespace: 'prod', order: 'desc' })), /USING INDEX events_namespace_time/);
    assert.match(plan(eventQuerySql('sqlite', { resource: 'pods', namespace: 'prod', name: 'web-1' })), /USING INDEX events_object_time/);
    assert.match(plan(eventQuerySql('sqlite', { name: 'web-1' })), /USING INDEX events_name_time/);
    assert.match(plan(eventQuerySql('sqlite', { userAgent: 'curl/8.5.0' })), /USING INDEX events_agent_time/);
    assert.match(plan(eventQuerySql('sqlite', { denied: true })), /USING INDEX events_denied_time/);
    assert.match(plan(eventQuerySql('sqlite', { code: 403 })), /USING INDEX events_error_time/);
    assert.match(plan(eventQuerySql('sqlite', { subresource: 'exec' })), /USING INDEX events_subresource_time/);
    assert.match(plan(eventQuerySql('sqlite', { since: 1, until: 2 })), /USING INDEX events_time/);
    assert.match(plan(eventQuerySql('sqlite', { group: 'developers', verb: 'get' })), /SEARCH g USING PRIMARY KEY \(grp=\?\).*SEARCH e USING INTEGER PRIMARY KEY/);
    assert.match(plan(eventQuerySql('sqlite', { sourceIp: '10.0.0.1' })), /SEARCH s USING PRIMARY KEY \(ip=\?\)/);
    const who = plan(whoTouchedSql('sqlite', { resource: 'pods', namespace: 'prod', name: 'web-1' }));
    assert.match(who, /SEARCH e USING INDEX events_object_time \(resource=\? AND namespace=\? AND name=\?\)/);
    assert.match(who, /SEARCH o USING COVERING INDEX sqlite_autoindex_events_1 \(audit_id=\?\)/);
    assert.doesNotMatch(who, /TEMP B-TREE/, 'rows come in time order from the index');
    assert.match(plan(summarySql('sqlite', {}).deniedByUser), /USING (COVERING )?INDEX events_denied_user_time/);
  } finally {
    await s.close();
  }
});
