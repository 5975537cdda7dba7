/**
 * The store's behaviour, written once and run against every backend (sqlite.test.ts,
 * postgres.test.ts): the same inserts, the same questions, the same expected answers.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../perf/corpus.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { durabilityItem } from './durability-child.js';
import { openStore } from './open.js';
import type { AlertRecord, AuditRecord, IngestItem, Store, StoredEvent } from './types.js';

export interface Backend {
  name: string;
  /** A spec (for openStore) of a new, empty store. */
  fresh(): Promise<string>;
  /** Whether the spec names something another process can open (false for :memory:). */
  shared: boolean;
}

/** µs */
export const S = 1_000_000;
export const T0 = Date.UTC(2026, 10, 22) * 1000;

let seq = 0;

/** A record with sensible defaults; `event` is a JSON text naming its auditID. */
export function rec(o: Partial<AuditRecord> & { auditId?: string }): AuditRecord {
  const auditId = o.auditId ?? `id-${++seq}`;
  const time = o.time ?? T0;
  const r: AuditRecord = {
    auditId,
    stage: 'ResponseComplete',
    level: 'Metadata',
    time,
    received: o.received ?? time,
    user: 'alice',
    groups: ['developers', 'system:authenticated'],
    impersonatedUser: '',
    verb: 'get',
    apiGroup: '',
    apiVersion: 'v1',
    resource: 'pods',
    subresource: '',
    namespace: 'prod',
    name: '',
    requestUri: '/api/v1',
    code: 200,
    decision: 'allow',
    sourceIps: ['192.168.1.1'],
    userAgent: 'kubectl/v1.31.2',
    event: '',
    ...o,
  };
  if (!o.event) r.event = JSON.stringify({ kind: 'Event', auditID: auditId, stage: r.stage, verb: r.verb });
  return r;
}

export function alert(r: AuditRecord, rule: string, priority = 'Warning'): AlertRecord {
  return { auditId: r.auditId, stage: r.stage, time: r.time, rule, priority, source: 'k8s_audit', output: `${rule} (user=${r.user})`, alert: JSON.stringify({ rule, priority, time: r.time }) };
}

function item(record: AuditRecord, ...alerts: AlertRecord[]): IngestItem {
  return { record, alerts };
}

const ids = (evs: readonly StoredEvent[]) => evs.map((e) => e.auditId);

/**
 * The query data set: ten requests a second apart (e1 … e10).
 *
 *   e1  alice            get    pods               prod             200 allow  web-1
 *   e2  alice            list   secrets            prod             403 forbid
 *   e3  bob              create deployments (apps) prod             201 allow  api
 *   e4  system:anonymous get    /healthz           -                401 ''
 *   e5  bob              patch  deployments/scale  prod             200 allow  api
 *   e6  alice            create pods/exec          prod             101 allow  web-1  (two source IPs)
 *   e7  system:node:n1   update leases (coord.)    kube-node-lease  200 allow  n1
 *   e8  ''               get    /version           -                200 allow
 *   e9  alice            get    secrets            prod             403 forbid db
 *   e10 carol            get    pods               staging          404 allow  web-1
 */
