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
    const plan = (q: { text: string; params: unknown[] } | null) => {
      assert.ok(q, 'a query to run');
      return s.explain(q).join(' | ');
    };
    const ev = (q: Parameters<SqliteStore['queryEvents']>[0]) => plan(s.sqlOf('events', q));
    assert.match(ev({ user: 'alice', since: 1 }), /USING INDEX events_user_time \(user_id=\? AND time>\?\)/);
    assert.match(ev({ verb: 'create' }), /USING INDEX events_verb_time \(verb_id=\?\)/);
    assert.match(ev({ verb: ['create', 'delete'], order: 'desc' }), /USING INDEX events_verb_time/);
    assert.match(ev({ verb: 'get' }), /SCAN e USING INDEX events_time/, 'a common verb walks the time index');
    assert.match(ev({ namespace: 'prod', order: 'desc' }), /USING INDEX events_namespace_time/);
    assert.match(ev({ resource: 'pods', namespace: 'prod', name: 'web-1' }), /USING INDEX events_(object|name)_time/);
    assert.match(ev({ name: 'web-1' }), /USING INDEX events_name_time/);
    assert.match(ev({ userAgent: 'curl/8.5.0' }), /USING INDEX events_agent_time/);
    assert.match(ev({ denied: true }), /USING INDEX events_denied_time/);
    assert.match(ev({ code: 403 }), /USING INDEX events_error_time/);
    assert.match(ev({ subresource: 'exec' }), /USING INDEX events_subresource_time/);
    assert.match(ev({ since: 1, until: 2 }), /USING INDEX events_time/);
    assert.match(ev({ group: 'developers', verb: 'get' }), /USING INDEX events_groups_time \(group_set=\?\)/);
    assert.match(ev({ sourceIp: '10.0.0.2' }), /USING INDEX events_ips_time \(ip_set=\?\)/);
    // A group held by several sets: each set read in time order, merged.
    const many = ev({ group: 'system:authenticated' });
    assert.equal(many.match(/USING INDEX events_groups_time \(group_set=\?\)/g)?.length, 3);
    assert.doesNotMatch(ev({ user: 'alice' }), /TEMP B-TREE/);
    const who = plan(s.sqlOf('whoTouched', { resource: 'pods', namespace: 'prod', name: 'web-1' }));
    assert.match(who, /SEARCH e USING INDEX events_object_writes_time \(resource_id=\? AND namespace_id=\? AND name_id=\?\)/);
    const reads = plan(s.sqlOf('whoTouched', { resource: 'pods', namespace: 'prod', name: 'web-1', verbs: ['get', 'create'] }));
    assert.match(reads, /SEARCH e USING INDEX events_object_time \(resource_id=\? AND namespace_id=\? AND name_id=\?\)/);
    // Ties in time are put in id order per time value (the verb sits between them in the index); rows still stream.
    assert.doesNotMatch(reads.replace('USE TEMP B-TREE FOR LAST TERM OF ORDER BY', ''), /TEMP B-TREE/);
    assert.match(who, /SEARCH o USING COVERING INDEX sqlite_autoindex_events_1 \(received=\? AND audit_id=\?\)/);
    assert.doesNotMatch(who, /TEMP B-TREE/, 'rows come in time order from the index');
    assert.match(plan(s.sqlOf('summary', {}).deniedByUser), /USING (COVERING )?INDEX events_denied_user_time/);
    // Strings no event has are answered without a query.
    assert.equal(s.sqlOf('events', { user: 'nobody' }), null);
    assert.equal(s.sqlOf('events', { group: 'nobody' }), null);
    assert.equal(s.sqlOf('whoTouched', { resource: 'pods', name: 'never-seen' }), null);
  } finally {
    await s.close();
  }
});
