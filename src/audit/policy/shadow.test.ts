import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exampleRequests, findShadowedRules } from './shadow.js';
import { evaluatePolicy } from './evaluate.js';
import { policyOf, type RuleSpec } from './testkit.js';

function shadowed(...rules: RuleSpec[]): Array<[number, number[]]> {
  return findShadowedRules(policyOf(rules).rules).map((s) => [s.rule, s.by]);
}

test('a rule after a catch-all never matches', () => {
  assert.deepEqual(shadowed({ level: 'Metadata' }, { level: 'None', verbs: ['get'] }, { level: 'Request', nonResourceURLs: ['/x'] }), [[1, [0]], [2, [0]]]);
});

test('pairwise: users, groups, verbs and namespaces must be subsets', () => {
  const kubeProxy: RuleSpec = { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ resources: ['endpoints', 'services'] }] };
  assert.deepEqual(shadowed(kubeProxy, { ...kubeProxy, resources: [{ resources: ['endpoints'] }] }), [[1, [0]]]);
  assert.deepEqual(shadowed(kubeProxy, { ...kubeProxy, verbs: ['watch', 'list'] }), []);
  assert.deepEqual(shadowed(kubeProxy, { ...kubeProxy, verbs: [] }), [], 'no verbs means every verb');
  assert.deepEqual(shadowed(kubeProxy, { ...kubeProxy, users: [] }), [], 'no users means everybody');
  assert.deepEqual(shadowed(kubeProxy, { ...kubeProxy, users: ['system:kube-proxy'], userGroups: ['system:nodes'] }), [[1, [0]]]);
  assert.deepEqual(shadowed({ level: 'None', userGroups: ['a', 'b'] }, { level: 'Metadata', userGroups: ['b'] }), [[1, [0]]]);
  assert.deepEqual(shadowed({ level: 'None', userGroups: ['a'] }, { level: 'Metadata', users: ['alice'] }), [], 'alice may not be in group a');
  assert.deepEqual(shadowed({ level: 'None', namespaces: ['kube-system'] }, { level: 'Metadata', namespaces: ['kube-system'], resources: [{ resources: ['pods'] }] }), [[1, [0]]]);
  assert.deepEqual(shadowed({ level: 'None', namespaces: ['kube-system'] }, { level: 'Metadata', resources: [{ resources: ['pods'] }] }), []);
});

test('resource patterns: "*" and "x/*" cover subresources, "*/s" covers that subresource of anything, "x" only the bare resource', () => {
  const r = (resources: string[], group = ''): RuleSpec => ({ level: 'None', resources: [{ group, resources }] });
  assert.deepEqual(shadowed(r(['*']), r(['pods/exec'])), [[1, [0]]]);
  assert.deepEqual(shadowed(r(['pods/*']), r(['pods', 'pods/log'])), [[1, [0]]]);
  assert.deepEqual(shadowed(r(['*/status']), r(['pods/status', 'nodes/status'])), [[1, [0]]]);
  assert.deepEqual(shadowed(r(['pods']), r(['pods/log'])), [], '"pods" does not match pods/log');
  assert.deepEqual(shadowed(r(['*/status']), r(['pods/*'])), []);
  assert.deepEqual(shadowed(r(['pods']), r(['*'])), []);
  assert.deepEqual(shadowed({ level: 'None', resources: [{ group: '' }] }, r(['pods', 'secrets/x'])), [[1, [0]]], 'a group without resources covers everything in it');
  assert.deepEqual(shadowed({ level: 'None', resources: [{ group: '*', resources: ['deployments'] }] }, r(['deployments'], 'apps')), [[1, [0]]]);
  assert.deepEqual(shadowed(r(['deployments'], 'apps'), r(['deployments'], 'extensions')), []);
  assert.deepEqual(shadowed(r(['deployments'], 'apps'), { level: 'None', resources: [{ group: '*', resources: ['deployments'] }] }), []);
});

test('resourceNames: a named rule never covers an unnamed one; an unnamed rule covers named ones', () => {
  const named: RuleSpec = { level: 'None', resources: [{ resources: ['configmaps'], resourceNames: ['leader'] }] };
  const all: RuleSpec = { level: 'Request', resources: [{ resources: ['configmaps'] }] };
  assert.deepEqual(shadowed(named, all), []);
  assert.deepEqual(shadowed(all, named), [[1, [0]]]);
  assert.deepEqual(shadowed({ ...named, resources: [{ resources: ['configmaps'], resourceNames: ['a', 'b'] }] }, { ...named, resources: [{ resources: ['configmaps'], resourceNames: ['b'] }] }), [[1, [0]]]);
});

test('non-resource URLs: "*" covers all, a prefix covers longer prefixes and paths, exact paths cover only themselves', () => {
  const u = (...urls: string[]): RuleSpec => ({ level: 'None', nonResourceURLs: urls });
  assert.deepEqual(shadowed(u('/api*'), u('/apis/*', '/api', '/apis')), [[1, [0]]]);
  assert.deepEqual(shadowed(u('/healthz'), u('/healthz*')), []);
  assert.deepEqual(shadowed(u('/healthz*'), u('/healthz', '/healthz/etcd')), [[1, [0]]]);
  assert.deepEqual(shadowed(u('/*'), u('*')), [[1, [0]]], 'every real path starts with "/"');
  assert.deepEqual(shadowed(u('/healthz*'), u('*')), []);
  assert.deepEqual(shadowed(u('*'), { level: 'None', resources: [{ resources: ['pods'] }] }), [], 'URL rules never cover resource requests');
  assert.deepEqual(shadowed({ level: 'None', namespaces: ['a'] }, u('/x')), []);
});

