/**
 * Loading RBAC objects: what the API server would reject (pkg/apis/rbac/validation/validation.go),
 * duplicates (the later apply wins), defaults, and the facts escalation analysis needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { impersonatedUser } from './identity.js';
import { authorizerOf, policyOf, rbac, res } from './testkit.js';

test('a rule without verbs, or a resource rule without apiGroups, makes the object invalid: reported and left out', () => {
  // ValidatePolicyRule: `if len(rule.Verbs) == 0 { field.Required(verbs) }`; resource rules
  // "must supply at least one api group" and "at least one resource".
  const p = policyOf(rbac('ClusterRole', `
metadata: {name: no-verbs}
rules:
- apiGroups: [""]
  resources: [pods]
`) + rbac('ClusterRole', `
metadata: {name: no-groups}
rules:
- resources: [pods]
  verbs: [get]
`) + rbac('Role', `
metadata: {name: urls, namespace: a}
rules:
- nonResourceURLs: [/healthz]
  verbs: [get]
`) + rbac('ClusterRole', `
metadata: {name: mixed}
rules:
- nonResourceURLs: [/healthz]
  resources: [pods]
  apiGroups: [""]
  verbs: [get]
`));
  assert.equal(p.clusterRoles.has('no-verbs'), false);
  assert.equal(p.clusterRoles.has('no-groups'), false);
  assert.equal(p.roles.has('a/urls'), false);
  assert.equal(p.clusterRoles.has('mixed'), false);
  const invalid = p.diagnostics.filter((d) => d.code === 'invalid-object');
  assert.deepEqual(invalid.map((d) => [d.object.name, d.line]), [['no-verbs', 5], ['no-groups', 12], ['urls', 19], ['mixed', 26]]);
  assert.match(invalid[0].message, /rule has no verbs/);
  assert.match(invalid[2].message, /namespaced rules cannot apply to non-resource URLs/);
});

test('a roleRef of the wrong kind or group, or a bad subject, makes the binding invalid', () => {
  const p = policyOf(rbac('ClusterRoleBinding', `
metadata: {name: to-role}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: a}]
`) + rbac('RoleBinding', `
metadata: {name: bad-kind, namespace: n}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRoles, name: view}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: a}]
`) + rbac('ClusterRoleBinding', `
metadata: {name: sa-no-ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: bot}]
`) + rbac('RoleBinding', `
metadata: {name: sa-ok, namespace: n}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: bot}]
`), { defaultBindings: false });
  assert.deepEqual(p.clusterRoleBindings.map((b) => b.name), []);
  assert.deepEqual(p.roleBindings.map((b) => b.name), ['sa-ok']);
  const msgs = p.diagnostics.filter((d) => d.code === 'invalid-object').map((d) => `${d.object.name}:${d.line}: ${d.message.split(';')[0]}`);
  assert.deepEqual(msgs, [
    'to-role:4: ClusterRoleBinding to-role: roleRef.kind must be ClusterRole (found "Role")',
    'bad-kind:10: RoleBinding bad-kind: roleRef.kind must be Role or ClusterRole (found "ClusterRoles")',
    'sa-no-ns:17: ClusterRoleBinding sa-no-ns: ServiceAccount subject of a ClusterRoleBinding needs a namespace',
  ]);
});

test('the same object twice: both places reported, the later one wins', () => {
  const text = rbac('ClusterRole', `
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`) + rbac('ClusterRole', `
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
`) + rbac('ClusterRoleBinding', `
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
`);
  const p = policyOf(text);
  const dup = p.diagnostics.filter((d) => d.code === 'duplicate-object');
  assert.equal(dup.length, 1);
  assert.match(dup[0].message, /defined twice: at rbac\.yaml:1 and at rbac\.yaml:6/);
  const a = authorizerOf(text);
  assert.equal(a.authorize(impersonatedUser('alice'), res('get', 'secrets', { namespace: 'x', name: 's' })).allowed, true);
  assert.equal(a.authorize(impersonatedUser('alice'), res('get', 'pods', { namespace: 'x', name: 'p' })).allowed, false);
});

test('namespaced objects without a namespace go to "default", with a note', () => {
  const p = policyOf(rbac('RoleBinding', `
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: bot}]
`));
  assert.equal(p.roleBindings[0].namespace, 'default');
  assert.ok(p.diagnostics.some((d) => d.code === 'namespace-defaulted'));
  assert.ok(p.serviceAccounts.has('default/bot'));
});

test('RBAC kinds of other API groups are not RBAC objects; ServiceAccounts, token Secrets, pods and CRDs are facts', () => {
  const p = policyOf(`apiVersion: example.com/v1
kind: ClusterRole
metadata: {name: not-rbac}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata: {name: admin-bot-token, namespace: prod, annotations: {kubernetes.io/service-account.name: admin-bot}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {spec: {serviceAccountName: web, containers: [{name: c, image: nginx}]}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, scope: Cluster, names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}}
`);
  assert.equal(p.clusterRoles.has('not-rbac'), false);
  assert.deepEqual([...p.serviceAccounts.keys()].sort(), ['ci/deployer', 'kube-system/kube-dns', 'prod/admin-bot', 'shop/web']);
  assert.deepEqual(p.tokenSecrets.map((s) => `${s.namespace}/${s.name}→${s.serviceAccount}`), ['prod/admin-bot-token→admin-bot']);
  assert.deepEqual(p.customResources.map((r) => [r.group, r.plural, r.namespaced]), [['example.com', 'widgets', false]]);
});

test('malformed values never crash the loader', () => {
  const p = policyOf(rbac('ClusterRole', `
metadata: {name: weird}
rules: {not: a list}
`) + rbac('ClusterRole', `
metadata: {name: weird2}
rules: [[], "x", {verbs: get, apiGroups: [""], resources: [pods]}]
`) + rbac('RoleBinding', `
metadata: {name: weird3, namespace: n}
roleRef: view
subjects: [{kind: User, name: [1]}]
`) + rbac('ClusterRoleBinding', `
metadata: {}
`));
  assert.equal(p.clusterRoles.has('weird'), false);
  assert.equal(p.clusterRoles.has('weird2'), false);
  assert.equal(p.roleBindings.length, 0);
  assert.ok(p.diagnostics.filter((d) => d.code === 'invalid-object').length >= 5);
});