export function dataset(): { items: IngestItem[]; byId: Map<string, AuditRecord> } {
  const dev = ['developers', 'system:authenticated'];
  const ci = ['ci', 'system:authenticated'];
  const t = (k: number) => T0 + k * S;
  const recs: AuditRecord[] = [
    rec({ auditId: 'e1', time: t(1), user: 'alice', groups: dev, verb: 'get', resource: 'pods', namespace: 'prod', name: 'web-1', code: 200 }),
    rec({ auditId: 'e2', time: t(2), user: 'alice', groups: dev, verb: 'list', resource: 'secrets', namespace: 'prod', code: 403, decision: 'forbid' }),
    rec({ auditId: 'e3', time: t(3), user: 'bob', groups: ci, verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'prod', name: 'api', code: 201, sourceIps: ['10.0.0.2'], userAgent: 'argocd/v2.12' }),
    rec({ auditId: 'e4', time: t(4), user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', resource: '', namespace: '', requestUri: '/healthz', code: 401, decision: '', sourceIps: ['203.0.113.9'], userAgent: 'curl/8.5.0' }),
    rec({ auditId: 'e5', time: t(5), user: 'bob', groups: ci, verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'prod', name: 'api', code: 200, sourceIps: ['10.0.0.2'], userAgent: 'argocd/v2.12' }),
    rec({ auditId: 'e6', time: t(6), user: 'alice', groups: dev, verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web-1', code: 101, sourceIps: ['192.168.1.1', '10.0.0.9'] }),
    rec({ auditId: 'e7', time: t(7), user: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'], verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1', code: 200, sourceIps: ['10.0.1.10'], userAgent: 'kubelet/v1.31.2' }),
    rec({ auditId: 'e8', time: t(8), user: '', groups: [], verb: 'get', resource: '', namespace: '', requestUri: '/version', code: 200, sourceIps: ['203.0.113.9'], userAgent: 'curl/8.5.0' }),
    rec({ auditId: 'e9', time: t(9), user: 'alice', groups: dev, verb: 'get', resource: 'secrets', namespace: 'prod', name: 'db', code: 403, decision: 'forbid' }),
    rec({ auditId: 'e10', time: t(10), user: 'carol', groups: dev, verb: 'get', resource: 'pods', namespace: 'staging', name: 'web-1', code: 404, sourceIps: ['192.168.1.3'] }),
  ];
  const byId = new Map(recs.map((r) => [r.auditId, r]));
  const g = (id: string) => byId.get(id)!;
  const alerts: Record<string, AlertRecord[]> = {
    e2: [alert(g('e2'), 'Secret access', 'Warning')],
    e6: [alert(g('e6'), 'Exec into pod', 'Notice'), alert(g('e6'), 'Terminal shell', 'Critical')],
    e9: [alert(g('e9'), 'Secret access', 'Warning')],
  };
  // Inserted out of time order (ids do not follow time): ordering must come from time.
  const order = ['e3', 'e1', 'e2', 'e5', 'e4', 'e6', 'e8', 'e7', 'e10', 'e9'];
  return { items: order.map((id) => item(g(id), ...(alerts[id] ?? []))), byId };
}

export function storeSuite(b: Backend): void {
  const name = (s: string) => `${b.name}: ${s}`;

  async function withStore<T>(fn: (s: Store, spec: string) => Promise<T>): Promise<T> {
    const spec = await b.fresh();
    const s = await openStore(spec);
    try {
      return await fn(s, spec);
    } finally {
      await s.close();
    }
  }

  async function withData<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    return withStore(async (s) => {
      const r = await s.insert(dataset().items);
      assert.equal(r.insertedCount, 10);
      return fn(s);
    });
  }

  test(name('kind and an empty store'), () =>
    withStore(async (s) => {
      assert.equal(s.kind, b.name.startsWith('postgres') ? 'postgres' : 'sqlite');
      assert.deepEqual(await s.stats(), { events: 0, alerts: 0, bytes: 0, oldest: null, newest: null });
      assert.deepEqual(await s.queryEvents({}), []);
      assert.deepEqual(await s.queryAlerts({}), []);
      assert.deepEqual(await s.insert([]), { inserted: [], insertedCount: 0, duplicates: 0 });
      assert.deepEqual(await s.summary({}), { events: 0, first: null, last: null, topUsers: [], verbs: [], topResources: [], deniedByUser: [], anonymous: 0, alertsByRule: [] });
    }));

  test(name('a record comes back exactly, with its id; bytes are UTF-8 bytes'), () =>
    withStore(async (s) => {
      const r = rec({
        auditId: 'round-trip', stage: 'RequestReceived', level: 'RequestResponse', time: T0 + 123_456, received: T0 + 100_001,
        user: 'jürgen', groups: [], impersonatedUser: 'system:serviceaccount:ops:bot', verb: 'create', apiGroup: 'rbac.authorization.k8s.io',
        apiVersion: 'v1', resource: 'clusterroles', subresource: '', namespace: '', name: 'ops-hélper', requestUri: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        code: null, decision: '', sourceIps: ['2001:db8::1', '10.0.0.1'], userAgent: 'kubectl/v1.31 (linux/amd64)',
        event: JSON.stringify({ auditID: 'round-trip', note: 'ünïcødé ✓ "quotes" \\ back\nslash' }),
      });
      await s.insert([item(r)]);
      const [got] = await s.queryEvents({});
      assert.equal(typeof got.id, 'number');
      assert.deepEqual(got, { ...r, id: got.id });
      const st = await s.stats();
      assert.equal(st.bytes, Buffer.byteLength(r.event, 'utf8'));
      assert.ok(st.bytes > r.event.length, 'multi-byte characters count as their UTF-8 bytes');
      assert.equal(st.oldest, T0 + 123_456);
      assert.equal(st.newest, T0 + 123_456);
    }));

  test(name('insert: duplicates by auditID + stage are skipped with their alerts; another stage is another row'), () =>
    withStore(async (s) => {
      const a = rec({ auditId: 'dup', stage: 'ResponseComplete', time: T0 + 2 * S });
      const aAgain = rec({ ...a, event: JSON.stringify({ again: true }) });
      const aReceived = rec({ auditId: 'dup', stage: 'RequestReceived', time: T0 + S, code: null });
      const other = rec({ auditId: 'other', time: T0 + 3 * S });
      const r1 = await s.insert([item(a, alert(a, 'R1')), item(aAgain, alert(aAgain, 'R1')), item(other)]);
      assert.deepEqual(r1, { inserted: [true, false, true], insertedCount: 2, duplicates: 1 });
      const r2 = await s.insert([item(aReceived, alert(aReceived, 'R0')), item(a, alert(a, 'R1'), alert(a, 'R2')), item(other)]);
      assert.deepEqual(r2, { inserted: [true, false, false], insertedCount: 1, duplicates: 2 });
      const evs = await s.queryEvents({});
      assert.deepEqual(evs.map((e) => [e.auditId, e.stage]), [['dup', 'RequestReceived'], ['dup', 'ResponseComplete'], ['other', 'ResponseComplete']]);
      // The first copy is the one kept.
      assert.equal(evs[1].event, a.event);
      assert.ok(evs[0].id > evs[1].id && evs[1].id < evs[2].id, 'ids follow insertion order');
      const als = await s.queryAlerts({});
      assert.deepEqual(als.map((x) => [x.auditId, x.stage, x.rule]), [['dup', 'RequestReceived', 'R0'], ['dup', 'ResponseComplete', 'R1']]);
      const st = await s.stats();
      assert.equal(st.events, 3);
      assert.equal(st.alerts, 2);
      assert.equal(st.bytes, [a, other, aReceived].reduce((n, r) => n + Buffer.byteLength(r.event), 0));
    }));

  test(name('insert: the duplicate key is auditID + stage + requestReceivedTimestamp (what every copy of an event shares)'), () =>
    withStore(async (s) => {
      const a = rec({ auditId: 'k', time: T0 + 2 * S, received: T0 + S });
      // The same event again, even with another stage time: a duplicate.
      const copy = rec({ ...a, time: T0 + 3 * S, event: JSON.stringify({ copy: true }) });
      // Same auditID and stage but another request time: the API server never writes this; both kept.
      const other = rec({ ...a, received: T0 + 5 * S, time: T0 + 6 * S });
      assert.deepEqual(await s.insert([item(a), item(copy), item(other)]), { inserted: [true, false, true], insertedCount: 2, duplicates: 1 });
      assert.deepEqual((await s.queryEvents({})).map((e) => [e.received, e.time]), [[T0 + S, T0 + 2 * S], [T0 + 5 * S, T0 + 6 * S]]);
    }));

  test(name('UUID auditIDs: copies are duplicates, the same UUID in capitals or without dashes is another event; stages and retention'), () =>
    withStore(async (s) => {
      const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
      const pod = { resource: 'pods', namespace: 'prod', name: 'p', verb: 'delete' };
      const a = rec({ auditId: id, stage: 'RequestReceived', time: T0 + S, code: null, ...pod });
      const upper = rec({ auditId: id.toUpperCase(), stage: 'RequestReceived', time: T0 + S, code: null, ...pod });
      const bare = rec({ auditId: id.replace(/-/g, ''), stage: 'RequestReceived', time: T0 + S, code: null, ...pod });
      assert.deepEqual((await s.insert([item(a), item(upper), item(bare), item(a)])).inserted, [true, true, true, false]);
      assert.deepEqual((await s.insert([item(rec({ ...a, event: '{"copy":1}' }))])).inserted, [false]);
      const done = rec({ auditId: id, stage: 'ResponseComplete', time: T0 + 2 * S, received: T0 + S, ...pod });
      await s.insert([item(done)]);
      assert.deepEqual((await s.whoTouched(pod)).map((e) => `${e.auditId}/${e.stage}`), [`${id.toUpperCase()}/RequestReceived`, `${id.replace(/-/g, '')}/RequestReceived`, `${id}/ResponseComplete`]);
      assert.deepEqual(await s.applyRetention({ maxAgeMicros: 0, now: T0 + 2 * S }), { events: 3, alerts: 0 });
      assert.deepEqual((await s.insert([item(a)])).inserted, [true], 'a removed event may come again');
      assert.deepEqual((await s.insert([item(done)])).inserted, [false]);
    }));

  test(name('insert is all or nothing: a bad record rolls the whole batch back'), () =>
    withStore(async (s) => {
      const good = rec({ auditId: 'good' });
      const bad = { ...rec({ auditId: 'bad' }), verb: null as unknown as string };
      await assert.rejects(s.insert([item(good, alert(good, 'R')), item(bad)]));
      assert.deepEqual(await s.stats(), { events: 0, alerts: 0, bytes: 0, oldest: null, newest: null });
      assert.deepEqual(await s.queryEvents({}), []);
      assert.deepEqual(await s.queryAlerts({}), []);
      // The store is still usable, and the good record goes in on its own.
      assert.equal((await s.insert([item(good)])).insertedCount, 1);
    }));

  test(name('queryEvents: each filter'), () =>
    withData(async (s) => {
      const q = async (x: Parameters<Store['queryEvents']>[0]) => ids(await s.queryEvents(x));
      assert.deepEqual(await q({}), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
      assert.deepEqual(await q({ user: 'alice' }), ['e1', 'e2', 'e6', 'e9']);
      assert.deepEqual(await q({ user: '' }), ['e8']);
      assert.deepEqual(await q({ group: 'developers' }), ['e1', 'e2', 'e6', 'e9', 'e10']);
      assert.deepEqual(await q({ group: 'system:authenticated' }), ['e1', 'e2', 'e3', 'e5', 'e6', 'e7', 'e9', 'e10']);
      assert.deepEqual(await q({ group: 'nobody' }), []);
      assert.deepEqual(await q({ verb: 'get' }), ['e1', 'e4', 'e8', 'e9', 'e10']);
      assert.deepEqual(await q({ verb: ['create', 'patch'] }), ['e3', 'e5', 'e6']);
      assert.deepEqual(await q({ verb: [] }), []);
      assert.deepEqual(await q({ resource: 'pods' }), ['e1', 'e6', 'e10']);
      assert.deepEqual(await q({ resource: 'pods', subresource: '' }), ['e1', 'e10']);
      assert.deepEqual(await q({ subresource: 'exec' }), ['e6']);
      assert.deepEqual(await q({ subresource: 'scale', resource: 'deployments' }), ['e5']);
      assert.deepEqual(await q({ apiGroup: 'apps' }), ['e3', 'e5']);
      assert.deepEqual(await q({ apiGroup: '' }), ['e1', 'e2', 'e4', 'e6', 'e8', 'e9', 'e10']);
      assert.deepEqual(await q({ namespace: 'prod' }), ['e1', 'e2', 'e3', 'e5', 'e6', 'e9']);
      assert.deepEqual(await q({ namespace: '' }), ['e4', 'e8']);
      assert.deepEqual(await q({ name: 'web-1' }), ['e1', 'e6', 'e10']);
      assert.deepEqual(await q({ name: 'web-1', namespace: 'prod' }), ['e1', 'e6']);
      assert.deepEqual(await q({ sourceIp: '10.0.0.9' }), ['e6']);
      assert.deepEqual(await q({ sourceIp: '192.168.1.1' }), ['e1', 'e2', 'e6', 'e9']);
      assert.deepEqual(await q({ sourceIp: '203.0.113.9' }), ['e4', 'e8']);
      assert.deepEqual(await q({ group: 'developers', sourceIp: '192.168.1.3' }), ['e10']);
      assert.deepEqual(await q({ group: 'developers', sourceIp: '10.0.0.2' }), []);
      assert.deepEqual(await q({ userAgent: 'curl/8.5.0' }), ['e4', 'e8']);
      assert.deepEqual(await q({ userAgent: 'curl' }), [], 'strings match exactly');
      assert.deepEqual(await q({ code: 403 }), ['e2', 'e9']);
      assert.deepEqual(await q({ code: 200 }), ['e1', 'e5', 'e7', 'e8']);
      assert.deepEqual(await q({ code: 101 }), ['e6']);
      assert.deepEqual(await q({ code: 404 }), ['e10']);
      assert.deepEqual(await q({ denied: true }), ['e2', 'e4', 'e9']);
      assert.deepEqual(await q({ denied: false }), ['e1', 'e3', 'e5', 'e6', 'e7', 'e8', 'e10']);
      assert.deepEqual(await q({ user: 'alice', verb: 'get', namespace: 'prod' }), ['e1', 'e9']);
      assert.deepEqual(await q({ user: 'alice', verb: 'get', namespace: 'prod', denied: true }), ['e9']);
    }));

  test(name('queryEvents: time window (since inclusive, until exclusive), order, limit'), () =>
    withData(async (s) => {
      const q = async (x: Parameters<Store['queryEvents']>[0]) => ids(await s.queryEvents(x));
      assert.deepEqual(await q({ since: T0 + 3 * S, until: T0 + 6 * S }), ['e3', 'e4', 'e5']);
      assert.deepEqual(await q({ since: T0 + 3 * S + 1, until: T0 + 6 * S + 1 }), ['e4', 'e5', 'e6']);
      assert.deepEqual(await q({ since: T0 + 9 * S }), ['e9', 'e10']);
      assert.deepEqual(await q({ until: T0 + 2 * S }), ['e1']);
      assert.deepEqual(await q({ since: T0 + 5 * S, until: T0 + 5 * S }), []);
      assert.deepEqual(await q({ order: 'desc', limit: 3 }), ['e10', 'e9', 'e8']);
      assert.deepEqual(await q({ order: 'asc', limit: 2 }), ['e1', 'e2']);
      assert.deepEqual(await q({ limit: 0 }), []);
      assert.deepEqual(await q({ group: 'developers', order: 'desc', since: T0 + 2 * S, until: T0 + 10 * S }), ['e9', 'e6', 'e2']);
      assert.deepEqual(await q({ sourceIp: '192.168.1.1', order: 'desc', limit: 2 }), ['e9', 'e6']);
      assert.deepEqual(await q({ user: 'alice', since: T0 + 2 * S, order: 'desc' }), ['e9', 'e6', 'e2']);
      await assert.rejects(s.queryEvents({ limit: -1 }), /limit must be a non-negative integer/);
      await assert.rejects(s.queryEvents({ order: 'up' as 'asc' }), /order must be 'asc' or 'desc'/);
    }));

  test(name('queryEvents: a group or source IP shared by many users (many distinct group and IP lists)'), () =>
    withStore(async (s) => {
      // 60 users, each with a group list of its own that holds 'shared' (and 'odd' for odd users),
      // and an IP list of its own that holds 10.9.9.9.
      const items: IngestItem[] = [];
      for (let u = 0; u < 60; u++) {
        for (let k = 0; k < 3; k++) {
          items.push(item(rec({
            auditId: `s-${u}-${k}`, time: T0 + (k * 60 + u) * S, user: `u${u}`,
            groups: [`team-${u}`, 'shared', ...(u % 2 ? ['odd'] : [])], sourceIps: [`10.1.0.${u}`, '10.9.9.9'],
          })));
        }
      }
      items.push(item(rec({ auditId: 'other', time: T0 + 500 * S, groups: ['elsewhere'], sourceIps: ['10.8.8.8'] })));
      await s.insert(items);
      const q = async (x: Parameters<Store['queryEvents']>[0]) => ids(await s.queryEvents(x));
      const all = await q({ group: 'shared', limit: 1000 });
      assert.equal(all.length, 180);
      assert.deepEqual(all.slice(0, 3), ['s-0-0', 's-1-0', 's-2-0']);
      assert.deepEqual(all.slice(-2), ['s-58-2', 's-59-2']);
      assert.deepEqual(await q({ group: 'shared', order: 'desc', limit: 3 }), ['s-59-2', 's-58-2', 's-57-2']);
      assert.deepEqual(await q({ group: 'odd', order: 'desc', limit: 3 }), ['s-59-2', 's-57-2', 's-55-2']);
      assert.equal((await q({ group: 'odd', limit: 1000 })).length, 90);
      assert.deepEqual(await q({ sourceIp: '10.9.9.9', since: T0 + 60 * S, limit: 2 }), ['s-0-1', 's-1-1']);
      assert.deepEqual(await q({ group: 'odd', sourceIp: '10.9.9.9', user: 'u7' }), ['s-7-0', 's-7-1', 's-7-2']);
      assert.deepEqual(await q({ group: 'shared', sourceIp: '10.1.0.5' }), ['s-5-0', 's-5-1', 's-5-2']);
      assert.deepEqual(await q({ group: 'team-5', sourceIp: '10.9.9.9', order: 'desc' }), ['s-5-2', 's-5-1', 's-5-0']);
      assert.deepEqual(await q({ group: 'shared', sourceIp: '10.8.8.8' }), []);
      assert.deepEqual(await q({ group: 'elsewhere' }), ['other']);
      assert.deepEqual(await q({ group: 'shared', until: T0 + 2 * S }), ['s-0-0', 's-1-0']);
    }));

  test(name('groups and source IPs that look alike stay apart (newlines, order, repeats, empty)'), () =>
    withStore(async (s) => {
      const lists: string[][] = [['a\nb'], ['a', 'b'], ['b', 'a'], ['a', 'a'], [], ['']];
      await s.insert(lists.map((g, k) => item(rec({ auditId: `l${k}`, time: T0 + k, groups: g, sourceIps: g }))));
      await s.insert(lists.map((g, k) => item(rec({ auditId: `m${k}`, time: T0 + 10 + k, groups: g, sourceIps: g }))));
      const evs = await s.queryEvents({});
      assert.deepEqual(evs.map((e) => e.groups), [...lists, ...lists]);
      assert.deepEqual(evs.map((e) => e.sourceIps), [...lists, ...lists]);
      const q = async (x: Parameters<Store['queryEvents']>[0]) => ids(await s.queryEvents(x));
      assert.deepEqual(await q({ group: 'a\nb' }), ['l0', 'm0']);
      assert.deepEqual(await q({ group: 'a' }), ['l1', 'l2', 'l3', 'm1', 'm2', 'm3']);
      assert.deepEqual(await q({ sourceIp: 'b' }), ['l1', 'l2', 'm1', 'm2']);
      assert.deepEqual(await q({ group: '' }), ['l5', 'm5']);
      assert.deepEqual(await q({ group: 'a\n' }), []);
    }));

  test(name('queryEvents: the default limit is 1000; ties in time are ordered by id'), () =>
    withStore(async (s) => {
      const items: IngestItem[] = [];
      for (let i = 0; i < 1001; i++) items.push(item(rec({ auditId: `n${i}`, time: T0 + Math.floor(i / 2) })));
      assert.equal((await s.insert(items)).insertedCount, 1001);
      const asc = await s.queryEvents({});
      assert.equal(asc.length, 1000);
      assert.deepEqual([asc[0].auditId, asc[1].auditId, asc[999].auditId], ['n0', 'n1', 'n999']);
      const desc = await s.queryEvents({ order: 'desc' });
      assert.equal(desc.length, 1000);
      assert.deepEqual([desc[0].auditId, desc[1].auditId, desc[999].auditId], ['n1000', 'n999', 'n1']);
      assert.equal((await s.queryEvents({ limit: 5000 })).length, 1001);
    }));

  test(name('whoTouched: one object, write verbs, subresources, one row per request, oldest first'), () =>
    withStore(async (s) => {
      const t = (k: number) => T0 + k * S;
      const pod = { resource: 'pods', namespace: 'prod', name: 'web-1' };
      const recs = [
        rec({ auditId: 'w1', time: t(1), verb: 'create', ...pod, user: 'ci' }),
        rec({ auditId: 'w2', time: t(2), verb: 'get', ...pod }),
        // A request logged at two stages: listed once, as its ResponseComplete event.
        rec({ auditId: 'w3', stage: 'RequestReceived', time: t(3), verb: 'patch', ...pod, code: null }),
        rec({ auditId: 'w3', stage: 'ResponseComplete', time: t(3) + 200_000, received: t(3), verb: 'patch', ...pod }),
        rec({ auditId: 'w4', time: t(4), verb: 'create', ...pod, subresource: 'exec', code: 101, user: 'dave' }),
        // Only its RequestReceived event arrived: still listed.
        rec({ auditId: 'w5', stage: 'RequestReceived', time: t(5), verb: 'delete', ...pod, code: null }),
        rec({ auditId: 'w6', time: t(6), verb: 'update', ...pod, namespace: 'staging' }),
        rec({ auditId: 'w7', time: t(7), verb: 'patch', ...pod, name: 'web-2' }),
        rec({ auditId: 'w8', time: t(8), verb: 'create', ...pod, apiGroup: 'metrics.k8s.io' }),
        // A request that panicked: its Panic event stands for it, not RequestReceived.
        rec({ auditId: 'w9', stage: 'RequestReceived', time: t(9), verb: 'update', ...pod, code: null }),
        rec({ auditId: 'w9', stage: 'Panic', time: t(9) + 1, received: t(9), verb: 'update', ...pod, code: 500 }),
        rec({ auditId: 'w10', time: t(10), verb: 'deletecollection', ...pod }),
        rec({ auditId: 'w11', time: t(11), verb: 'watch', ...pod }),
        rec({ auditId: 'c1', time: t(2), verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'ops-helper' }),
        rec({ auditId: 'c2', time: t(12), verb: 'delete', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'ops-helper' }),
        rec({ auditId: 'c3', time: t(13), verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', namespace: '', name: 'ops-helper' }),
      ];
      // Newest first, so that ids run against time.
      await s.insert([...recs].reverse().map((r) => item(r)));
      const w = async (x: Parameters<Store['whoTouched']>[0]) => (await s.whoTouched(x)).map((e) => `${e.auditId}/${e.stage}`);
      assert.deepEqual(await w(pod), [
        'w1/ResponseComplete', 'w3/ResponseComplete', 'w4/ResponseComplete', 'w5/RequestReceived', 'w8/ResponseComplete', 'w9/Panic', 'w10/ResponseComplete',
      ]);
      assert.deepEqual(await w({ ...pod, apiGroup: '' }), ['w1/ResponseComplete', 'w3/ResponseComplete', 'w4/ResponseComplete', 'w5/RequestReceived', 'w9/Panic', 'w10/ResponseComplete']);
      assert.deepEqual(await w({ ...pod, verbs: ['get', 'watch'] }), ['w2/ResponseComplete', 'w11/ResponseComplete']);
      assert.deepEqual(await w({ ...pod, verbs: ['create'] }), ['w1/ResponseComplete', 'w4/ResponseComplete', 'w8/ResponseComplete']);
      assert.deepEqual(await w({ ...pod, verbs: [] }), []);
      assert.deepEqual(await w({ ...pod, limit: 2 }), ['w1/ResponseComplete', 'w3/ResponseComplete']);
      assert.deepEqual(await w({ ...pod, namespace: 'staging' }), ['w6/ResponseComplete']);
      // Cluster-scoped: namespace omitted means ''.
      assert.deepEqual(await w({ resource: 'clusterroles', name: 'ops-helper' }), ['c1/ResponseComplete', 'c2/ResponseComplete']);
      assert.deepEqual(await w({ resource: 'clusterroles', name: 'ops-helper', namespace: 'prod' }), []);
      assert.deepEqual(await w({ resource: 'clusterroles', name: 'ops-helper', apiGroup: 'rbac.authorization.k8s.io' }), ['c1/ResponseComplete', 'c2/ResponseComplete']);
      const [first] = await s.whoTouched({ resource: 'pods', namespace: 'prod', name: 'web-1', limit: 1 });
      assert.equal(first.user, 'ci');
      assert.deepEqual(first, { ...recs[0], id: first.id });
    }));

  test(name('whoTouched: the stages of one request stored by different inserts, an hour apart, are one row'), () =>
    withStore(async (s) => {
      const pod = { resource: 'pods', namespace: 'prod', name: 'long-exec' };
      const received = T0 + 5 * S;
      await s.insert([item(rec({ auditId: 'x1', stage: 'RequestReceived', time: received, received, verb: 'create', subresource: 'exec', ...pod, code: null }))]);
      await s.insert([item(rec({ auditId: 'other', time: T0 + 10 * S, verb: 'patch', ...pod }))]);
      assert.deepEqual((await s.whoTouched(pod)).map((e) => `${e.auditId}/${e.stage}`), ['x1/RequestReceived', 'other/ResponseComplete']);
      await s.insert([item(rec({ auditId: 'x1', stage: 'ResponseComplete', time: received + 3600 * S, received, verb: 'create', subresource: 'exec', ...pod, code: 101 }))]);
      assert.deepEqual((await s.whoTouched(pod)).map((e) => `${e.auditId}/${e.stage}`), ['other/ResponseComplete', 'x1/ResponseComplete']);
    }));

  test(name('queryAlerts: time window, rule, priorities, order, limit; fields as inserted'), () =>
    withData(async (s) => {
      const all = await s.queryAlerts({});
      assert.deepEqual(all.map((a) => [a.auditId, a.rule, a.priority]), [
        ['e2', 'Secret access', 'Warning'],
        ['e6', 'Exec into pod', 'Notice'],
        ['e6', 'Terminal shell', 'Critical'],
        ['e9', 'Secret access', 'Warning'],
      ]);
      const e6 = dataset().byId.get('e6')!;
      const exec = all[1];
      assert.deepEqual(exec, { ...alert(e6, 'Exec into pod', 'Notice'), id: exec.id });
      const rules = async (x: Parameters<Store['queryAlerts']>[0]) => (await s.queryAlerts(x)).map((a) => `${a.auditId}:${a.rule}`);
      assert.deepEqual(await rules({ rule: 'Secret access' }), ['e2:Secret access', 'e9:Secret access']);
      assert.deepEqual(await rules({ priorities: ['Critical', 'Notice'] }), ['e6:Exec into pod', 'e6:Terminal shell']);
      assert.deepEqual(await rules({ priorities: [] }), []);
      assert.deepEqual(await rules({ since: T0 + 6 * S, until: T0 + 9 * S }), ['e6:Exec into pod', 'e6:Terminal shell']);
      assert.deepEqual(await rules({ since: T0 + 6 * S + 1 }), ['e9:Secret access']);
      assert.deepEqual(await rules({ order: 'desc', limit: 2 }), ['e9:Secret access', 'e6:Terminal shell']);
      assert.deepEqual(await rules({ rule: 'Secret access', order: 'desc', limit: 1 }), ['e9:Secret access']);
      assert.deepEqual(await rules({ rule: 'nothing' }), []);
    }));

  test(name('summary: counts, top lists, denied, anonymous, alerts by rule, window'), () =>
    withData(async (s) => {
      assert.deepEqual(await s.summary({}), {
        events: 10,
        first: T0 + S,
        last: T0 + 10 * S,
        topUsers: [
          { key: 'alice', count: 4 },
          { key: 'bob', count: 2 },
          { key: '', count: 1 },
          { key: 'carol', count: 1 },
          { key: 'system:anonymous', count: 1 },
          { key: 'system:node:n1', count: 1 },
        ],
        verbs: [
          { key: 'get', count: 5 },
          { key: 'create', count: 2 },
          { key: 'list', count: 1 },
          { key: 'patch', count: 1 },
          { key: 'update', count: 1 },
        ],
        topResources: [
          { key: 'pods', count: 2 },
          { key: 'secrets', count: 2 },
          { key: 'deployments', count: 1 },
          { key: 'deployments/scale', count: 1 },
          { key: 'leases', count: 1 },
          { key: 'pods/exec', count: 1 },
        ],
        deniedByUser: [
          { key: 'alice', count: 2 },
          { key: 'system:anonymous', count: 1 },
        ],
        anonymous: 2,
        alertsByRule: [
          { key: 'Secret access', count: 2 },
          { key: 'Exec into pod', count: 1 },
          { key: 'Terminal shell', count: 1 },
        ],
      });
      // e2 … e6, top 1.
      assert.deepEqual(await s.summary({ since: T0 + 2 * S, until: T0 + 7 * S, top: 1 }), {
        events: 5,
        first: T0 + 2 * S,
        last: T0 + 6 * S,
        topUsers: [{ key: 'alice', count: 2 }],
        verbs: [
          { key: 'create', count: 2 },
          { key: 'get', count: 1 },
          { key: 'list', count: 1 },
          { key: 'patch', count: 1 },
        ],
        topResources: [{ key: 'deployments', count: 1 }],
        deniedByUser: [{ key: 'alice', count: 1 }],
        anonymous: 1,
        alertsByRule: [
          { key: 'Exec into pod', count: 1 },
          { key: 'Secret access', count: 1 },
          { key: 'Terminal shell', count: 1 },
        ],
      });
    }));

  test(name('retention by age: older events go with their alerts and side rows; the boundary stays'), () =>
    withData(async (s) => {
      const now = T0 + 100 * S;
      // Older than now - 94 s = T0 + 6 s: e1 … e5 go (e6 is exactly at the boundary and stays).
      assert.deepEqual(await s.applyRetention({ maxAgeMicros: 94 * S, now }), { events: 5, alerts: 1 });
      assert.deepEqual(ids(await s.queryEvents({})), ['e6', 'e7', 'e8', 'e9', 'e10']);
      assert.deepEqual((await s.queryAlerts({})).map((a) => `${a.auditId}:${a.rule}`), ['e6:Exec into pod', 'e6:Terminal shell', 'e9:Secret access']);
      assert.deepEqual(ids(await s.queryEvents({ group: 'developers' })), ['e6', 'e9', 'e10']);
      assert.deepEqual(ids(await s.queryEvents({ sourceIp: '10.0.0.2' })), []);
      assert.deepEqual(ids(await s.queryEvents({ sourceIp: '203.0.113.9' })), ['e8']);
      const d = dataset().byId;
      const st = await s.stats();
      assert.deepEqual(st, {
        events: 5,
        alerts: 3,
        bytes: ['e6', 'e7', 'e8', 'e9', 'e10'].reduce((n, id) => n + Buffer.byteLength(d.get(id)!.event), 0),
        oldest: T0 + 6 * S,
        newest: T0 + 10 * S,
      });
      assert.deepEqual(await s.applyRetention({ maxAgeMicros: 94 * S, now }), { events: 0, alerts: 0 });
      // Without `now`, the clock: everything of 2026-11-22 is older than a second before now… unless the clock is earlier.
      if (Date.now() * 1000 > T0 + 11 * S) assert.deepEqual(await s.applyRetention({ maxAgeMicros: S }), { events: 5, alerts: 3 });
    }));

  test(name('retention by bytes: the oldest go until the rest fits'), () =>
    withStore(async (s) => {
      const recs = Array.from({ length: 10 }, (_, k) => rec({ auditId: `b${k}`, time: T0 + (10 - k) * S, event: JSON.stringify({ k, pad: 'x'.repeat(90 + k) }) }));
      const size = (r: AuditRecord) => Buffer.byteLength(r.event);
      await s.insert(recs.map((r, k) => item(r, ...(k % 3 === 0 ? [alert(r, 'R')] : []))));
      const total = recs.reduce((n, r) => n + size(r), 0);
      assert.equal((await s.stats()).bytes, total);
      assert.deepEqual(await s.applyRetention({ maxBytes: total }), { events: 0, alerts: 0 });
      // Oldest by time are b9, b8, b7 …: one byte too many removes b9 only.
      assert.deepEqual(await s.applyRetention({ maxBytes: total - 1 }), { events: 1, alerts: 1 });
      assert.equal((await s.stats()).bytes, total - size(recs[9]));
      // Keep at most what b0 … b3 weigh: b8 … b4 go (their alerts: b6).
      const keep = recs.slice(0, 4).reduce((n, r) => n + size(r), 0);
      assert.deepEqual(await s.applyRetention({ maxBytes: keep }), { events: 5, alerts: 1 });
      assert.deepEqual(ids(await s.queryEvents({})), ['b3', 'b2', 'b1', 'b0']);
      assert.deepEqual((await s.queryAlerts({})).map((a) => a.auditId), ['b3', 'b0']);
      assert.deepEqual(await s.stats(), { events: 4, alerts: 2, bytes: keep, oldest: T0 + 7 * S, newest: T0 + 10 * S });
      // Both limits at once; 0 bytes empties the store.
      assert.deepEqual(await s.applyRetention({ maxAgeMicros: 0, now: T0 + 8 * S, maxBytes: 0 }), { events: 4, alerts: 2 });
      assert.deepEqual(await s.stats(), { events: 0, alerts: 0, bytes: 0, oldest: null, newest: null });
      assert.deepEqual(ids(await s.queryEvents({ group: 'developers' })), []);
      await assert.rejects(s.applyRetention({ maxBytes: -1 }), /maxBytes must be a non-negative number/);
    }));

  test(name('retention over many chunks'), () =>
    withStore(async (s) => {
      const n = 12_000;
      for (let b = 0; b < n; b += 4000) {
        const items: IngestItem[] = [];
        for (let i = b; i < b + 4000; i++) {
          const r = rec({ auditId: `m${i}`, time: T0 + i, groups: ['g'], sourceIps: ['10.0.0.1'] });
          items.push(item(r, ...(i % 100 === 0 ? [alert(r, 'R')] : [])));
        }
        await s.insert(items);
      }
      assert.deepEqual(await s.applyRetention({ maxAgeMicros: 0, now: T0 + 11_000 }), { events: 11_000, alerts: 110 });
      const st = await s.stats();
      assert.equal(st.events, 1000);
      assert.equal(st.alerts, 10);
      assert.equal(st.oldest, T0 + 11_000);
      assert.equal((await s.queryEvents({ group: 'g', limit: 5000 })).length, 1000);
      assert.equal((await s.queryEvents({ sourceIp: '10.0.0.1', limit: 5000 })).length, 1000);
    }));

  test(name('ties in time across inserts: the earlier-inserted event first (oldest first), the later first (newest first)'), () =>
    withStore(async (s) => {
      const t = (k: number) => T0 + k;
      // Four inserts; on SQLite each is a block, visited by its earliest time.
      await s.insert([item(rec({ auditId: 'b5', time: t(5) }))]);
      await s.insert([item(rec({ auditId: 'c0', time: t(0) })), item(rec({ auditId: 'c5', time: t(5) }))]);
      await s.insert([item(rec({ auditId: 'h120', time: t(120) }))]);
      await s.insert([item(rec({ auditId: 'g103', time: t(103) })), item(rec({ auditId: 'g120', time: t(120) }))]);
      const q = async (x: Parameters<Store['queryEvents']>[0]) => ids(await s.queryEvents(x));
      assert.deepEqual(await q({ limit: 2 }), ['c0', 'b5']);
      assert.deepEqual(await q({ limit: 3 }), ['c0', 'b5', 'c5']);
      assert.deepEqual(await q({ order: 'desc', limit: 1 }), ['g120']);
      assert.deepEqual(await q({ order: 'desc', limit: 2 }), ['g120', 'h120']);
      assert.deepEqual(await q({ order: 'desc', until: t(120), limit: 2 }), ['g103', 'c5']);
    }));

  test(name('many events in random batches and time order: queries answer as a brute-force filter does'), () =>
    withStore(async (s) => {
      const { records, queries } = randomWorkload(20261124);
      // Inserted in shuffled batches of varying size, so that batches overlap in time and events of one time range are spread over many inserts.
      const order = shuffled(records.map((_, i) => i), rng(7));
      for (let at = 0, k = 0; at < order.length; k++) {
        const size = [1, 37, 500, 1500, 2600][k % 5];
        const r = await s.insert(order.slice(at, at + size).map((i) => item(records[i])));
        assert.equal(r.insertedCount, Math.min(size, order.length - at));
        at += size;
      }
      assert.equal((await s.stats()).events, records.length);
      for (const q of queries) {
        const got = ids(await s.queryEvents(q));
        assert.deepEqual(got, reference(records, q), `query ${JSON.stringify(q)}`);
      }
      // Every copy again, in other batches: all duplicates, nothing added.
      const again = shuffled(records.map((r) => item(rec({ ...r, event: '{"again":true}' }))), rng(8));
      for (let at = 0; at < again.length; at += 2000) {
        const r = await s.insert(again.slice(at, at + 2000));
        assert.equal(r.insertedCount, 0);
      }
      assert.equal((await s.stats()).events, records.length);
      // who-touched of each object, against the same brute force.
      for (const o of ['cm-0', 'cm-1', 'cm-2', 'cm-3']) {
        const q = { resource: 'configmaps', namespace: 'ns-1', name: o, limit: 50 };
        const want = records
          .filter((r) => r.resource === q.resource && r.namespace === q.namespace && r.name === o && WRITES.includes(r.verb))
          .sort((a, b) => a.time - b.time)
          .slice(0, 50)
          .map((r) => r.auditId);
        assert.deepEqual(ids(await s.whoTouched(q)), want, o);
      }
    }));

  if (b.shared) {
    test(name('data survive close and reopen'), async () => {
      const spec = await b.fresh();
      const s1 = await openStore(spec);
      await s1.insert(dataset().items);
      await s1.close();
      await s1.close(); // twice is harmless
      const s2 = await openStore(spec);
      try {
        assert.deepEqual(ids(await s2.queryEvents({})), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
        assert.equal((await s2.stats()).alerts, 4);
        assert.equal((await s2.insert(dataset().items)).duplicates, 10);
      } finally {
        await s2.close();
      }
    });

    test(name('kill -9 after an acknowledged insert: every acknowledged batch is there, whole'), async (t: TestContext) => {
      const spec = await b.fresh();
      const size = 200;
      const killAfter = 5;
      const child = spawn(process.execPath, [fileURLToPath(new URL('./durability-child.js', import.meta.url)), spec, '0', String(size)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const acked = await new Promise<number>((resolve, reject) => {
        let out = '';
        let last = -1;
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const lines = out.split('\n');
          out = lines.pop() ?? '';
          for (const l of lines) {
            const m = /^ok (\d+)$/.exec(l);
            if (m) last = Number(m[1]);
          }
          if (last >= killAfter && !child.killed) {
            child.kill('SIGKILL');
            resolve(last);
          }
        });
        child.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`child exited (${code}) before it was killed: ${stderr}`));
        });
      });
      await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on('exit', () => r())));
      const s = await openStore(spec);
      try {
        const st = await s.stats();
        t.diagnostic(`acknowledged ${acked + 1} batches of ${size}; found ${st.events} events after SIGKILL`);
        assert.ok(st.events >= (acked + 1) * size, `at least the ${(acked + 1) * size} acknowledged events (found ${st.events})`);
        assert.equal(st.events % size, 0, 'batches are whole');
        const all = await s.queryEvents({ limit: st.events + 1 });
        assert.equal(all.length, st.events, 'the totals agree with the rows');
        const want = new Set<string>();
        for (let bn = 0; bn <= acked; bn++) for (let i = 0; i < size; i++) want.add(durabilityItem(bn, i).record.auditId);
        for (const e of all) want.delete(e.auditId);
        assert.equal(want.size, 0, 'every acknowledged event is stored');
        assert.equal(st.alerts, (st.events / size) * (size / 10));
      } finally {
        await s.close();
      }
    });
  }
}

const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function shuffled<T>(xs: T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * 6,000 events over 70 minutes (several time buckets, several blocks each on SQLite), every
 * time distinct so the expected order is unambiguous, and queries over their fields.
 */
function randomWorkload(seed: number): { records: AuditRecord[]; queries: Array<Parameters<Store['queryEvents']>[0]> } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const users = ['alice', 'bob', 'carol', 'system:anonymous', '', 'svc'];
  const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  const groups = [['developers', 'system:authenticated'], ['ops'], [], ['developers']];
  const ips = [['10.0.0.1'], ['10.0.0.2', '10.0.0.1'], ['192.168.1.7']];
  const span = 70 * 60 * S;
  const times = new Set<number>();
  while (times.size < 6000) times.add(T0 + Math.floor(r() * span));
  const records = [...times].map((time, i) =>
    rec({
      auditId: `r${i}`, time, user: pick(users), verb: pick(verbs), groups: pick(groups), sourceIps: pick(ips),
      resource: pick(['pods', 'configmaps', 'secrets']), namespace: pick(['ns-1', 'ns-2', '']), name: pick(['cm-0', 'cm-1', 'cm-2', 'cm-3', '']),
      code: pick([200, 201, 403, 404, 401, null]), decision: pick(['allow', 'allow', 'forbid', '']), userAgent: pick(['kubectl', 'curl']),
    }),
  );
  const at = (f: number) => T0 + Math.floor(f * span);
  const queries: Array<Parameters<Store['queryEvents']>[0]> = [{}, { limit: 5000 }, { order: 'desc', limit: 7000 }];
  for (let k = 0; k < 120; k++) {
    const q: Parameters<Store['queryEvents']>[0] = {};
    if (r() < 0.4) q.user = pick(users);
    if (r() < 0.3) q.verb = r() < 0.5 ? pick(verbs) : [pick(verbs), pick(verbs)];
    if (r() < 0.2) q.namespace = pick(['ns-1', 'ns-2', '']);
    if (r() < 0.2) q.name = pick(['cm-0', 'cm-1', '']);
    if (r() < 0.2) q.group = pick(['developers', 'ops', 'system:authenticated']);
    if (r() < 0.2) q.sourceIp = pick(['10.0.0.1', '10.0.0.2', '192.168.1.7']);
    if (r() < 0.15) q.code = pick([200, 403, 404]);
    if (r() < 0.15) q.denied = r() < 0.5;
    if (r() < 0.5) q.since = at(r());
    if (r() < 0.5) q.until = (q.since ?? T0) + Math.floor(r() * span * 0.5);
    if (r() < 0.5) q.order = 'desc';
    q.limit = pick([1, 10, 100, 1000, 5000]);
    queries.push(q);
  }
  return { records, queries };
}

/** What queryEvents means, by brute force over the records. */
function reference(records: readonly AuditRecord[], q: Parameters<Store['queryEvents']>[0]): string[] {
  const verbs = q.verb === undefined ? undefined : typeof q.verb === 'string' ? [q.verb] : q.verb;
  const denied = (r: AuditRecord) => r.decision === 'forbid' || r.code === 401 || r.code === 403;
  const hit = records.filter(
    (r) =>
      (q.user === undefined || r.user === q.user) &&
      (verbs === undefined || verbs.includes(r.verb)) &&
      (q.namespace === undefined || r.namespace === q.namespace) &&
      (q.name === undefined || r.name === q.name) &&
      (q.group === undefined || r.groups.includes(q.group)) &&
      (q.sourceIp === undefined || r.sourceIps.includes(q.sourceIp)) &&
      (q.code === undefined || r.code === q.code) &&
      (q.denied === undefined || denied(r) === q.denied) &&
      (q.since === undefined || r.time >= q.since) &&
      (q.until === undefined || r.time < q.until),
  );
  hit.sort((a, b) => (q.order === 'desc' ? b.time - a.time : a.time - b.time));
  return hit.slice(0, q.limit ?? 1000).map((r) => r.auditId);
}
