import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckParams } from './index.js';
import { deployment, findingsOf, lineAfter, manifest, namedBrief, type NamedBrief } from './testkit.js';

const IDS = ['networkpolicy/pod-not-selected', 'networkpolicy/no-default-deny', 'networkpolicy/selects-nothing'];

const scan = (yaml: string, ids: string[] = IDS, params?: CheckParams): NamedBrief[] => findingsOf(yaml, ids, params).map(namedBrief);

const deploy = (name: string, ns: string | undefined, labels: string) => deployment(name, { namespace: ns, labels });

const policy = (name: string, ns: string | undefined, spec: string) => manifest('networking.k8s.io/v1', 'NetworkPolicy', name, ns, `spec:\n${spec}`);

test('pod-not-selected: matchLabels, other namespaces, and a namespace without policies', () => {
  const yaml = [
    policy('web', 'shop', '  podSelector:\n    matchLabels: {app: web}'),
    deploy('web', 'shop', '{app: web, tier: front}'),
    deploy('db', 'shop', '{app: db}'),
    deploy('api', 'api', '{app: web}'),
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/pod-not-selected']), [
    {
      check: 'networkpolicy/pod-not-selected', severity: 'medium', name: 'db', path: 'spec.template.metadata.labels',
      line: lineAfter(yaml, 'name: db', 'labels:'),
      message: 'pods of Deployment ({app=db}) are not selected by any NetworkPolicy in namespace "shop" (1 policy there)',
    },
    {
      check: 'networkpolicy/pod-not-selected', severity: 'medium', name: 'api', path: 'spec.template.metadata.labels',
      line: lineAfter(yaml, 'name: api', 'labels:'),
      message: 'pods of Deployment ({app=web}) are not isolated: the input has no NetworkPolicy in namespace "api"',
    },
  ]);
});

test('pod-not-selected: matchExpressions In / NotIn / Exists / DoesNotExist', () => {
  const yaml = [
    policy('backend', 'shop', `  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [backend]}
    - {key: env, operator: NotIn, values: [dev]}
    - {key: team, operator: Exists}
    - {key: legacy, operator: DoesNotExist}`),
    deploy('ok', 'shop', '{tier: backend, env: prod, team: a}'),
    deploy('ok-no-env', 'shop', '{tier: backend, team: a}'),
    deploy('wrong-tier', 'shop', '{tier: front, env: prod, team: a}'),
    deploy('dev', 'shop', '{tier: backend, env: dev, team: a}'),
    deploy('no-team', 'shop', '{tier: backend, env: prod}'),
    deploy('legacy', 'shop', '{tier: backend, env: prod, team: a, legacy: "yes"}'),
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/pod-not-selected']).map((g) => g.name), ['wrong-tier', 'dev', 'no-team', 'legacy']);
});

test('pod-not-selected: podSelector {} / missing / null selects every pod of its namespace only', () => {
  for (const spec of ['  podSelector: {}', '  policyTypes: [Ingress]', '  podSelector: null']) {
    const yaml = [
      policy('all', 'shop', spec),
      deploy('a', 'shop', '{app: a}'),
      deploy('b', 'shop', '{}'),
      deploy('c', 'other', '{app: a}'),
    ].join('\n---\n');
    assert.deepEqual(scan(yaml, ['networkpolicy/pod-not-selected']).map((g) => g.name), ['c'], spec);
  }
});

test('pod-not-selected: nothing without any NetworkPolicy in the input', () => {
  const yaml = [deploy('a', 'shop', '{app: a}'), deploy('b', undefined, '{app: b}')].join('\n---\n');
  assert.deepEqual(scan(yaml), []);
});

test('pod-not-selected: objects without a namespace only meet each other', () => {
  const yaml = [
    policy('all', undefined, '  podSelector: {}'),
    deploy('unset', undefined, '{app: a}'),
    deploy('shop', 'shop', '{app: a}'),
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/pod-not-selected']).map((g) => [g.name, g.message]), [
    ['shop', 'pods of Deployment ({app=a}) are not isolated: the input has no NetworkPolicy in namespace "shop"'],
  ]);
  const reverse = [policy('all', 'shop', '  podSelector: {}'), deploy('unset', undefined, '{app: a}')].join('\n---\n');
  assert.deepEqual(scan(reverse, ['networkpolicy/pod-not-selected']).map((g) => g.message), [
    'pods of Deployment ({app=a}) are not isolated: the input has no NetworkPolicy among objects without metadata.namespace',
  ]);
});

