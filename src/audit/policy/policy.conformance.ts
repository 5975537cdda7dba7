// Real audit policies (../shared/data): the GCE default policy, the Kubernetes docs example and
// Falco's recommended policy load without errors, decide known requests as their comments
// say, and lint with the findings a reviewer would expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dataSet, report } from '../../conformance/data.js';
import { loadPolicyFile } from './load.js';
import { evaluatePolicy, type Attributes } from './evaluate.js';
import { nonResourceAttributes, resourceAttributes } from './attributes.js';
import { lintLoaded } from './lint.js';
import { formatProblem, type Level, type Policy } from './types.js';

const auditDir = dataSet('audit');
const falcoDir = dataSet('falco');

const FILES = {
  gce: auditDir && join(auditDir, 'gce-default-audit-policy.yaml'),
  docs: auditDir && join(auditDir, 'k8s-docs-example-audit-policy.yaml'),
  falco: falcoDir && join(falcoDir, 'k8saudit-rules', 'audit-policy.example.yaml'),
};

const alice = { name: 'alice@example.com', groups: ['system:authenticated'] };
const as = (name: string, ...groups: string[]) => ({ name, groups: [...groups, 'system:authenticated'] });
const res = (user: Attributes['user'], verb: string, resource: string, more: Partial<Attributes> = {}): Attributes => {
  const [r, sub = ''] = resource.split('/');
  return resourceAttributes({ ...(user ? { user } : {}), verb, resource: r, subresource: sub, ...more });
};
const url = (user: Attributes['user'], verb: string, path: string): Attributes => nonResourceAttributes({ ...(user ? { user } : {}), verb, path });

type Case = [string, Attributes, Level, number | null];

const RR = ['RequestReceived'];

const GCE_CASES: Case[] = [
  ['kube-proxy watches endpoints', res(as('system:kube-proxy'), 'watch', 'endpoints'), 'None', 0],
  ['kube-proxy watches services/status', res(as('system:kube-proxy'), 'watch', 'services/status'), 'None', 0],
  ['kube-proxy lists endpoints (not a watch)', res(as('system:kube-proxy'), 'list', 'endpoints'), 'Request', 14],
  ['unsecured ingress controller reads its configmap', res(as('system:unsecured'), 'get', 'configmaps', { namespace: 'kube-system', name: 'ingress-uid' }), 'None', 1],
  ['legacy kubelet reads its node', res(as('kubelet'), 'get', 'nodes', { name: 'n1' }), 'None', 2],
  ['a node reads its node status', res(as('system:node:n1', 'system:nodes'), 'get', 'nodes/status', { name: 'n1' }), 'None', 3],
  ['controller-manager updates kube-system endpoints', res(as('system:kube-controller-manager'), 'update', 'endpoints', { namespace: 'kube-system', name: 'x' }), 'None', 4],
  ['controller-manager updates endpoints elsewhere', res(as('system:kube-controller-manager'), 'update', 'endpoints', { namespace: 'default', name: 'x' }), 'RequestResponse', 15],
  ['apiserver reads namespaces/finalize', res(as('system:apiserver'), 'get', 'namespaces/finalize', { namespace: 'a', name: 'a' }), 'None', 5],
  ['cluster-autoscaler updates its configmap', res(as('cluster-autoscaler'), 'update', 'configmaps', { namespace: 'kube-system', name: 'status' }), 'None', 6],
  ['HPA metrics reads by the controller-manager', res(as('system:kube-controller-manager'), 'list', 'pods', { apiGroup: 'metrics.k8s.io', namespace: 'default' }), 'None', 7],
  ['/healthz', url(undefined, 'get', '/healthz'), 'None', 8],
  ['/healthz/etcd', url(alice, 'get', '/healthz/etcd'), 'None', 8],
  ['/version', url(alice, 'get', '/version'), 'None', 8],
  ['/swagger.json', url(alice, 'get', '/swagger.json'), 'None', 8],
  ['/version/ is not /version', url(alice, 'get', '/version/'), 'Metadata', 16],
  ['/livez is not listed', url(alice, 'get', '/livez'), 'Metadata', 16],
  ['events', res(as('system:node:n1', 'system:nodes'), 'create', 'events', { namespace: 'default' }), 'None', 9],
  ['kubelet updates node status', res(as('kubelet'), 'update', 'nodes/status', { name: 'n1' }), 'Request', 10],
  ['a node patches pod status', res(as('system:node:n1', 'system:nodes'), 'patch', 'pods/status', { namespace: 'default', name: 'p' }), 'Request', 11],
  ['namespace controller deletes collections', res(as('system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccounts'), 'deletecollection', 'pods', { namespace: 'gone' }), 'Request', 12],
  ['a secrets get', res(alice, 'get', 'secrets', { namespace: 'default', name: 'db' }), 'Metadata', 13],
  ['a configmap list', res(alice, 'list', 'configmaps', { namespace: 'default' }), 'Metadata', 13],
  ['a token request', res(alice, 'create', 'serviceaccounts/token', { namespace: 'default', name: 'app' }), 'Metadata', 13],
  ['a token review', res(alice, 'create', 'tokenreviews', { apiGroup: 'authentication.k8s.io' }), 'Metadata', 13],
  ['a pods get', res(alice, 'get', 'pods', { namespace: 'default', name: 'p' }), 'Request', 14],
  ['a deployments watch', res(alice, 'watch', 'deployments', { apiGroup: 'apps', namespace: 'default' }), 'Request', 14],
  ['a pods create', res(alice, 'create', 'pods', { namespace: 'default' }), 'RequestResponse', 15],
  ['an exec into a pod', res(alice, 'create', 'pods/exec', { namespace: 'default', name: 'p' }), 'RequestResponse', 15],
  ['a clusterrolebinding delete', res(alice, 'delete', 'clusterrolebindings', { apiGroup: 'rbac.authorization.k8s.io', name: 'x' }), 'RequestResponse', 15],
  ['a custom resource', res(alice, 'create', 'widgets', { apiGroup: 'widgets.example.com', namespace: 'default' }), 'Metadata', 16],
  ['discovery', url(alice, 'get', '/apis'), 'Metadata', 16],
];

