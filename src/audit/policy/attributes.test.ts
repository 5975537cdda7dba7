import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributesFromEvent } from './attributes.js';

test('attributes of a resource request: the authenticated user, not the impersonated one', () => {
  const event = {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a1', stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&stdin=true', verb: 'create',
    user: { username: 'alice', uid: '1', groups: ['people', 'system:authenticated'] },
    impersonatedUser: { username: 'system:admin', groups: ['system:masters'] },
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web-0', apiVersion: 'v1', subresource: 'exec' },
    requestReceivedTimestamp: '2026-01-02T03:04:05.000001Z', stageTimestamp: '2026-01-02T03:04:05.000002Z',
  };
  assert.deepEqual(attributesFromEvent(event), {
    user: { name: 'alice', groups: ['people', 'system:authenticated'] },
    verb: 'create', resourceRequest: true, apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0',
    path: '/api/v1/namespaces/shop/pods/web-0/exec',
  });
});

test('attributes of a non-resource request, a list (no name) and a failed authentication (no user)', () => {
  assert.deepEqual(attributesFromEvent({ verb: 'get', requestURI: '/healthz?verbose', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } }), {
    user: { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    verb: 'get', resourceRequest: false, apiGroup: '', resource: '', subresource: '', namespace: '', name: '', path: '/healthz',
  });
  const list = attributesFromEvent({
    apiVersion: 'audit.k8s.io/v1beta1', verb: 'list', requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    user: { username: 'bob' }, objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
  });
  assert.equal(list.resourceRequest, true);
  assert.equal(list.name, '');
  assert.equal(list.namespace, '');
  assert.deepEqual(list.user, { name: 'bob', groups: [] });
  assert.equal(attributesFromEvent({ verb: 'get', requestURI: '/api', user: {} }).user, undefined);
  assert.equal(attributesFromEvent({ verb: 'get', requestURI: '/api' }).user, undefined);
  assert.equal(attributesFromEvent(null).verb, '');
});
