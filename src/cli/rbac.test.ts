// End-to-end: `palisade rbac …` as a user runs it, on real files and stdin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
let dir: string;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.signal, null, 'palisade hung or crashed');
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-pods
  namespace: ns1
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- kind: User
  apiGroup: rbac.authorization.k8s.io
  name: alice
- kind: ServiceAccount
  name: deployer
  namespace: ci
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: scaler
rules:
- apiGroups: ["*"]
  resources: ["*/scale"]
  verbs: [update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: scalers
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: scaler
subjects:
- kind: Group
  apiGroup: rbac.authorization.k8s.io
  name: autoscalers
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dangling
  namespace: ns1
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: missing
subjects:
- kind: User
  apiGroup: rbac.authorization.k8s.io
  name: bob
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-rbac-'));
  writeFileSync(join(dir, 'rbac.yaml'), RBAC);
  writeFileSync(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('can: yes with the binding, role and rule (JSON), exit 0', () => {
  const r = run(['rbac', 'can', 'get', 'pods', '-n', 'ns1', '--as', 'alice', 'rbac.yaml', '--format', 'json']);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.equal(out.allowed, true);
  assert.deepEqual(out.by[0], {
    binding: 'RoleBinding/ns1/read-pods', role: 'ClusterRole/view', rule: 0, subject: 0, bindingAt: 'rbac.yaml:11', ruleAt: 'built-in',
    aggregatedFrom: { role: 'ClusterRole/system:aggregate-to-view', rule: 0 },
  });
  assert.deepEqual(out.user, { name: 'alice', groups: ['system:authenticated'] });
});

test('can: no exits 1, like kubectl auth can-i; -q prints nothing', () => {
  const r = run(['rbac', 'can', 'get', 'pods', '-n', 'ns2', '--as', 'alice', 'rbac.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^no\n/);
  const q = run(['rbac', 'can', 'get', 'pods', '-n', 'ns1', '--as', 'alice', '-q', 'rbac.yaml']);
  assert.equal(q.code, 0);
  assert.equal(q.stdout, '');
});

test('can: kubectl forms — pods/log, deployments.apps, --subresource, ServiceAccount users', () => {
  assert.equal(run(['rbac', 'can', 'get', 'pods/log', '-n', 'ns1', '--as', 'system:serviceaccount:ci:deployer', 'rbac.yaml']).code, 0);
  assert.equal(run(['rbac', 'can', 'create', 'pods', '--subresource', 'exec', '-n', 'ns1', '--as', 'alice', 'rbac.yaml']).code, 1);
  assert.equal(run(['rbac', 'can', 'list', 'deployments.apps', '-n', 'ns1', '--as', 'alice', 'rbac.yaml']).code, 0);
  // `*/scale` in the rule: any resource's scale subresource, not the resource.
  assert.equal(run(['rbac', 'can', 'update', 'deployments.apps/scale', '--as', 'carol', '--as-group', 'autoscalers', 'rbac.yaml']).code, 0);
  assert.equal(run(['rbac', 'can', 'update', 'deployments.apps', '--as', 'carol', '--as-group', 'autoscalers', 'rbac.yaml']).code, 1);
});

test('can: no --as is an anonymous request; non-resource URLs', () => {
  const r = run(['rbac', 'can', 'get', '--non-resource-url', '/healthz', 'rbac.yaml', '-f', 'json']);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.user, { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.equal(out.by[0].binding, 'ClusterRoleBinding/system:public-info-viewer');
  assert.equal(run(['rbac', 'can', 'get', '/metrics', 'rbac.yaml']).code, 1);
  assert.equal(run(['rbac', 'can', 'get', '/healthz', 'rbac.yaml', '--no-default-bindings']).code, 1);
});

test('can: a dangling binding is a note, not a crash; warnings name file:line', () => {
  const r = run(['rbac', 'can', 'get', 'pods', '-n', 'ns1', '--as', 'bob', 'rbac.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /note: RoleBinding\/ns1\/dangling refers to Role ns1\/missing, which does not exist/);
});

test('can: system:masters is allowed without any binding', () => {
  const r = run(['rbac', 'can', 'delete', 'nodes', '--as', 'admin', '--as-group', 'system:masters', '--no-default-bindings', 'rbac.yaml']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /system:masters.*before RBAC is asked \(RBAC alone would say no\)/);
});

test('reads stdin like scan', () => {
  const r = run(['rbac', 'can', 'get', 'pods', '-n', 'ns1', '--as', 'alice', '-'], RBAC);
  assert.equal(r.code, 0);
});

test('unreadable input and bad flags exit 2 with one line', () => {
  const missing = run(['rbac', 'can', 'get', 'pods', '--as', 'alice', 'nope.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml: no such file or directory/);
  const broken = run(['rbac', 'can', 'get', 'pods', '--as', 'alice', 'broken.yaml']);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /broken\.yaml:\d+: invalid YAML/);
  const groupOnly = run(['rbac', 'can', 'get', 'pods', '--as-group', 'x', 'rbac.yaml']);
  assert.equal(groupOnly.code, 2);
  assert.equal(groupOnly.stderr.trim().split('\n').length, 1);
  assert.equal(run(['rbac', 'can', 'get', 'pods/log', '--subresource', 'exec', 'rbac.yaml']).code, 2);
  assert.equal(run(['rbac', 'can', 'get', 'pods', '--format', 'yaml', 'rbac.yaml']).code, 2);
  assert.equal(run(['rbac', 'can']).code, 2);
});

test('who-can: every subject with where and how (JSON); -n narrows to one namespace', () => {
  const any = JSON.parse(run(['rbac', 'who-can', 'list', 'pods', 'rbac.yaml', '-f', 'json']).stdout);
  const names = (o: { subjects: Array<{ kind: string; name: string; namespace?: string }> }) => o.subjects.map((s) => `${s.kind}:${s.namespace ? s.namespace + '/' : ''}${s.name}`);
  assert.deepEqual(names(any).filter((n) => !n.startsWith('User:system:')), ['User:alice', 'Group:system:masters', 'ServiceAccount:ci/deployer']);
  assert.equal(any.subjects[0].by[0].namespace, 'ns1');
  const ns2 = JSON.parse(run(['rbac', 'who-can', 'list', 'pods', '-n', 'ns2', 'rbac.yaml', '-f', 'json']).stdout);
  assert.deepEqual(names(ns2).filter((n) => !n.startsWith('User:system:')), ['Group:system:masters']);
  const table = run(['rbac', 'who-can', 'patch', 'statefulsets/scale', 'rbac.yaml']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /group:autoscalers\s+cluster-wide\s+ClusterRoleBinding\/scalers\s+ClusterRole\/scaler\s+0\s+rbac\.yaml:36/);
});

test('access: the permission matrix of a user', () => {
  const out = JSON.parse(run(['rbac', 'access', '--as', 'system:serviceaccount:ci:deployer', 'rbac.yaml', '-f', 'json']).stdout);
  const pods = out.rules.find((r: { namespace: string; resource?: string; apiGroup?: string }) => r.namespace === 'ns1' && r.resource === 'pods' && r.apiGroup === '');
  assert.deepEqual(pods.verbs, ['get', 'list', 'watch']);
  assert.equal(pods.by[0].binding, 'RoleBinding/ns1/read-pods');
  const table = run(['rbac', 'access', '--as', 'carol', '--as-group', 'autoscalers', 'rbac.yaml']);
  assert.match(table.stdout, /\(cluster-wide\)\s+\*\s+\*\/scale\s+\*\s+patch,update\s+ClusterRoleBinding\/scalers → ClusterRole\/scaler/);
});

const RISKY = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: prod}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deploys-prod, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-bot}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: admin-bot, namespace: prod}
`;

test('risks: findings through the scan reporters (JSON, SARIF), the escalation chain, --fail-on exit codes', () => {
  writeFileSync(join(dir, 'risky.yaml'), RISKY);
  const r = run(['rbac', 'risks', 'risky.yaml', '-f', 'json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout);
  const chain = report.findings.find((f: { check: string }) => f.check === 'rbac-risk/escalation-path');
  assert.match(chain.message, /^sa:ci\/deployer → create pods in ns prod → sa:prod\/admin-bot token → cluster-admin \(/);
  assert.deepEqual({ file: chain.resource.file, line: chain.line, path: chain.path }, { file: 'risky.yaml', line: 14, path: 'subjects[0]' });
  assert.deepEqual(report.findings.map((f: { check: string }) => f.check).sort(), ['rbac-risk/escalation-path', 'rbac-risk/pod-create', 'rbac-risk/wildcard-admin']);
  assert.equal(report.summary.bySeverity.critical, 2);
  const sarif = JSON.parse(run(['rbac', 'risks', 'risky.yaml', '-f', 'sarif']).stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].tool.driver.rules.some((x: { id: string }) => x.id === 'rbac-risk/escalation-path'));
  assert.equal(run(['rbac', 'risks', 'risky.yaml', '--fail-on', 'none']).code, 0);
  assert.equal(run(['rbac', 'risks', 'rbac.yaml', '--fail-on', 'low']).code, 1, 'the dangling binding is low');
  assert.equal(run(['rbac', 'risks', 'rbac.yaml']).code, 0, 'nothing at high or above');
});

test('risks: Kubernetes\' own grants only with --include-system; unreadable input exits 2', () => {
  writeFileSync(join(dir, 'empty.yaml'), '# nothing\n');
  const plain = JSON.parse(run(['rbac', 'risks', 'empty.yaml', '-f', 'json']).stdout);
  assert.equal(plain.findings.length, 0);
  const system = JSON.parse(run(['rbac', 'risks', 'empty.yaml', '-f', 'json', '--include-system', '--fail-on', 'none']).stdout);
  assert.ok(system.findings.some((f: { check: string; message: string }) => f.check === 'rbac-risk/wildcard-admin' && f.message.includes('Group system:masters')));
  const bad = run(['rbac', 'risks', 'nope.yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr + bad.stdout, /nope\.yaml/);
});
