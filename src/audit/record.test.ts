import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339Nanos } from '../rules/index.js';
import { micros, toAuditRecord } from './record.js';

const base = {
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'a1', stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/prod/secrets/db?x=1', verb: 'create',
  user: { username: 'dave', groups: ['developers', 'system:authenticated'] },
  impersonatedUser: { username: 'system:serviceaccount:prod:app' },
  sourceIPs: ['203.0.113.7', '10.0.0.1'], userAgent: 'kubectl/v1.31',
  objectRef: { resource: 'secrets', namespace: 'prod', name: 'db', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: { kind: 'Secret', metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"aHVudGVyMg=="}}' } }, data: { password: 'aHVudGVyMg==' }, stringData: { token: 'plain' } },
  responseObject: { kind: 'Secret', metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' } },
  requestReceivedTimestamp: '2026-11-22T02:14:10.123456Z',
  stageTimestamp: '2026-11-22T02:14:10.130001Z',
  annotations: { 'authorization.k8s.io/decision': 'allow' },
};

test('an event becomes its columns, times in microseconds', () => {
  const r = toAuditRecord(base);
  assert.ok('record' in r);
  const rec = r.record;
  assert.equal(rec.auditId, 'a1');
  assert.equal(rec.time, Date.parse('2026-11-22T02:14:10Z') * 1000 + 130001);
  assert.equal(rec.received, Date.parse('2026-11-22T02:14:10Z') * 1000 + 123456);
  assert.deepEqual([rec.user, rec.groups, rec.impersonatedUser], ['dave', ['developers', 'system:authenticated'], 'system:serviceaccount:prod:app']);
  assert.deepEqual([rec.verb, rec.resource, rec.subresource, rec.namespace, rec.name, rec.apiGroup], ['create', 'secrets', '', 'prod', 'db', '']);
  assert.deepEqual([rec.code, rec.decision, rec.sourceIps, rec.userAgent], [201, 'allow', ['203.0.113.7', '10.0.0.1'], 'kubectl/v1.31']);
});

test('Secret values never reach the store: data, stringData and the last-applied annotation are redacted', () => {
  const r = toAuditRecord(base);
  assert.ok('record' in r);
  assert.ok(!r.record.event.includes('aHVudGVyMg=='));
  assert.ok(!r.record.event.includes('plain'));
  const stored = JSON.parse(r.record.event);
  assert.deepEqual(stored.requestObject.data, { password: '<redacted>' });
  assert.deepEqual(stored.requestObject.stringData, { token: '<redacted>' });
  assert.equal(stored.requestObject.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '<redacted>');
  assert.deepEqual(stored.responseObject.data, { password: '<redacted>' });
  // the caller's event is left alone (the rules saw it as it came)
  assert.equal(base.requestObject.data.password, 'aHVudGVyMg==');
});

test('a SecretList response is redacted item by item', () => {
  const list = { ...base, verb: 'list', objectRef: { resource: 'secrets', namespace: 'prod', apiVersion: 'v1' }, requestObject: undefined, responseObject: { kind: 'SecretList', items: [{ data: { a: 'c2VjcmV0' } }, { data: { b: 'c2VjcmV0' } }] } };
  const r = toAuditRecord(list);
  assert.ok('record' in r);
  assert.ok(!r.record.event.includes('c2VjcmV0'));
});

test('non-resource requests and unauthenticated users: empty columns, null code before the response', () => {
  const r = toAuditRecord({ auditID: 'x', stage: 'RequestReceived', verb: 'get', requestURI: '/healthz', user: {}, stageTimestamp: '2026-11-22T00:00:00Z' });
  assert.ok('record' in r);
  assert.deepEqual([r.record.user, r.record.resource, r.record.code, r.record.decision, r.record.groups], ['', '', null, '', []]);
});

test('an event without a usable time is rejected with a reason; one without an auditID gets a stable content ID', () => {
  const noTime = toAuditRecord({ auditID: 'x', verb: 'get' });
  assert.deepEqual(noTime, { error: 'audit event has no stageTimestamp or requestReceivedTimestamp: skipped' });
  const badTime = toAuditRecord({ auditID: 'x', stageTimestamp: 'yesterday' });
  assert.ok('error' in badTime && /unreadable timestamp "yesterday"/.test(badTime.error));
  const v1beta1 = toAuditRecord({ auditID: 'x', timestamp: '2026-11-22T00:00:01Z' });
  assert.ok('record' in v1beta1 && v1beta1.record.time === Date.parse('2026-11-22T00:00:01Z') * 1000);
  const a = toAuditRecord({ stage: 'ResponseComplete', stageTimestamp: '2026-11-22T00:00:00Z', verb: 'get' });
  const b = toAuditRecord({ stage: 'ResponseComplete', stageTimestamp: '2026-11-22T00:00:00Z', verb: 'get' });
  assert.ok('record' in a && 'record' in b);
  assert.match(a.record.auditId, /^sha256:[0-9a-f]{32}$/);
  assert.equal(a.record.auditId, b.record.auditId);
  assert.match(a.warning ?? '', /no auditID/);
  assert.deepEqual(toAuditRecord([1, 2]), { error: 'not an audit event: expected a JSON object' });
});

test('a create without objectRef.name takes the name from the request object', () => {
  const r = toAuditRecord({ auditID: 'c', verb: 'create', stageTimestamp: '2026-11-22T00:00:00Z', objectRef: { resource: 'pods', namespace: 'prod' }, requestObject: { metadata: { name: 'web-0' } } });
  assert.ok('record' in r && r.record.name === 'web-0');
  const get = toAuditRecord({ auditID: 'g', verb: 'list', stageTimestamp: '2026-11-22T00:00:00Z', objectRef: { resource: 'pods' }, requestObject: { metadata: { name: 'x' } } });
  assert.ok('record' in get && get.record.name === '');
});

test('micros: the fast path for …Z times agrees with the ns parser on every shape of text', () => {
  const nsMicros = (t: string) => {
    const ns = parseRfc3339Nanos(t);
    return ns === undefined ? undefined : Number(ns / 1000n);
  };
  const digit = fc.integer({ min: 0, max: 9 }).map(String);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const stamp = fc
    .record({
      y: fc.integer({ min: 1960, max: 2300 }), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 24 }), mi: fc.integer({ min: 0, max: 60 }), s: fc.integer({ min: 0, max: 60 }),
      frac: fc.array(digit, { minLength: 0, maxLength: 11 }).map((d) => d.join('')),
      dot: fc.boolean(), zone: fc.constantFrom('Z', 'z', '+02:00', '-00:30', ''), junk: fc.constantFrom('', 'x', ' ', '.'),
    })
    .map((p) => `${pad(p.y, 4)}-${pad(p.mo, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}${p.dot ? '.' : ''}${p.frac}${p.junk}${p.zone}`);
  fc.assert(fc.property(fc.array(stamp, { minLength: 1, maxLength: 4 }), (ts) => {
    // Several in a row, so the remembered seconds are exercised too.
    for (const t of ts) assert.equal(micros(t), nsMicros(t), t);
  }), { numRuns: 5000 });
  for (const t of ['2026-11-22T02:14:10.123456789Z', '2026-11-22T02:14:10.1Z', '1969-12-31T23:59:59.5Z', '2026-02-30T00:00:00.1Z', '2026-11-22T02:14:10.Z']) {
    assert.equal(micros(t), nsMicros(t), t);
  }
});