test('pod-not-selected: other workload kinds and a Pod', () => {
  const yaml = [
    policy('web', 'shop', '  podSelector:\n    matchLabels: {app: web}'),
    `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  labels: {app: other}
spec:
  containers: [{name: c, image: nginx}]`,
    `apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: shop}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: web}
        spec:
          containers: [{name: c, image: nginx}]`,
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/pod-not-selected']).map((g) => [g.name, g.path, g.line]), [
    ['p', 'metadata.labels', lineAfter(yaml, 'name: p', 'labels:')],
  ]);
});

test('strange selectors and objects never throw', () => {
  const yaml = [
    policy('str', 'shop', '  podSelector: "app=web"'),
    policy('ml', 'shop', '  podSelector: {matchLabels: "app=web"}'),
    policy('me', 'shop', '  podSelector: {matchExpressions: "x"}'),
    policy('op', 'shop', '  podSelector: {matchExpressions: [{key: app, operator: Foo}]}'),
    policy('nokey', 'shop', '  podSelector: {matchExpressions: [{operator: Exists}, 7, null]}'),
    policy('types', 'shop', '  podSelector: {}\n  policyTypes: "Ingress"\n  ingress: "all"\n  egress: 5'),
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: nospec, namespace: shop}\nspec: null',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: null\nspec: [1, 2]',
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: [a]}',
    'apiVersion: v1\nkind: Namespace\nmetadata: null',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nolabels, namespace: shop}\nspec:\n  template:\n    metadata: {labels: "app=web"}\n    spec: {containers: [{name: c, image: x}]}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nulllabels, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: null, n: 1}}\n    spec: {containers: [{name: c, image: x}]}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: notemplate, namespace: shop}\nspec: {template: "x"}',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nojob, namespace: shop}\nspec: {schedule: "* * * * *"}',
    'apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: calico, namespace: elsewhere}\nspec: {selector: all()}',
    'kind: Deployment\nmetadata: {name: noversion, namespace: shop}\nspec: {template: {spec: {containers: []}}}',
  ].join('\n---\n');
  const got = scan(yaml);
  // Workloads with pods in "shop": nolabels, nulllabels, noversion. Policies "nospec" (spec: null ⇒
  // podSelector {}) and "types" select all of them.
  assert.deepEqual(got.filter((g) => g.check === 'networkpolicy/pod-not-selected'), []);
  assert.deepEqual(got.filter((g) => g.check === 'networkpolicy/selects-nothing').map((g) => [g.name, g.message]), [
    ['str', 'podSelector "app=web" is not a label selector and matches no workload in namespace "shop" (3 workloads there in the input)'],
    ['ml', 'podSelector matches no workload in namespace "shop" (3 workloads there in the input)'],
    ['me', 'podSelector matches no workload in namespace "shop" (3 workloads there in the input)'],
    ['op', 'podSelector matches no workload in namespace "shop" (3 workloads there in the input)'],
    ['nokey', 'podSelector matches no workload in namespace "shop" (3 workloads there in the input)'],
  ]);
  assert.deepEqual(got.filter((g) => g.check === 'networkpolicy/no-default-deny'), []);
});

test('no-default-deny: one policy for both directions, or one per direction', () => {
  const yaml = [
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: both',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: split',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ingress-only',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: allows',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: narrow',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: none',
    policy('deny', 'both', '  podSelector: {}\n  policyTypes: [Ingress, Egress]'),
    policy('deny-in', 'split', '  podSelector: {}'),
    policy('deny-out', 'split', '  podSelector: {matchLabels: {}}\n  policyTypes: [Egress]\n  egress: []'),
    // policyTypes defaults to Ingress only when egress is empty.
    policy('deny', 'ingress-only', '  podSelector: {}\n  egress: []'),
    // ingress: [{}] allows everything: not a deny.
    policy('deny', 'allows', '  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  ingress: [{}]'),
    // Only some pods.
    policy('deny', 'narrow', '  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress, Egress]'),
  ].join('\n---\n');
  const line = (ns: string) => lineAfter(yaml, `name: ${ns}`, ns);
  assert.deepEqual(scan(yaml, ['networkpolicy/no-default-deny']), [
    {
      check: 'networkpolicy/no-default-deny', severity: 'medium', name: 'ingress-only', path: 'metadata.name', line: line('ingress-only'),
      message: 'namespace "ingress-only" denies Ingress by default but not Egress (no policy with podSelector: {}, policyTypes Egress and no egress rules)',
    },
    {
      check: 'networkpolicy/no-default-deny', severity: 'medium', name: 'allows', path: 'metadata.name', line: line('allows'),
      message: 'namespace "allows" denies Egress by default but not Ingress (no policy with podSelector: {}, policyTypes Ingress and no ingress rules)',
    },
    {
      check: 'networkpolicy/no-default-deny', severity: 'medium', name: 'narrow', path: 'metadata.name', line: line('narrow'),
      message: 'namespace "narrow" has no default-deny NetworkPolicy (podSelector: {}, policyTypes Ingress and Egress, no rules)',
    },
    {
      check: 'networkpolicy/no-default-deny', severity: 'medium', name: 'none', path: 'metadata.name', line: line('none'),
      message: 'namespace "none" has no default-deny NetworkPolicy (podSelector: {}, policyTypes Ingress and Egress, no rules)',
    },
  ]);
});

