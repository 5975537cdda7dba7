// The store suite against SQLite (a file and :memory:), and what only SQLite has: file errors,
// the default ./palisade.db, WAL, the indexes its planner picks.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from './open.js';
import { SCHEMA_VERSION } from './schema.js';
import { BLOCK_EVENTS, BUCKET_MICROS } from './block.js';
import { MIGRATIONS } from './schema.js';
import { alert, dataset, rec, S, storeSuite, T0 } from './suite.js';
import type { IngestItem } from './types.js';

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
    assert.equal(raw.prepare('SELECT sum(n) FROM blocks').pluck().get(), 10);
    raw.close();
    // '' is the default too.
    const again = await openStore('');
    assert.equal((await again.stats()).events, 10);
    await again.close();
  } finally {
    process.chdir(cwd);
  }
});

/** The raw rows of a store's file, for checking the layout. */
function raw<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const bucket0 = T0 - (T0 % BUCKET_MICROS);

test('sqlite: blocks hold at most BLOCK_EVENTS events of one time bucket; ids follow insertion within a bucket', async () => {
  const file = join(dir, 'blocks.db');
  const s = await openStore(file);
  const items: IngestItem[] = [];
  // 2,500 events in one bucket, 10 in the next one interleaved with them.
  for (let i = 0; i < 2510; i++) {
    const next = i % 251 === 0;
    items.push({ record: rec({ auditId: `k${i}`, time: next ? bucket0 + BUCKET_MICROS + i : bucket0 + i }), alerts: [] });
  }
  assert.equal((await s.insert(items)).insertedCount, 2510);
  const evs = await s.queryEvents({ limit: 5000 });
  assert.equal(evs.length, 2510);
  const first = evs.filter((e) => e.time < bucket0 + BUCKET_MICROS);
  for (let k = 1; k < first.length; k++) assert.ok(first[k].id > first[k - 1].id, 'same bucket: ids in insertion (= time) order');
  await s.close();
  assert.deepEqual(raw(file, (db) => db.prepare('SELECT n FROM blocks ORDER BY id').pluck().all()), [BLOCK_EVENTS, BLOCK_EVENTS, 2500 - 2 * BLOCK_EVENTS, 10]);
});

