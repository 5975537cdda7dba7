import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateVap } from './evaluate.js';
import { matchResources, ruleMatches } from './match.js';
import { binding, createRequest, deployment, namespaces, policy } from './testkit.js';
import type { AdmissionRequestLike, JsonObject } from './types.js';

const req = (resource: string, sub = '', more: Partial<AdmissionRequestLike> = {}): AdmissionRequestLike => ({
  resource: { group: '', version: 'v1', resource }, subResource: sub, operation: 'CREATE', namespace: 'shop', name: 'x', ...more,
});
const rule = (resources: string[], more: JsonObject = {}): JsonObject => ({ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources, ...more });

test("admission wildcard dialect: '*' leaves out subresources, '*/*' does not", () => {
  assert.equal(ruleMatches(rule(['*']), req('pods')), true);
  assert.equal(ruleMatches(rule(['*']), req('pods', 'status')), false);
  assert.equal(ruleMatches(rule(['*/*']), req('pods', 'status')), true);
  assert.equal(ruleMatches(rule(['pods/*']), req('pods')), true);
  assert.equal(ruleMatches(rule(['pods/*']), req('pods', 'exec')), true);
  assert.equal(ruleMatches(rule(['pods/*']), req('services', 'status')), false);
  assert.equal(ruleMatches(rule(['*/scale']), req('deployments', 'scale')), true);
  assert.equal(ruleMatches(rule(['*/scale']), req('deployments')), false);
  assert.equal(ruleMatches(rule(['pods']), req('pods', 'log')), false);
});

test('operations, groups, versions and scope', () => {
  assert.equal(ruleMatches(rule(['pods'], { operations: ['UPDATE'] }), req('pods')), false);
  assert.equal(ruleMatches(rule(['pods'], { apiGroups: ['apps'] }), req('pods')), false);
  assert.equal(ruleMatches(rule(['pods'], { apiGroups: [''], apiVersions: ['v1'] }), req('pods')), true);
  assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), req('pods')), true);
  assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), req('nodes', '', { namespace: '' })), false);
  assert.equal(ruleMatches(rule(['*'], { scope: 'Cluster' }), req('nodes', '', { namespace: '' })), true);
  // A Namespace is cluster-scoped even though its request carries its own name as namespace.
  assert.equal(ruleMatches(rule(['*'], { scope: 'Cluster' }), req('namespaces', '', { namespace: 'shop' })), true);
  assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), req('namespaces', '', { namespace: 'shop' })), false);
});

const lookup = (n: string) => (namespaces as Record<string, JsonObject>)[n];

test('resourceNames, exclusions and selectors', () => {
  const base = { namespaceSelector: {}, objectSelector: {} };
  assert.equal(matchResources({ ...base, resourceRules: [rule(['pods'], { resourceNames: ['x'] })] }, req('pods'), lookup).matches, true);
  assert.equal(matchResources({ ...base, resourceRules: [rule(['pods'], { resourceNames: ['y'] })] }, req('pods'), lookup).matches, false);
  assert.equal(matchResources({ ...base, resourceRules: [rule(['*'])], excludeResourceRules: [rule(['pods'])] }, req('pods'), lookup).matches, false);
  // No resourceRules (a binding's matchResources): everything the other criteria allow.
  assert.equal(matchResources({ ...base }, req('anything'), lookup).matches, true);
  const ns = (sel: JsonObject) => matchResources({ ...base, namespaceSelector: sel }, req('pods'), lookup);
  assert.equal(ns({ matchLabels: { environment: 'test' } }).matches, true);
  assert.equal(ns({ matchExpressions: [{ key: 'environment', operator: 'NotIn', values: ['test'] }] }).matches, false);
  assert.deepEqual(matchResources({ ...base, namespaceSelector: { matchLabels: { a: 'b' } } }, req('pods', '', { namespace: 'ghost' }), lookup),
    { matches: false, error: 'namespaces "ghost" not found' });
  // Cluster-scoped objects are never excluded by a namespaceSelector.
  assert.equal(matchResources({ ...base, namespaceSelector: { matchLabels: { a: 'b' } } }, req('nodes', '', { namespace: '' }), lookup).matches, true);
  // Creating a namespace: its own new labels.
  const nsReq = req('namespaces', '', { namespace: 'new', object: { metadata: { name: 'new', labels: { environment: 'test' } } } });
  assert.equal(matchResources({ ...base, namespaceSelector: { matchLabels: { environment: 'test' } } }, nsReq, () => undefined).matches, true);
  // objectSelector: the new or the old object.
  const objSel = { ...base, objectSelector: { matchLabels: { app: 'web' } } };
  assert.equal(matchResources(objSel, req('pods', '', { object: { metadata: { labels: { app: 'web' } } } }), lookup).matches, true);
  assert.equal(matchResources(objSel, req('pods', '', { object: { metadata: {} }, oldObject: { metadata: { labels: { app: 'web' } } } }), lookup).matches, true);
  assert.equal(matchResources(objSel, req('pods', '', { object: { metadata: {} } }), lookup).matches, false);
});

test("a binding's matchResources narrows the policy's matchConstraints", () => {
  const p = policy('p', { validations: [{ expression: 'false' }] });
  const prodOnly = binding('b', 'p', { matchResources: { namespaceSelector: { matchLabels: { environment: 'prod' } } } });
  const inShop = createRequest(deployment(1));
  assert.equal(evaluateVap({ policies: [p], bindings: [prodOnly], namespaces }, inShop).allowed, true);
  const inProd = createRequest({ ...deployment(1), metadata: { name: 'web', namespace: 'prod' } });
  assert.equal(evaluateVap({ policies: [p], bindings: [prodOnly], namespaces }, inProd).allowed, false);
  // The binding cannot widen the policy: a Pod is outside the policy's rules.
  const anything = binding('b', 'p', { matchResources: { resourceRules: [rule(['*'])] } });
  const pod = createRequest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' } }, { resource: { group: '', version: 'v1', resource: 'pods' } });
  assert.equal(evaluateVap({ policies: [p], bindings: [anything], namespaces }, pod).allowed, true);
});
