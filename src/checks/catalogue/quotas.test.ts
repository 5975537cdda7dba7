import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlText } from '../../model/index.js';
import { CatalogueRunner, defaultParams, type CheckParams, type FactRecord } from './index.js';

const IDS = ['namespace/no-resource-quota', 'namespace/no-limit-range', 'resourcequota/missing-compute-keys'];

interface Got { check: string; severity: string; name: string; path: string; line: number; message: string }

/** Runs checks the way a scan does: per resource, facts through JSON (as from a worker), then evaluate. */
function scan(yaml: string, ids: string[] = IDS, params: CheckParams = defaultParams()): Got[] {
  const parsed = parseYamlText(yaml, 'x.yaml');
  assert.deepEqual(parsed.errors, []);
  const runner = new CatalogueRunner(ids, params);
  const facts: FactRecord[] = [];
  const out: Got[] = [];
  const show = (f: { check: string; severity: string; resource: { name: string }; path: string; line: number; message: string }) =>
    out.push({ check: f.check, severity: f.severity, name: f.resource.name, path: f.path, line: f.line, message: f.message });
  parsed.resources.forEach((resource, i) => {
    const run = runner.run(resource, () => []);
    assert.deepEqual(run.warnings, []);
    run.findings.forEach(show);
    for (const f of run.facts) {
      f.subject.order = i;
      // Facts must survive the trip from a worker thread unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(f.fact)), f.fact);
      facts.push({ ...f, fact: JSON.parse(JSON.stringify(f.fact)) });
    }
  });
  for (const { finding } of runner.evaluate(facts)) show(finding);
  return out;
}

/** 1-based line of the first `needle` after `marker` in `text`. */
function lineOf(text: string, marker: string, needle: string): number {
  const start = text.indexOf(marker);
  assert.notEqual(start, -1, marker);
  const at = text.indexOf(needle, start);
  assert.notEqual(at, -1, needle);
  return text.slice(0, at).split('\n').length;
}

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}`;
const quota = (name: string, namespace: string | undefined, spec = '  hard: {requests.cpu: "1", requests.memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}') =>
  `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: ${name}\n${namespace !== undefined ? `  namespace: ${namespace}\n` : ''}spec:\n${spec}`;
const limits = (name: string, namespace: string | undefined, spec = '  limits:\n  - type: Container\n    default: {cpu: 1, memory: 1Gi}\n    defaultRequest: {cpu: 100m, memory: 128Mi}\n    max: {cpu: 2, memory: 2Gi}') =>
  `apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: ${name}\n${namespace !== undefined ? `  namespace: ${namespace}\n` : ''}spec:\n${spec}`;

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
    { check: 'namespace/no-resource-quota', severity: 'low', name: 'api', path: 'metadata.name', line: lineOf(yaml, 'name: api', 'api'), message: 'namespace "api" has no ResourceQuota in the input' },
    { check: 'namespace/no-resource-quota', severity: 'low', name: 'web', path: 'metadata.name', line: lineOf(yaml, 'name: web', 'web'), message: 'namespace "web" has no ResourceQuota in the input' },
    { check: 'namespace/no-limit-range', severity: 'low', name: 'shop', path: 'metadata.name', line: lineOf(yaml, 'name: shop', 'shop'), message: 'namespace "shop" has no LimitRange in the input' },
    { check: 'namespace/no-limit-range', severity: 'low', name: 'web', path: 'metadata.name', line: lineOf(yaml, 'name: web', 'web'), message: 'namespace "web" has no LimitRange in the input' },
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
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'counts', path: 'spec.hard', line: lineOf(yaml, 'name: counts', 'hard:'), message: 'ResourceQuota spec.hard does not bound requests.cpu, requests.memory, limits.cpu' },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'nohard', path: 'spec.hard', line: lineOf(yaml, 'name: nohard', 'spec:'), message: `ResourceQuota spec.hard does not bound ${all}` },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'nospec', path: 'spec.hard', line: lineOf(yaml, 'name: nospec', 'name: nospec') - 2, message: `ResourceQuota spec.hard does not bound ${all}` },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'strange', path: 'spec.hard', line: lineOf(yaml, 'name: strange', 'spec:'), message: `ResourceQuota spec.hard does not bound ${all}` },
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
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'partial', path: 'spec.limits[1]', line: lineOf(yaml, 'name: partial', '- type: Container'), message: 'LimitRange Container item does not set default.cpu, defaultRequest, max.memory' },
    { check: 'resourcequota/missing-compute-keys', severity: 'low', name: 'weird', path: 'spec.limits[2]', line: lineOf(yaml, 'name: weird', 'limits:'), message: 'LimitRange Container item does not set default, defaultRequest' },
  ]);
});