test('sqlite: retention of part of a block keeps the other events, their ids, alerts and posting lists', async () => {
  const file = join(dir, 'partial.db');
  const s = await openStore(file);
  const recs = Array.from({ length: 10 }, (_, k) => rec({ auditId: `p${k}`, time: T0 + k * S, user: k < 4 ? 'gone' : 'kept', name: `obj-${k % 2}`, verb: 'update' }));
  await s.insert(recs.map((r) => ({ record: r, alerts: [alert(r, 'R')] })));
  const before = await s.queryEvents({});
  assert.deepEqual(await s.applyRetention({ maxAgeMicros: 0, now: T0 + 4 * S }), { events: 4, alerts: 4 });
  const after = await s.queryEvents({});
  assert.deepEqual(after, before.slice(4), 'the rest unchanged, ids too');
  assert.deepEqual(await s.queryEvents({ user: 'gone' }), []);
  assert.deepEqual((await s.queryEvents({ user: 'kept', name: 'obj-1' })).map((e) => e.auditId), ['p5', 'p7', 'p9']);
  assert.deepEqual((await s.whoTouched({ resource: 'pods', namespace: 'prod', name: 'obj-0' })).map((e) => e.auditId), ['p4', 'p6', 'p8']);
  assert.deepEqual((await s.queryAlerts({})).map((a) => a.auditId), ['p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
  assert.deepEqual((await s.stats()).oldest, T0 + 4 * S);
  // A removed event may be stored again (its duplicate key went with it); a kept one may not.
  assert.deepEqual((await s.insert([{ record: recs[0], alerts: [] }, { record: recs[5], alerts: [] }])).inserted, [true, false]);
  await s.close();
  raw(file, (db) => {
    const alertIds = db.prepare('SELECT event_id FROM alerts ORDER BY event_id').pluck().all();
    assert.deepEqual(alertIds, after.map((e) => e.id), 'alerts still point at their events');
    assert.equal(db.prepare('SELECT count(*) FROM postings WHERE key = (SELECT id FROM dict WHERE s = ?) * 16').pluck().get('gone'), 1, "'gone' is posted once more: by the re-stored p0's block only");
  });
});

test('sqlite: a lone surrogate is stored as U+FFFD without disturbing the events stored with it', async () => {
  const s = await openStore(':memory:');
  try {
    await s.insert([
      { record: rec({ auditId: 'a\ud800', time: T0, requestUri: '/x\udc00y', event: '{"x":"\ud800"}' }), alerts: [] },
      { record: rec({ auditId: 'next', time: T0 + 1, requestUri: '/after', event: '{"after":true}' }), alerts: [] },
    ]);
    const [a, b] = await s.queryEvents({});
    assert.equal(a.auditId, 'a\ufffd');
    assert.equal(a.requestUri, '/x\ufffdy');
    assert.equal(a.event, '{"x":"\ufffd"}');
    assert.deepEqual([b.auditId, b.requestUri, b.event], ['next', '/after', '{"after":true}']);
  } finally {
    await s.close();
  }
});

test('sqlite: a version 1 file (a row per event) is moved into blocks when opened', async () => {
  const file = join(dir, 'v1.db');
  const db = new Database(file);
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1')");
  for (const sql of MIGRATIONS[0].sqlite) db.exec(sql);
  const id = (str: string) => {
    db.prepare('INSERT OR IGNORE INTO dict (s) VALUES (?)').run(str);
    return db.prepare('SELECT id FROM dict WHERE s = ?').pluck().get(str) as number;
  };
  const ins = db.prepare(`INSERT INTO events (received, audit_id, stage_id, time, level_id, user_id, group_set, impersonated_id, verb_id, api_group_id,
    api_version_id, resource_id, subresource_id, namespace_id, name_id, code, decision_id, ip_set, agent_id, bytes, request_uri, event)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const [k, user] of [[1, 'alice'], [2, 'bob'], [3, 'alice']] as const) {
    const event = JSON.stringify({ auditID: `v${k}` });
    ins.run(T0 + k, `v${k}`, id('ResponseComplete'), T0 + k, id('Metadata'), id(user), id('["developers"]'), id(''), id('create'), id(''), id('v1'),
      id('pods'), id(''), id('prod'), id(`pod-${k}`), 201, id('allow'), id('["10.0.0.1"]'), id('kubectl'), event.length, `/api/v1/${k}`, event);
  }
  db.prepare("INSERT INTO set_members (kind, member, set_id) VALUES (1, 'developers', ?), (2, '10.0.0.1', ?)").run(id('["developers"]'), id('["10.0.0.1"]'));
  db.prepare("INSERT INTO alerts (event_id, audit_id, stage, time, rule, priority, source, output, alert) VALUES (2, 'v2', 'ResponseComplete', ?, 'R', 'Warning', 'k8s_audit', 'o', '{}')").run(T0 + 2);
  db.prepare('UPDATE totals SET events = 3, alerts = 1, bytes = 42').run();
  db.close();

  const s = await openStore(file);
  try {
    const evs = await s.queryEvents({});
    assert.deepEqual(evs.map((e) => [e.auditId, e.user, e.name, e.code, e.groups, e.sourceIps, e.requestUri]), [
      ['v1', 'alice', 'pod-1', 201, ['developers'], ['10.0.0.1'], '/api/v1/1'],
      ['v2', 'bob', 'pod-2', 201, ['developers'], ['10.0.0.1'], '/api/v1/2'],
      ['v3', 'alice', 'pod-3', 201, ['developers'], ['10.0.0.1'], '/api/v1/3'],
    ]);
    assert.deepEqual((await s.queryEvents({ user: 'alice', group: 'developers' })).map((e) => e.auditId), ['v1', 'v3']);
    assert.deepEqual((await s.queryAlerts({})).map((a) => a.auditId), ['v2']);
    const st = await s.stats();
    assert.deepEqual([st.events, st.alerts, st.bytes], [3, 1, evs.reduce((n, e) => n + e.event.length, 0)]);
    const { id: _, ...moved } = evs[1];
    assert.equal((await s.insert([{ record: moved, alerts: [] }])).duplicates, 1, 'the moved keys still dedupe');
  } finally {
    await s.close();
  }
  raw(file, (d) => {
    assert.equal(d.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('events_v1', 'alerts_v1')").pluck().get(), 0);
    assert.equal(d.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
    assert.equal(d.prepare('SELECT alerts.event_id = (SELECT min(id) FROM blocks) * 4096 + 1 FROM alerts').pluck().get(), 1, "the alert points at v2's new id");
  });
});
