/**
 * Questions in `kubectl auth can-i` terms. kubectl splits RESOURCE at the first "/" into resource
 * and subresource (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go: `strings.SplitN(args[1], "/", 2)`),
 * reads `deployments.apps` / `deployments.v1.apps` with schema.ParseResourceArg, resolves short
 * names through discovery, and asks about resource "*" in the core group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest, QuestionError } from './request.js';
import { ResourceCatalog, parseResourceArg } from './resources.js';

const catalog = new ResourceCatalog([{ group: 'example.com', plural: 'widgets', singular: 'widget', shortNames: ['wg'], namespaced: true }]);

test('resource arguments: plural, singular, short names, subresources, groups', () => {
  const p = (arg: string, group?: string) => {
    const r = parseResourceArg(arg, catalog, group);
    return [r.group, r.resource, r.subresource];
  };
  assert.deepEqual(p('pods'), ['', 'pods', '']);
  assert.deepEqual(p('pod'), ['', 'pods', '']);
  assert.deepEqual(p('po/log'), ['', 'pods', 'log']);
  assert.deepEqual(p('pods/log'), ['', 'pods', 'log']);
  assert.deepEqual(p('deploy'), ['apps', 'deployments', '']);
  assert.deepEqual(p('deployments.apps'), ['apps', 'deployments', '']);
  assert.deepEqual(p('deployments.v1.apps/scale'), ['apps', 'deployments', 'scale']);
  assert.deepEqual(p('deployments.extensions'), ['extensions', 'deployments', ''], 'a group Palisade has no row for keeps the name');
  assert.deepEqual(p('events'), ['', 'events', ''], 'core wins over events.k8s.io, as kubectl prefers it');
  assert.deepEqual(p('events.events.k8s.io'), ['events.k8s.io', 'events', '']);
  assert.deepEqual(p('wg'), ['example.com', 'widgets', ''], 'CRDs from the input');
  assert.deepEqual(p('*'), ['', '*', '']);
  assert.deepEqual(p('*', '*'), ['*', '*', '']);
  assert.deepEqual(p('secrets', 'apps'), ['apps', 'secrets', ''], '--api-group wins');
  const unknown = parseResourceArg('gizmos', catalog);
  assert.deepEqual([unknown.group, unknown.resource], ['', 'gizmos']);
  assert.match(unknown.warning ?? '', /gizmos/);
});

test('requests: subresource flag, names, namespaces, cluster-scoped resources, URLs', () => {
  const r = (q: Parameters<typeof buildRequest>[0]) => buildRequest(q, catalog);
  assert.deepEqual(r({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'a', name: 'p' }).request,
    { resourceRequest: true, verb: 'create', namespace: 'a', apiGroup: '', resource: 'pods', subresource: 'exec', name: 'p' });
  assert.throws(() => r({ verb: 'get', resource: 'pods/log', subresource: 'exec' }), QuestionError);
  const nodes = r({ verb: 'get', resource: 'nodes', namespace: 'a' });
  assert.equal(nodes.request.resourceRequest && nodes.request.namespace, '');
  assert.match(nodes.warnings[0], /cluster-scoped/);
  assert.deepEqual(r({ verb: 'get', resource: '/healthz' }).request, { resourceRequest: false, verb: 'get', path: '/healthz' });
  assert.deepEqual(r({ verb: 'get', nonResourceURL: '/logs/x' }).request, { resourceRequest: false, verb: 'get', path: '/logs/x' });
  assert.throws(() => r({ verb: 'get', nonResourceURL: '/healthz', namespace: 'a' }), /does not apply/);
  assert.throws(() => r({ verb: 'get', nonResourceURL: 'healthz' }), /must start with/);
  assert.throws(() => r({ verb: 'get' }), /RESOURCE is missing/);
});