const DOCS_CASES: Case[] = [
  ['a pods get', res(alice, 'get', 'pods', { namespace: 'default', name: 'p' }), 'RequestResponse', 0],
  ['pods/log is not "pods"', res(alice, 'get', 'pods/log', { namespace: 'default', name: 'p' }), 'Metadata', 1],
  ['pods/status', res(alice, 'update', 'pods/status', { namespace: 'default', name: 'p' }), 'Metadata', 1],
  ['the controller-leader configmap', res(alice, 'update', 'configmaps', { namespace: 'kube-system', name: 'controller-leader' }), 'None', 2],
  ['a list of configmaps has no name', res(alice, 'list', 'configmaps', { namespace: 'kube-system' }), 'Request', 5],
  ['kube-proxy watches services', res(as('system:kube-proxy'), 'watch', 'services'), 'None', 3],
  ['/apis/apps by an authenticated user ("/api*" has no "/" boundary)', url(alice, 'get', '/apis/apps/v1'), 'None', 4],
  ['/version by an authenticated user', url(alice, 'get', '/version'), 'None', 4],
  ['/version by an anonymous user', url({ name: 'system:anonymous', groups: ['system:unauthenticated'] }, 'get', '/version'), 'Metadata', 8],
  ['/version after failed authentication', url(undefined, 'get', '/version'), 'Metadata', 8],
  ['a configmap in kube-system', res(alice, 'create', 'configmaps', { namespace: 'kube-system' }), 'Request', 5],
  ['a configmap elsewhere', res(alice, 'create', 'configmaps', { namespace: 'default' }), 'Metadata', 6],
  ['a secret', res(alice, 'get', 'secrets', { namespace: 'default', name: 's' }), 'Metadata', 6],
  ['a core resource', res(alice, 'create', 'services', { namespace: 'default' }), 'Request', 7],
  ['an exec (core group, subresources included)', res(alice, 'create', 'pods/exec', { namespace: 'default', name: 'p' }), 'Request', 7],
  ['extensions deployments', res(alice, 'update', 'deployments', { apiGroup: 'extensions', namespace: 'default', name: 'd' }), 'Request', 7],
  ['apps deployments', res(alice, 'update', 'deployments', { apiGroup: 'apps', namespace: 'default', name: 'd' }), 'Metadata', 8],
];

