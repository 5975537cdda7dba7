import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './index.js';
import { findingsOf, lineAfter, manifest, namedBrief, type NamedBrief } from './testkit.js';

const IDS = ['namespace/no-resource-quota', 'namespace/no-limit-range', 'resourcequota/missing-compute-keys'];

const scan = (yaml: string, ids: string[] = IDS, params?: CheckParams): NamedBrief[] => findingsOf(yaml, ids, params).map(namedBrief);

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}`;
const quota = (name: string, namespace: string | undefined, spec = '  hard: {requests.cpu: "1", requests.memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}') =>
  manifest('v1', 'ResourceQuota', name, namespace, `spec:\n${spec}`);
const limits = (name: string, namespace: string | undefined, spec = '  limits:\n  - type: Container\n    default: {cpu: 1, memory: 1Gi}\n    defaultRequest: {cpu: 100m, memory: 128Mi}\n    max: {cpu: 2, memory: 2Gi}') =>
  manifest('v1', 'LimitRange', name, namespace, `spec:\n${spec}`);

test('no-resource-quota / no-limit-range: not evaluated when the input has none of the kind', () => {
  const yaml = [ns('shop'), ns('api')].join('\n---\n');
  assert.deepEqual(scan(yaml), [
    { check: 'namespace/no-resource-quota', severity: 'info', name: 'shop', path: 'metadata.name', line: 4, message: 'not evaluated: no ResourceQuota in input (namespace "shop")' },
    { check: 'namespace/no-resource-quota', severity: 'info', name: 'api', path: 'metadata.name', line: 9, message: 'not evaluated: no ResourceQuota in input (namespace "api")' },
    { check: 'namespace/no-limit-range', severity: 'info', name: 'shop', path: 'metadata.name', line: 4, message: 'not evaluated: no LimitRange in input (namespace "shop")' },
    { check: 'namespace/no-limit-range', severity: 'info', name: 'api', path: 'metadata.name', line: 9, message: 'not evaluated: no LimitRange in input (namespace "api")' },
  ]);
  // Without Namespace objects there is nothing to judge.
  assert.deepEqual(scan(quota('q', 'shop')), []);
});

test('no-resource-quota / no-limit-range: Namespaces without one once the input has some', () => {
  const yaml = [ns('shop'), ns('api'), ns('web'), quota('q', 'shop'), limits('l', 'api'), quota('other', 'elsewhere')].join('\n---\n');
  assert.deepEqual(scan(yaml, ['namespace/no-resource-quota', 'namespace/no-limit-range']), [
    { check: 'namespace/no-resource-quota', severity: 'low', name: 'api', path: 'metadata.name', line: lineAfter(yaml, 'name: api', 'api'), message: 'namespace "api" has no ResourceQuota in the input' },
    { check: 'namespace/no-resource-quota', severity: 'low', name: 'web', path: 'metadata.name', line: lineAfter(yaml, 'name: web', 'web'), message: 'namespace "web" has no ResourceQuota in the input' },
    { check: 'namespace/no-limit-range', severity: 'low', name: 'shop', path: 'metadata.name', line: lineAfter(yaml, 'name: shop', 'shop'), message: 'namespace "shop" has no LimitRange in the input' },
    { check: 'namespace/no-limit-range', severity: 'low', name: 'web', path: 'metadata.name', line: lineAfter(yaml, 'name: web', 'web'), message: 'namespace "web" has no LimitRange in the input' },
  ]);
});

test('no-resource-quota: a quota without namespace only gives info', () => {
  const yaml = [ns('shop'), quota('q', undefined)].join('\n---\n');
  assert.deepEqual(scan(yaml, ['namespace/no-resource-quota']).map((g) => [g.severity, g.message]), [
    ['info', 'namespace "shop" has no ResourceQuota in the input; 1 ResourceQuota without metadata.namespace may be applied to it'],
  ]);
});

test('missing-compute-keys: ResourceQuota spec.hard', () => {
  const yaml = [
    quota('full', 'a'),
    quota('short', 'a', '  hard: {cpu: "1", memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}'),
    quota('counts', 'a', '  hard:\n    pods: "10"\n    limits.memory: 2Gi\n    requests.cpu: null'),
    quota('nohard', 'a', '  scopes: [NotTerminating]'),
    quota('besteffort', 'a', '  scopes: [BestEffort]\n  hard: {pods: "5"}'),
    quota('besteffort-sel', 'a', '  scopeSelector:\n    matchExpressions: [{scopeName: BestEffort, operator: Exists}]\n  hard: {pods: "5"}'),
    'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: nospec}',
    'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: strange}\nspec: {hard: [1], scopes: "BestEffort", scopeSelector: {matchExpressions: [null]}}',
    'apiVersion: example.com/v1\nkind: ResourceQuota\nmetadata: {name: crd}\nspec: {}',
  ].join('\n---\n');
  const all = 'requests.cpu, requests.memory, limits.cpu, limits.memory';
  assert.deepEqual(scan(yaml, ['resourcequota/missing-compute-keys']), [
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'counts', path: 'spec.hard', line: lineAfter(yaml, 'name: counts', 'hard:'), message: 'ResourceQuota spec.hard does not bound requests.cpu, requests.memory, limits.cpu' },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'nohard', path: 'spec.hard', line: lineAfter(yaml, 'name: nohard', 'spec:'), message: `ResourceQuota spec.hard does not bound ${all}` },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'nospec', path: 'spec.hard', line: lineAfter(yaml, 'name: nospec', 'name: nospec') - 2, message: `ResourceQuota spec.hard does not bound ${all}` },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'strange', path: 'spec.hard', line: lineAfter(yaml, 'name: strange', 'spec:'), message: `ResourceQuota spec.hard does not bound ${all}` },
  ]);
});

test('missing-compute-keys: LimitRange Container items', () => {
  const yaml = [
    limits('full', 'a'),
    limits('partial', 'a', '  limits:\n  - type: PersistentVolumeClaim\n    max: {storage: 1Gi}\n  - type: Container\n    default: {memory: 1Gi}\n    max: {cpu: 2, memory: null}'),
    limits('weird', 'a', '  limits: [null, 3, {type: Container, default: "1", defaultRequest: [], max: {cpu: 1, memory: 1Gi}}]'),
    limits('podonly', 'a', '  limits:\n  - type: Pod\n    max: {cpu: 2}'),
    'apiVersion: v1\nkind: LimitRange\nmetadata: {name: nolimits}\nspec: {limits: {type: Container}}',
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['resourcequota/missing-compute-keys']), [
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'partial', path: 'spec.limits[1]', line: lineAfter(yaml, 'name: partial', '- type: Container'), message: 'LimitRange Container item does not set default.cpu, defaultRequest, max.memory' },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'weird', path: 'spec.limits[2]', line: lineAfter(yaml, 'name: weird', 'limits:'), message: 'LimitRange Container item does not set default, defaultRequest' },
  ]);
});
