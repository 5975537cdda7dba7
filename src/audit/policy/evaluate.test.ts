import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, pathMatches, resourceMatches, type Attributes } from './evaluate.js';
import { nonResourceAttributes, resourceAttributes } from './attributes.js';
import { policyOf, type RuleSpec } from './testkit.js';

const alice = { name: 'alice@example.com', groups: ['people', 'developers'] };

const requests: Record<string, Attributes> = {
  podGet: resourceAttributes({ user: alice, verb: 'get', resource: 'pods', namespace: 'shop', name: 'web-0' }),
  podLogs: resourceAttributes({ user: alice, verb: 'get', resource: 'pods', subresource: 'log', namespace: 'shop', name: 'web-0' }),
  roleGet: resourceAttributes({ user: alice, verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'view' }),
  metrics: nonResourceAttributes({ user: alice, verb: 'get', path: '/metrics/cadvisor' }),
  anonymousPodGet: resourceAttributes({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'web-0' }),
};

const rules: Record<string, RuleSpec> = {
  everything: { level: 'Metadata' },
  creates: { level: 'Request', verbs: ['create'] },
  alice: { level: 'Metadata', users: ['alice@example.com'] },
  people: { level: 'Metadata', userGroups: ['people'] },
  robots: { level: 'Request', userGroups: ['system:serviceaccounts'] },
  podGets: { level: 'RequestResponse', verbs: ['get'], resources: [{ resources: ['pods'] }] },
  podLogGets: { level: 'Request', verbs: ['get'], resources: [{ resources: ['pods/log'] }] },
  anyResource: { level: 'Request', verbs: ['get'], resources: [{ resources: ['*'] }] },
  anyLog: { level: 'Request', verbs: ['get'], resources: [{ resources: ['*/log'] }] },
  podsAndSubs: { level: 'Request', verbs: ['get'], resources: [{ resources: ['pods/*'] }] },
  clusterRoleGets: { level: 'RequestResponse', verbs: ['get'], resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'] }], namespaces: [''] },
  metricsPrefix: { level: 'RequestResponse', verbs: ['get'], nonResourceURLs: ['/metrics*'] },
  metricsExact: { level: 'Request', verbs: ['get'], nonResourceURLs: ['/metrics'] },
  viewRole: { level: 'Request', resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'], resourceNames: ['view'] }] },
};

function levelOf(req: string, ...names: string[]): string {
  const policy = policyOf(names.map((n) => rules[n]));
  return evaluatePolicy(policy, requests[req]).level;
}

test('the first matching rule decides; no match is None', () => {
  const cases: Array<[string, string[], string]> = [
    ['podGet', ['everything'], 'Metadata'],
    ['podGet', ['creates'], 'None'],
    ['podGet', ['alice'], 'Metadata'],
    ['podGet', ['people'], 'Metadata'],
    ['podGet', ['robots'], 'None'],
    ['podGet', ['podGets'], 'RequestResponse'],
    ['podGet', ['clusterRoleGets'], 'None'],
    ['podGet', ['metricsPrefix'], 'None'],
    ['podGet', ['metricsExact', 'robots', 'everything'], 'Metadata'],
    ['podGet', ['metricsExact', 'podGets', 'everything'], 'RequestResponse'],
    ['podGet', ['podLogGets', 'podGets'], 'RequestResponse'],
    ['roleGet', ['podGets'], 'None'],
    ['roleGet', ['clusterRoleGets'], 'RequestResponse'],
    ['roleGet', ['viewRole', 'clusterRoleGets'], 'Request'],
    ['roleGet', ['metricsPrefix', 'robots', 'everything'], 'Metadata'],
    ['roleGet', ['podLogGets', 'podGets'], 'None'],
    ['metrics', ['everything'], 'Metadata'],
    ['metrics', ['creates'], 'None'],
    ['metrics', ['people'], 'Metadata'],
    ['metrics', ['podGets'], 'None'],
    ['metrics', ['clusterRoleGets'], 'None'],
    ['metrics', ['metricsPrefix'], 'RequestResponse'],
    ['metrics', ['metricsExact'], 'None'],
    ['metrics', ['metricsExact', 'clusterRoleGets', 'everything'], 'Metadata'],
    ['podLogs', ['podLogGets', 'podGets'], 'Request'],
    ['podLogs', ['podGets'], 'None'],
    ['podLogs', ['anyResource'], 'Request'],
    ['podLogs', ['anyLog'], 'Request'],
    ['podLogs', ['podsAndSubs'], 'Request'],
  ];
  for (const [req, names, want] of cases) assert.equal(levelOf(req, ...names), want, `${req} with ${names.join(', ')}`);
});

test('a request without a user never matches users or userGroups, but matches rules without them', () => {
  assert.equal(levelOf('anonymousPodGet', 'alice'), 'None');
  assert.equal(levelOf('anonymousPodGet', 'alice', 'everything'), 'Metadata');
  assert.equal(levelOf('anonymousPodGet', 'people'), 'None');
  assert.equal(levelOf('anonymousPodGet', 'people', 'everything'), 'Metadata');
  assert.equal(levelOf('anonymousPodGet', 'podGets'), 'RequestResponse');
});

test('userGroups match when any of the user\'s groups is listed; users compare the name exactly', () => {
  const policy = policyOf([{ level: 'Request', userGroups: ['ops', 'developers'] }]);
  assert.equal(evaluatePolicy(policy, requests.podGet).rule, 0);
  const bob = resourceAttributes({ user: { name: 'bob', groups: [] }, verb: 'get', resource: 'pods' });
  assert.equal(evaluatePolicy(policy, bob).rule, null);
  const upper = policyOf([{ level: 'Request', users: ['Alice@example.com'] }]);
  assert.equal(evaluatePolicy(upper, requests.podGet).level, 'None');
});

test('resource patterns: subresources, wildcards, groups', () => {
  const m = (res: string, r: string, s = '') => resourceMatches(res, r, s);
  assert.equal(m('pods', 'pods'), true);
  assert.equal(m('pods', 'pods', 'log'), false, '"pods" does not match pods/log');
  assert.equal(m('pods/log', 'pods', 'log'), true);
  assert.equal(m('pods/log', 'pods'), false);
  assert.equal(m('*', 'pods', 'exec'), true, '"*" matches subresources too');
  assert.equal(m('*', 'pods'), true);
  assert.equal(m('*/status', 'pods', 'status'), true);
  assert.equal(m('*/status', 'deployments', 'status'), true);
  assert.equal(m('*/status', 'pods'), false, '"*/status" needs a subresource');
  assert.equal(m('*/status', 'pods', 'log'), false);
  assert.equal(m('pods/*', 'pods', 'exec'), true);
  assert.equal(m('pods/*', 'pods'), true, '"pods/*" matches the bare resource as well');
  assert.equal(m('pods/*', 'podtemplates'), false);
  assert.equal(m('Pods', 'pods'), false, 'case-sensitive');

  const anyGroup = policyOf([{ level: 'Request', resources: [{ group: '*', resources: ['deployments'] }] }]);
  const deploy = (apiGroup: string) => resourceAttributes({ user: alice, verb: 'update', apiGroup, resource: 'deployments', namespace: 'shop', name: 'web' });
  assert.equal(evaluatePolicy(anyGroup, deploy('apps')).level, 'Request');
  assert.equal(evaluatePolicy(anyGroup, deploy('extensions')).level, 'Request');
  assert.equal(evaluatePolicy(anyGroup, deploy('')).level, 'Request');
  const core = policyOf([{ level: 'Request', resources: [{ group: '' }] }]);
  assert.equal(evaluatePolicy(core, deploy('apps')).level, 'None', 'group "" is only the core group');
  assert.equal(evaluatePolicy(core, requests.podLogs).level, 'Request', 'a group without resources covers all of it, subresources too');
  const versioned = policyOf([{ level: 'Request', resources: [{ group: 'apps/v1' }] }]);
  assert.equal(evaluatePolicy(versioned, deploy('apps')).level, 'None', 'the version is never part of the group');
});

test('namespaces: "" selects cluster-scoped requests; namespace rules never match non-resource requests', () => {
  const clusterScoped = policyOf([{ level: 'Request', namespaces: [''] }]);
  assert.equal(evaluatePolicy(clusterScoped, requests.roleGet).level, 'Request');
  assert.equal(evaluatePolicy(clusterScoped, requests.podGet).level, 'None');
  assert.equal(evaluatePolicy(clusterScoped, requests.metrics).level, 'None');
  const shop = policyOf([{ level: 'Request', namespaces: ['shop'] }]);
  assert.equal(evaluatePolicy(shop, requests.podGet).level, 'Request');
  assert.equal(evaluatePolicy(shop, requests.roleGet).level, 'None');
});

test('a rule with namespaces or resources ignores its nonResourceURLs', () => {
  // Validation forbids this combination; the evaluator still behaves as the apiserver's does.
  const both = policyOf([{ level: 'Request', namespaces: ['shop'], nonResourceURLs: ['*'] }]);
  assert.equal(evaluatePolicy(both, requests.metrics).level, 'None');
  assert.equal(evaluatePolicy(both, requests.podGet).level, 'Request');
});

test('non-resource URLs: exact, "*" and prefix with a trailing "*" (no "/" boundary)', () => {
  assert.equal(pathMatches('/apis/apps/v1', '/api*'), true);
  assert.equal(pathMatches('/api', '/api*'), true);
  assert.equal(pathMatches('/healthz', '/healthz*'), true);
  assert.equal(pathMatches('/healthz/etcd', '/healthz*'), true);
  assert.equal(pathMatches('/healthzz', '/healthz*'), true);
  assert.equal(pathMatches('/version/', '/version'), false);
  assert.equal(pathMatches('/anything', '*'), true);
  assert.equal(pathMatches('/Version', '/version'), false);
  const urls = policyOf([{ level: 'None', nonResourceURLs: ['/healthz*'] }, { level: 'Metadata', nonResourceURLs: ['*'] }]);
  assert.deepEqual(evaluatePolicy(urls, nonResourceAttributes({ verb: 'get', path: '/healthz/ping' })).rule, 0);
  assert.deepEqual(evaluatePolicy(urls, nonResourceAttributes({ verb: 'get', path: '/livez' })).rule, 1);
  assert.deepEqual(evaluatePolicy(urls, requests.podGet).rule, null, 'URL rules never match resource requests');
});

test('resourceNames match only named requests: never a list, a watch of all, or a create', () => {
  const policy = policyOf([{ level: 'None', resources: [{ resources: ['configmaps'], resourceNames: ['leader'] }] }, { level: 'Metadata' }]);
  const cm = (verb: string, name: string) => resourceAttributes({ user: alice, verb, resource: 'configmaps', namespace: 'kube-system', name });
  assert.equal(evaluatePolicy(policy, cm('update', 'leader')).rule, 0);
  assert.equal(evaluatePolicy(policy, cm('get', 'other')).rule, 1);
  assert.equal(evaluatePolicy(policy, cm('list', '')).rule, 1);
  assert.equal(evaluatePolicy(policy, cm('create', '')).rule, 1);
  // Without resources (invalid, but evaluated as the apiserver would) the names are ignored.
  const noResources = policyOf([{ level: 'Request', resources: [{ resourceNames: ['leader'] }] }]);
  assert.equal(evaluatePolicy(noResources, cm('get', 'other')).level, 'Request');
});

test('verbs are compared exactly: a non-resource request has the lower-case HTTP method', () => {
  const policy = policyOf([{ level: 'Request', verbs: ['get'] }]);
  assert.equal(evaluatePolicy(policy, nonResourceAttributes({ verb: 'get', path: '/version' })).level, 'Request');
  assert.equal(evaluatePolicy(policy, nonResourceAttributes({ verb: 'GET', path: '/version' })).level, 'None');
  assert.equal(evaluatePolicy(policy, nonResourceAttributes({ verb: 'post', path: '/version' })).level, 'None');
});

test('omitStages: the union of the policy\'s and the matching rule\'s, sorted, without repeats; the policy\'s alone when nothing matches', () => {
  const policy = policyOf(
    [
      { level: 'Request', verbs: ['create'], omitStages: ['RequestReceived', 'RequestReceived'] },
      { level: 'Request', verbs: ['update'], omitStages: ['ResponseComplete', 'Panic'] },
      { level: 'Metadata', verbs: ['get'] },
    ],
    { omitStages: ['ResponseStarted', 'RequestReceived'] },
  );
  const req = (verb: string) => resourceAttributes({ user: alice, verb, resource: 'pods', namespace: 'shop' });
  assert.deepEqual(evaluatePolicy(policy, req('create')), { level: 'Request', omitStages: ['RequestReceived', 'ResponseStarted'], omitManagedFields: false, rule: 0 });
  assert.deepEqual(evaluatePolicy(policy, req('update')).omitStages, ['Panic', 'RequestReceived', 'ResponseComplete', 'ResponseStarted']);
  assert.deepEqual(evaluatePolicy(policy, req('get')).omitStages, ['RequestReceived', 'ResponseStarted']);
  assert.deepEqual(evaluatePolicy(policy, req('delete')), { level: 'None', omitStages: ['RequestReceived', 'ResponseStarted'], omitManagedFields: false, rule: null });
  const none = policyOf([{ level: 'Request', omitStages: ['Panic'] }]);
  assert.deepEqual(evaluatePolicy(none, req('get')).omitStages, ['Panic']);
  assert.deepEqual(evaluatePolicy(policyOf([{ level: 'Request', verbs: ['x'] }]), req('get')).omitStages, []);
});

test('omitManagedFields: the rule\'s value when set, else the policy\'s', () => {
  const req = resourceAttributes({ verb: 'get', resource: 'pods' });
  const cases: Array<[boolean, boolean | undefined, boolean]> = [
    [false, undefined, false],
    [true, undefined, true],
    [true, false, false],
    [false, true, true],
  ];
  for (const [global, rule, want] of cases) {
    const policy = policyOf([{ level: 'RequestResponse', verbs: ['get'], ...(rule !== undefined ? { omitManagedFields: rule } : {}) }], { omitManagedFields: global });
    assert.equal(evaluatePolicy(policy, req).omitManagedFields, want, `policy ${global}, rule ${rule}`);
  }
  // No rule matched: the policy's value.
  assert.equal(evaluatePolicy(policyOf([{ level: 'None', verbs: ['x'] }], { omitManagedFields: true }), req).omitManagedFields, true);
});

test('a rule with only a level matches everything, with or without a user', () => {
  const policy = policyOf([{ level: 'Metadata' }]);
  for (const name of Object.keys(requests)) assert.equal(evaluatePolicy(policy, requests[name]).rule, 0, name);
  assert.equal(evaluatePolicy(policy, nonResourceAttributes({ verb: 'get', path: '/healthz' })).rule, 0);
});