test('unions of earlier rules: exact, and the message names the rules that catch the requests', () => {
  assert.deepEqual(shadowed({ level: 'None', verbs: ['get'] }, { level: 'None', verbs: ['list', 'watch'] }, { level: 'Metadata', verbs: ['get', 'watch'] }), [[2, [0, 1]]]);
  assert.deepEqual(
    shadowed(
      { level: 'None', resources: [{ resources: ['pods'] }] },
      { level: 'None', resources: [{ resources: ['*/log'] }] },
      { level: 'Metadata', resources: [{ resources: ['pods', 'pods/log'] }] },
    ),
    [[2, [0, 1]]],
  );
  assert.deepEqual(shadowed({ level: 'None', resources: [{ resources: ['pods'] }] }, { level: 'None', resources: [{ resources: ['*/log'] }] }, { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }), []);
  // Two URL prefixes do not cover a wider one.
  assert.deepEqual(shadowed({ level: 'None', nonResourceURLs: ['/a*'] }, { level: 'None', nonResourceURLs: ['/b*'] }, { level: 'Metadata', nonResourceURLs: ['/a/x', '/b*', '/bc*'] }), [[2, [0, 1]]]);
  // Requests with no user are matched only by rules without users and groups.
  assert.deepEqual(shadowed({ level: 'None', userGroups: ['system:authenticated'] }, { level: 'None', userGroups: ['system:unauthenticated'] }, { level: 'Metadata' }), []);
  // Split by resource and non-resource, the two halves of "everything" cover it.
  assert.deepEqual(shadowed({ level: 'Metadata', namespaces: [] as string[], resources: [{ group: '*' }] }, { level: 'None', nonResourceURLs: ['*'] }, { level: 'Request' }), [[2, [0, 1]]]);
});

test('a rule that matches no request at all is reported with no shadowing rules', () => {
  assert.deepEqual(shadowed({ level: 'Metadata', resources: [{ resources: ['a/b/c'] }] }), [[0, []]]);
});

// Property: the answer agrees with the evaluator. A reported rule is never the first match of
// any request; an unreported rule is the first match of one of its example requests.
const vocab = {
  users: ['alice', 'bob'],
  groups: ['g1', 'g2'],
  verbs: ['get', 'list', 'create'],
  namespaces: ['', 'ns1'],
  groupNames: ['', 'apps', '*'],
  resources: ['pods', 'pods/log', 'pods/*', '*', '*/log', 'secrets'],
  names: ['', 'n1'],
  urls: ['*', '/a*', '/ab*', '/a', '/b'],
};
const sub = <T>(xs: T[]) => fc.subarray(xs, { maxLength: 2 });
const ruleArb: fc.Arbitrary<RuleSpec> = fc.oneof(
  fc.record({
    level: fc.constant('Metadata' as const), users: sub(vocab.users), userGroups: sub(vocab.groups), verbs: sub(vocab.verbs),
    namespaces: sub(vocab.namespaces),
    resources: fc.array(fc.record({ group: fc.constantFrom(...vocab.groupNames), resources: sub(vocab.resources), resourceNames: fc.constant([] as string[]) }), { maxLength: 2 }),
  }),
  fc.record({ level: fc.constant('None' as const), users: sub(vocab.users), userGroups: sub(vocab.groups), verbs: sub(vocab.verbs), nonResourceURLs: fc.subarray(vocab.urls, { minLength: 1, maxLength: 2 }) }),
  fc.record({
    level: fc.constant('Request' as const), verbs: sub(vocab.verbs),
    resources: fc.array(fc.record({ group: fc.constantFrom(...vocab.groupNames), resources: fc.subarray(vocab.resources, { minLength: 1, maxLength: 2 }), resourceNames: sub(vocab.names) }), { minLength: 1, maxLength: 2 }),
  }),
);
const requestArb = fc.record({
  user: fc.option(fc.record({ name: fc.constantFrom(...vocab.users, 'carol'), groups: sub([...vocab.groups, 'g3']) }), { nil: undefined }),
  verb: fc.constantFrom(...vocab.verbs, 'watch'),
  resourceRequest: fc.boolean(),
  apiGroup: fc.constantFrom('', 'apps', 'batch'),
  resource: fc.constantFrom('pods', 'secrets', 'nodes'),
  subresource: fc.constantFrom('', 'log', 'exec'),
  namespace: fc.constantFrom('', 'ns1', 'ns2'),
  name: fc.constantFrom('', 'n1', 'n2'),
  path: fc.constantFrom('/a', '/ab', '/abc', '/b', '/c'),
});

test('property: shadowed rules are never reached (random and example requests); every other rule is reached by one of its example requests', () => {
  fc.assert(
    fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 5 }), fc.array(requestArb, { maxLength: 30 }), (specs, reqs) => {
      const policy = policyOf(specs);
      const dead = new Set(findShadowedRules(policy.rules).map((s) => s.rule));
      for (const req of reqs) {
        const hit = evaluatePolicy(policy, req).rule;
        if (hit !== null && dead.has(hit)) return false;
      }
      // Example requests use unlisted values wherever a rule takes any value: they reach a
      // rule exactly when it is not shadowed.
      for (const rule of policy.rules) {
        const reached = exampleRequests(rule).some((req) => evaluatePolicy(policy, req).rule === rule.index);
        if (reached === dead.has(rule.index)) return false;
      }
      return true;
    }),
    { numRuns: 1500, seed: 20260102 },
  );
});