const FALCO_CASES: Case[] = [
  ['a pods create', res(alice, 'create', 'pods', { namespace: 'default' }), 'RequestResponse', 0],
  ['a clusterrolebinding create', res(alice, 'create', 'clusterrolebindings', { apiGroup: 'rbac.authorization.k8s.io' }), 'RequestResponse', 1],
  ['a role create (not listed)', res(alice, 'create', 'roles', { apiGroup: 'rbac.authorization.k8s.io', namespace: 'default' }), 'Metadata', 10],
  ['pods/log', res(alice, 'get', 'pods/log', { namespace: 'default', name: 'p' }), 'Metadata', 2],
  ['apps deployments miss the "deployments" listed under the core group', res(alice, 'create', 'deployments', { apiGroup: 'apps', namespace: 'default' }), 'Metadata', 10],
  ['a configmap in default', res(alice, 'update', 'configmaps', { namespace: 'default', name: 'c' }), 'RequestResponse', 7],
  ['a secret', res(alice, 'get', 'secrets', { namespace: 'default', name: 's' }), 'Metadata', 8],
];

/** Expected lint findings: `line severity check` in the linter's order. */
const LINT: Record<keyof typeof FILES, string[]> = {
  // Careful: only the Request-level watches of its known-groups rule.
  gce: ['119 low audit-policy-noisy-endpoint'],
  docs: [
    '8 low audit-policy-noisy-endpoint', // watches of pods at RequestResponse
    '43 medium audit-policy-sensitive-payload', // configmap bodies in kube-system at Request
    '58 low audit-policy-sensitive-payload', // serviceaccounts/token at Request (no value in the request)
    '58 low audit-policy-noisy-endpoint', // Events at Request
  ],
  falco: [
    '8 low audit-policy-noisy-endpoint',
    '10 medium audit-policy-unknown-resource', // "deployments" under group ""
    '51 medium audit-policy-sensitive-payload',
    '60 medium audit-policy-sensitive-payload', // configmaps at RequestResponse
    '60 low audit-policy-noisy-endpoint',
    '72 low audit-policy-sensitive-payload',
    '72 low audit-policy-noisy-endpoint',
  ],
};

const CASES: Record<keyof typeof FILES, Case[]> = { gce: GCE_CASES, docs: DOCS_CASES, falco: FALCO_CASES };

for (const key of Object.keys(FILES) as Array<keyof typeof FILES>) {
  const file = FILES[key];
  test(`audit policy ${key}: loads, explains known requests, lints as expected`, { skip: file === undefined }, () => {
    const failures: string[] = [];
    let passed = 0;
    const loaded = loadPolicyFile(file!);
    if (loaded.errors.length === 0 && loaded.warnings.length === 0) passed++;
    else failures.push(`load: ${[...loaded.errors, ...loaded.warnings].map(formatProblem).join('; ')}`);
    const policy = loaded.policy as Policy;
    if (policy) {
      for (const [what, attrs, level, rule] of CASES[key]) {
        const got = evaluatePolicy(policy, attrs);
        // Every rule of these policies that logs omits RequestReceived (the docs and Falco ones at the top).
        const stages = level === 'None' && key === 'gce' ? [] : RR;
        if (got.level === level && got.rule === rule && got.omitStages.join() === stages.join()) passed++;
        else failures.push(`${what}: expected ${level} by rules[${rule}] omitting [${stages}], got ${got.level} by rules[${got.rule}] omitting [${got.omitStages}]`);
      }
      const lint = lintLoaded(loaded, file!).findings.map((f) => `${f.line} ${f.severity} ${f.check}`);
      if (lint.join('\n') === LINT[key].join('\n')) passed++;
      else failures.push(`lint: expected\n  ${LINT[key].join('\n  ')}\ngot\n  ${lint.join('\n  ')}`);
    }
    report(`audit-policy ${key}`, passed, failures.length);
    assert.deepEqual(failures, []);
  });
}
