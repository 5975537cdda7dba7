import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsCsv, isoMicros, parseDurationMicros, parseObjectRef, parseSize, parseTimeSpec, resourceOf } from './timeline.js';
import type { StoredEvent } from '../store/index.js';

test('durations and times for --since/--until', () => {
  assert.equal(parseDurationMicros('90s'), 90e6);
  assert.equal(parseDurationMicros('1h30m'), 5400e6);
  assert.equal(parseDurationMicros('7d'), 7 * 86400e6);
  assert.equal(parseDurationMicros('2 hours'), undefined);
  const now = Date.parse('2026-11-22T12:00:00Z') * 1000;
  assert.equal(parseTimeSpec('2h', '--since', now), now - 7200e6);
  assert.equal(parseTimeSpec('2026-11-22T02:00:00.5Z', '--since'), Date.parse('2026-11-22T02:00:00Z') * 1000 + 500000);
  assert.equal(parseTimeSpec('2026-11-22', '--until'), Date.parse('2026-11-22T00:00:00Z') * 1000);
  assert.throws(() => parseTimeSpec('last tuesday', '--since'), /^Error: --since: expected a duration \(30m, 2h, 7d\) or an RFC 3339 time/);
});

test('sizes', () => {
  assert.equal(parseSize('500MB', '--x'), 500e6);
  assert.equal(parseSize('10GiB', '--x'), 10 * 1024 ** 3);
  assert.equal(parseSize('64MiB', '--x'), 64 * 1024 * 1024);
  assert.equal(parseSize('1234', '--x'), 1234);
  assert.throws(() => parseSize('lots', '--max-body'), /--max-body: expected a size/);
});

test('KIND/NAME the way kubectl users write it', () => {
  assert.deepEqual(parseObjectRef('deployment/web'), { resource: 'deployments', name: 'web' });
  assert.deepEqual(parseObjectRef('deploy/web'), { resource: 'deployments', group: 'apps', name: 'web' });
  assert.deepEqual(parseObjectRef('ClusterRoleBinding/ops'), { resource: 'clusterrolebindings', name: 'ops' });
  assert.deepEqual(parseObjectRef('networkpolicy/deny'), { resource: 'networkpolicies', name: 'deny' });
  assert.deepEqual(parseObjectRef('ingress/shop'), { resource: 'ingresses', name: 'shop' });
  assert.deepEqual(parseObjectRef('deployments.apps/web'), { resource: 'deployments', group: 'apps', name: 'web' });
  assert.deepEqual(resourceOf('secrets'), { resource: 'secrets' });
  assert.deepEqual(resourceOf('ns'), { resource: 'namespaces' });
  assert.deepEqual(resourceOf('Endpoints'), { resource: 'endpoints' });
  assert.deepEqual(resourceOf('IngressClass'), { resource: 'ingressclasses' });
  assert.throws(() => parseObjectRef('web'), /expected KIND\/NAME/);
  assert.throws(() => parseObjectRef('pod/a/b'), /expected KIND\/NAME/);
});

test('microsecond times print with six digits; CSV quotes and defuses formulas', () => {
  assert.equal(isoMicros(Date.parse('2026-11-22T02:14:10Z') * 1000 + 130001), '2026-11-22T02:14:10.130001Z');
  const e: StoredEvent = {
    id: 1, auditId: 'a', stage: 'ResponseComplete', level: 'Metadata', time: 0, received: 0, user: '=cmd|x', groups: [], impersonatedUser: '',
    verb: 'get', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: 'log', namespace: 'prod', name: 'web,1', requestUri: '', code: 200,
    decision: 'allow', sourceIps: ['10.0.0.1'], userAgent: 'kubectl "x"', event: '{}',
  };
  const [header, row] = eventsCsv([e]).trim().split('\n');
  assert.equal(header, 'time,user,verb,resource,namespace,name,code,decision,sourceIP,userAgent,auditID,stage');
  assert.equal(row, `1970-01-01T00:00:00.000000Z,'=cmd|x,get,pods/log,prod,"web,1",200,allow,10.0.0.1,"kubectl ""x""",a,ResponseComplete`);
});
