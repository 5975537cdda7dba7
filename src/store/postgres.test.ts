// The store suite against PostgreSQL when PALISADE_TEST_POSTGRES holds a connection URL (each
// store gets a schema of its own, dropped at the end); connection errors need no server.
//
//   PALISADE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/palisade_test   run the suite
//   PALISADE_REQUIRE_POSTGRES=1                                               fail (not skip) without it
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import { openStore } from './open.js';
import { parsePostgresUrl } from './postgres.js';
import { storeSuite } from './suite.js';

const url = process.env.PALISADE_TEST_POSTGRES;
const required = process.env.PALISADE_REQUIRE_POSTGRES === '1';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('postgres: an unreachable server is one clear line, quickly, without the password', async () => {
  const port = await closedPort();
  const t0 = Date.now();
  await assert.rejects(openStore(`postgres://palisade:s3cr%40t-pw@127.0.0.1:${port}/audit`), (e: Error) => {
    assert.equal(e.message, `cannot connect to PostgreSQL at 127.0.0.1:${port}/audit: connection refused`);
    assert.ok(!e.message.includes('s3cr') && !String(e.stack).includes('s3cr'));
    return true;
  });
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  await assert.rejects(openStore(`postgresql://127.0.0.1:${port}/x`), { message: `cannot connect to PostgreSQL at 127.0.0.1:${port}/x: connection refused` });
});

test('postgres: a host that does not resolve, a URL that does not parse, a schema that is not an identifier', async () => {
  await assert.rejects(openStore('postgres://u:hunter2@no-such-host.invalid:5432/db'), { message: 'cannot connect to PostgreSQL at no-such-host.invalid:5432/db: host not found' });
  await assert.rejects(openStore('postgres://u:hunter2@[bad'), (e: Error) => {
    assert.equal(e.message, 'cannot connect to PostgreSQL: the connection URL is not a valid URL');
    return true;
  });
  await assert.rejects(openStore('postgres://u:pw@127.0.0.1:1/db?schema=a;drop'), { message: 'cannot open PostgreSQL store at 127.0.0.1:1/db: schema must be a plain identifier (letters, digits, _), got "a;drop"' });
});

test('postgres: the URL label names host:port/database only', () => {
  assert.deepEqual(parsePostgresUrl('postgres://u:p%20w@db.example:6543/audit?schema=s1&sslmode=require'), {
    connectionString: 'postgres://u:p%20w@db.example:6543/audit?sslmode=require',
    schema: 's1',
    label: 'db.example:6543/audit',
    secrets: ['p%20w', 'p w'],
  });
  assert.equal(parsePostgresUrl('postgresql://localhost/x').label, 'localhost:5432/x');
});

if (!url) {
  if (required) {
    test('postgres: PALISADE_REQUIRE_POSTGRES=1 needs PALISADE_TEST_POSTGRES', () => {
      assert.fail('PALISADE_REQUIRE_POSTGRES=1 but PALISADE_TEST_POSTGRES is not set: the PostgreSQL store tests cannot run');
    });
  } else {
    test('postgres: store suite', { skip: 'PALISADE_TEST_POSTGRES is not set (a postgres:// URL of a database where the tests may create schemas)' }, () => {});
  }
} else {
  const base = url;
  const schemas: string[] = [];
  const stamp = `${process.pid}_${Date.now()}`;
  const fresh = async (): Promise<string> => {
    const schema = `palisade_test_${stamp}_${schemas.length}`;
    schemas.push(schema);
    const u = new URL(base);
    u.searchParams.set('schema', schema);
    return u.toString();
  };
  after(async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await c.end();
    }
  });

  storeSuite({ name: 'postgres', shared: true, fresh });

  test('postgres: a database that does not exist is named in one line', async () => {
    const u = new URL(base);
    u.pathname = '/palisade_no_such_database';
    const label = `${u.hostname}:${u.port || 5432}/palisade_no_such_database`;
    await assert.rejects(openStore(u.toString()), { message: `cannot connect to PostgreSQL at ${label}: database "palisade_no_such_database" does not exist` });
  });

  test('postgres: stores opening one new schema at once migrate it once', async () => {
    const spec = await fresh();
    const stores = await Promise.all([openStore(spec), openStore(spec), openStore(spec)]);
    try {
      const r = await Promise.all(stores.map((s) => s.insert([{ record: { auditId: 'same', stage: 'ResponseComplete', level: 'Metadata', time: 5, received: 5, user: 'u', groups: [], impersonatedUser: '', verb: 'get', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: '', name: '', requestUri: '/', code: 200, decision: 'allow', sourceIps: [], userAgent: '', event: '{}' }, alerts: [] }])));
      assert.equal(r.reduce((n, x) => n + x.insertedCount, 0), 1, 'concurrent duplicates: exactly one stored');
      assert.equal((await stores[0].stats()).events, 1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
}