test('no-default-deny: not evaluated without NetworkPolicies; policies without namespace give info', () => {
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}';
  assert.deepEqual(scan(ns, ['networkpolicy/no-default-deny']), [{
    check: 'networkpolicy/no-default-deny', severity: 'info', name: 'shop', path: 'metadata.name', line: 4,
    message: 'not evaluated: no NetworkPolicy in input (namespace "shop")',
  }]);
  const yaml = [ns, policy('deny', undefined, '  podSelector: {}\n  policyTypes: [Ingress, Egress]')].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/no-default-deny']).map((g) => [g.severity, g.message]), [
    ['info', 'namespace "shop" has no default-deny NetworkPolicy (podSelector: {}, policyTypes Ingress and Egress, no rules); NetworkPolicies without metadata.namespace would provide it if applied to this namespace'],
  ]);
});

test('selects-nothing: only judged where the input has workloads of that namespace', () => {
  const yaml = [
    policy('typo', 'shop', '  podSelector:\n    matchLabels: {app: wbe}'),
    policy('fine', 'shop', '  podSelector:\n    matchLabels: {app: web}'),
    policy('elsewhere', 'empty', '  podSelector:\n    matchLabels: {app: web}'),
    policy('unset', undefined, '  podSelector:\n    matchLabels: {app: web}'),
    deploy('web', 'shop', '{app: web}'),
  ].join('\n---\n');
  assert.deepEqual(scan(yaml, ['networkpolicy/selects-nothing']), [{
    check: 'networkpolicy/selects-nothing', severity: 'info', name: 'typo', path: 'spec.podSelector',
    line: lineAfter(yaml, 'name: typo', 'podSelector'),
    message: 'podSelector matches no workload in namespace "shop" (1 workload there in the input)',
  }]);
});

test('selects-nothing: a namespace with custom resources (operator-managed pods) is not judged', () => {
  const yaml = [
    policy('prometheus', 'monitoring', '  podSelector:\n    matchLabels: {app.kubernetes.io/name: prometheus}'),
    deploy('grafana', 'monitoring', '{app: grafana}'),
    manifest('monitoring.coreos.com/v1', 'Prometheus', 'k8s', 'monitoring', 'spec:\n  replicas: 2'),
    policy('typo', 'shop', '  podSelector:\n    matchLabels: {app: wbe}'),
    deploy('web', 'shop', '{app: web}'),
    manifest('gateway.networking.k8s.io/v1', 'HTTPRoute', 'web', 'shop', 'spec: {}'),
  ].join('\n---\n');
  // The Prometheus resource makes pods the input does not show; an HTTPRoute (a *.k8s.io CRD) does not.
  assert.deepEqual(scan(yaml, ['networkpolicy/selects-nothing']).map((f) => f.name), ['typo']);
});

test('many workloads and policies in one namespace (indexed by label): the same answers as pair by pair', () => {
  // 12 services, each with its own policy by app label, but the policy for app-3 has a typo and
  // app-7's pods are matched by an expression instead; a missing podSelector would select all.
  const docs: string[] = [];
  for (let i = 0; i < 12; i++) {
    docs.push(deploy(`app-${i}`, 'shop', `{app: app-${i}, tier: back}`));
    if (i === 7) docs.push(policy(`p${i}`, 'shop', '  podSelector:\n    matchExpressions:\n    - {key: app, operator: In, values: [app-7]}'));
    else docs.push(policy(`p${i}`, 'shop', `  podSelector:\n    matchLabels: {app: ${i === 3 ? 'app-33' : `app-${i}`}, tier: back}`));
  }
  const yaml = docs.join('\n---\n');
  const found = scan(yaml, ['networkpolicy/pod-not-selected', 'networkpolicy/selects-nothing']);
  assert.deepEqual(found.map((g) => `${g.check} ${g.name}`), ['networkpolicy/pod-not-selected app-3', 'networkpolicy/selects-nothing p3']);
  assert.match(found[1].message, /matches no workload in namespace "shop" \(12 workloads there in the input\)/);
  assert.match(found[0].message, /\(12 policies there\)/);
});
