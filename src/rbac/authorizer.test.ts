/**
 * The binding walk, identities, built-in roles and aggregation. Expected answers are derived
 * from the Kubernetes source named in each comment: pkg/registry/rbac/validation/rule.go
 * (VisitRulesFor, GetRoleReferenceRules; commit 05c351a9), k8s.io/apiserver
 * pkg/endpoints/filters/impersonation.go, pkg/controller/clusterroleaggregation (commit 003e8629),
 * and the bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from './authorizer.js';
import { impersonatedUser, serviceAccountIdentity } from './identity.js';
import { buildRequest } from './request.js';
import { ResourceCatalog } from './resources.js';
import { authorizerOf, policyOf, rbac, res, url, user } from './testkit.js';

const READ_PODS_RB = rbac('RoleBinding', `
metadata: {name: read-pods, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}
`);

test('a RoleBinding to a ClusterRole grants its rules only in the binding\'s namespace', () => {
  // VisitRulesFor: ClusterRoleBindings always; RoleBindings only `if len(namespace) > 0`, listed
  // with ListRoleBindings(namespace) — the request's namespace.
  const a = authorizerOf(READ_PODS_RB);
  const alice = impersonatedUser('alice');
  const yes = a.authorize(alice, res('get', 'pods', { namespace: 'ns1' }));
  assert.equal(yes.allowed, true);
  assert.equal(yes.grants[0].binding.name, 'read-pods');
  assert.equal(yes.grants[0].role.name, 'view');
  assert.equal(a.authorize(alice, res('get', 'pods', { namespace: 'ns2' })).allowed, false);
  assert.equal(a.authorize(alice, res('list', 'pods')).allowed, false, 'across all namespaces (namespace "") sees no RoleBinding');
});

test('built-in view/edit/admin resolve without the cluster, aggregation included', () => {
  // policy.go: view/edit/admin have only an aggregationRule; system:aggregate-to-view lists pods,
  // system:aggregate-to-edit adds secrets and pods/exec, system:aggregate-to-admin adds rolebindings.
  const a = authorizerOf(rbac('RoleBinding', `
metadata: {name: b, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: viewer}]
`) + rbac('RoleBinding', `
metadata: {name: e, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: editor}]
`) + rbac('RoleBinding', `
metadata: {name: a, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: boss}]
`));
  const can = (who: string, verb: string, resource: string, o: Parameters<typeof res>[2] = {}) =>
    a.authorize(impersonatedUser(who), res(verb, resource, { namespace: 'dev', ...o })).allowed;
  assert.equal(can('viewer', 'list', 'pods'), true);
  assert.equal(can('viewer', 'get', 'secrets', { name: 'x' }), false, 'view does not read secrets');
  assert.equal(can('viewer', 'create', 'pods'), false);
  assert.equal(can('editor', 'get', 'secrets', { name: 'x' }), true);
  assert.equal(can('editor', 'create', 'pods', { subresource: 'exec', name: 'p' }), true);
  assert.equal(can('editor', 'list', 'pods'), true, 'edit includes view (view carries aggregate-to-edit)');
  assert.equal(can('editor', 'create', 'rolebindings', { apiGroup: 'rbac.authorization.k8s.io' }), false);
  assert.equal(can('boss', 'create', 'rolebindings', { apiGroup: 'rbac.authorization.k8s.io' }), true);
  assert.equal(can('boss', 'list', 'pods'), true, 'admin includes edit includes view: transitive');
  // The grant names the aggregated role, and where the rule was written.
  const g = a.authorize(impersonatedUser('boss'), res('list', 'pods', { namespace: 'dev' })).grants[0];
  assert.equal(g.role.name, 'admin');
  assert.equal(g.role.ruleSources[g.ruleIndex].role.name, 'system:aggregate-to-view');
});

test('aggregation: custom roles join by label, selectors OR, {} selects all, self skipped, listed rules replaced', () => {
  // syncClusterRole: for each selector, List(selector) sorted byName, `if clusterRoles[i].Name == sharedClusterRole.Name { continue }`,
  // append unless ruleExists (DeepEqual); the result replaces .Rules.
  const p = policyOf(rbac('ClusterRole', `
metadata: {name: crd-viewer, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get, list]}]
`) + rbac('ClusterRole', `
metadata: {name: combo}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {team: a}
  - matchExpressions: [{key: team, operator: In, values: [b]}]
rules: [{apiGroups: [""], resources: [secrets], verbs: ["*"]}]
`) + rbac('ClusterRole', `
metadata: {name: ra, labels: {team: a}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
`) + rbac('ClusterRole', `
metadata: {name: rb, labels: {team: b}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}, {apiGroups: [""], resources: [services], verbs: [get]}]
`) + rbac('ClusterRole', `
metadata: {name: everything}
aggregationRule: {clusterRoleSelectors: [{}]}
`));
  const combo = p.clusterRoles.get('combo')!;
  // ra's rule (first selector), then rb's: its configmaps rule equals ra's and is dropped.
  assert.deepEqual(combo.rules.map((r) => `${r.verbs.join()} ${r.resources.join()}`), ['get configmaps', 'get services']);
  assert.deepEqual(combo.ruleSources.map((s) => s.role.name), ['ra', 'rb']);
  assert.equal(combo.rules.some((r) => r.resources.includes('secrets')), false, 'the listed rules are replaced');
  // view picked up the custom role, and so did edit and admin through it.
  for (const name of ['view', 'edit', 'admin']) {
    assert.ok(p.clusterRoles.get(name)!.rules.some((r) => r.resources.includes('widgets')), name);
  }
  // `{}` selects every ClusterRole except itself: it holds cluster-admin's rules too.
  const everything = p.clusterRoles.get('everything')!;
  assert.ok(everything.rules.some((r) => r.verbs.includes('*') && r.resources.includes('*')));
  assert.ok(p.diagnostics.some((d) => d.code === 'aggregation' && d.object.name === 'combo'), 'listed rules on an aggregated role are mentioned');
});

test('input objects override a built-in role of the same name', () => {
  const a = authorizerOf(READ_PODS_RB + rbac('ClusterRole', `
metadata: {name: view}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
`));
  const alice = impersonatedUser('alice');
  assert.equal(a.authorize(alice, res('get', 'configmaps', { namespace: 'ns1', name: 'c' })).allowed, true);
  assert.equal(a.authorize(alice, res('get', 'pods', { namespace: 'ns1', name: 'p' })).allowed, false);
});

test('a Role is looked up in the binding\'s namespace only; a missing role is an error that grants nothing', () => {
  // GetRoleReferenceRules: `case "Role": r.roleGetter.GetRole(bindingNamespace, roleRef.Name)`; errors are visited, not fatal.
  const a = authorizerOf(rbac('Role', `
metadata: {name: reader, namespace: other}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`) + rbac('RoleBinding', `
metadata: {name: b, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
`));
  const d = a.authorize(impersonatedUser('alice'), res('get', 'pods', { namespace: 'ns1', name: 'p' }));
  assert.equal(d.allowed, false);
  assert.deepEqual(d.errors, ['RoleBinding/ns1/b refers to Role ns1/reader, which does not exist']);
});

test('cluster-scoped requests and non-resource URLs never see RoleBindings', () => {
  const a = authorizerOf(rbac('Role', `
metadata: {name: r, namespace: ns1}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
`) + rbac('ClusterRole', `
metadata: {name: urls}
rules: [{nonResourceURLs: ["/metrics"], verbs: [get]}]
`) + rbac('RoleBinding', `
metadata: {name: r, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
`) + rbac('RoleBinding', `
metadata: {name: u, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: urls}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
`));
  const alice = impersonatedUser('alice');
  // A node request carries no namespace, so RoleBindings are never listed for it.
  assert.equal(a.authorize(alice, res('get', 'nodes', { name: 'n1' })).allowed, false);
  assert.equal(a.authorize(alice, url('get', '/metrics')).allowed, false);
});

test('implicit groups: every authenticated user, every ServiceAccount, anonymous', () => {
  // impersonation.go: SA users without groups get serviceaccount.MakeGroupNames(namespace); non-anonymous users get
  // system:authenticated; system:anonymous gets system:unauthenticated.
  assert.deepEqual(impersonatedUser('alice').groups, ['system:authenticated']);
  assert.deepEqual(impersonatedUser('alice', ['dev']).groups, ['dev', 'system:authenticated']);
  assert.deepEqual(impersonatedUser('alice', ['system:unauthenticated']).groups, ['system:unauthenticated']);
  assert.deepEqual(impersonatedUser('system:serviceaccount:ci:deployer').groups, ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);
  assert.deepEqual(impersonatedUser('system:serviceaccount:ci:deployer', ['x']).groups, ['x', 'system:authenticated'], 'explicit groups replace the SA groups');
  assert.deepEqual(impersonatedUser(undefined), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.deepEqual(impersonatedUser('system:anonymous').groups, ['system:unauthenticated']);
  assert.deepEqual(impersonatedUser('system:serviceaccount:Bad:x').groups, ['system:authenticated'], 'not a valid SA user name: a plain user');
  const group = (name: string) => rbac('ClusterRoleBinding', `
metadata: {name: ${name.replace(/:/g, '-')}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "${name}"}]
`);
  const list = res('list', 'configmaps', { namespace: 'x' });
  const only = (g: string) => authorizerOf(group(g), { defaultBindings: false });
  assert.equal(only('system:authenticated').authorize(impersonatedUser('anyone'), list).allowed, true);
  assert.equal(only('system:authenticated').authorize(impersonatedUser(undefined), list).allowed, false);
  assert.equal(only('system:unauthenticated').authorize(impersonatedUser(undefined), list).allowed, true);
  assert.equal(only('system:serviceaccounts').authorize(serviceAccountIdentity('ci', 'a'), list).allowed, true);
  assert.equal(only('system:serviceaccounts:ci').authorize(serviceAccountIdentity('ci', 'a'), list).allowed, true);
  assert.equal(only('system:serviceaccounts:ci').authorize(serviceAccountIdentity('prod', 'a'), list).allowed, false);
  assert.equal(only('system:serviceaccounts').authorize(impersonatedUser('alice'), list).allowed, false);
});

test('default bindings: discovery for the authenticated, public-info-viewer for everyone', () => {
  // bootstrap cluster-role-bindings: system:discovery → system:authenticated; system:public-info-viewer → also system:unauthenticated.
  const a = authorizerOf('');
  assert.equal(a.authorize(impersonatedUser(undefined), url('get', '/healthz')).allowed, true);
  assert.equal(a.authorize(impersonatedUser(undefined), url('get', '/apis')).allowed, false);
  assert.equal(a.authorize(impersonatedUser('alice'), url('get', '/apis/apps')).allowed, true);
  assert.equal(a.authorize(impersonatedUser('alice'), res('create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' })).allowed, true);
  assert.equal(a.authorize(impersonatedUser('alice'), res('list', 'pods')).allowed, false);
  const none = authorizerOf('', { defaultBindings: false });
  assert.equal(none.authorize(impersonatedUser(undefined), url('get', '/healthz')).allowed, false);
});

test('system:masters is allowed everything even without any RBAC object', () => {
  // The API server puts authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup) before RBAC.
  const a = authorizerOf('', { defaultBindings: false });
  const admin = user('kubernetes-admin', 'system:masters', 'system:authenticated');
  const d = a.authorize(admin, res('delete', 'nodes', { name: 'n1' }));
  assert.equal(d.allowed, true);
  assert.equal(d.privilegedGroup, 'system:masters');
  assert.deepEqual(d.grants, []);
  assert.equal(a.authorize(admin, res('delete', 'nodes', { name: 'n1' }), { rbacOnly: true }).allowed, false, 'RBAC alone says no');
  // With the default bindings, RBAC also allows it through cluster-admin.
  const withDefaults = authorizerOf('').authorize(admin, url('get', '/anything'));
  assert.equal(withDefaults.grants[0].binding.name, 'cluster-admin');
});

test('the first matching subject is reported, and each binding once', () => {
  const a = authorizerOf(rbac('ClusterRoleBinding', `
metadata: {name: both}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, apiGroup: rbac.authorization.k8s.io, name: ops}
- {kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}
`), { defaultBindings: false });
  const d = a.authorize(impersonatedUser('alice', ['ops']), res('get', 'pods'));
  assert.equal(d.grants.length, 1);
  assert.equal(d.grants[0].subjectIndex, 0);
});

test('a namespace object is requested in its own namespace', () => {
  // requestinfo.go: for /api/v1/namespaces/{name} `requestInfo.Namespace = currentParts[1]` and the name is the same
  // part, so a RoleBinding in namespace X (view: "read access to namespaces at the namespace scope") grants get namespace X.
  const a = authorizerOf(READ_PODS_RB);
  const catalog = new ResourceCatalog();
  const own = buildRequest({ verb: 'get', resource: 'namespaces', name: 'ns1' }, catalog).request;
  assert.equal(own.resourceRequest && own.namespace, 'ns1');
  assert.equal(a.authorize(impersonatedUser('alice'), own).allowed, true);
  assert.equal(a.authorize(impersonatedUser('alice'), buildRequest({ verb: 'get', resource: 'ns', name: 'ns2' }, catalog).request).allowed, false);
  assert.equal(a.authorize(impersonatedUser('alice'), buildRequest({ verb: 'list', resource: 'namespaces' }, catalog).request).allowed, false);
});

test('who-can finds every subject, with RoleBindings counted only where they apply', () => {
  const a = authorizerOf(READ_PODS_RB + rbac('ClusterRoleBinding', `
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: ops}, {kind: ServiceAccount, name: bot, namespace: ci}]
`) + rbac('RoleBinding', `
metadata: {name: local-sa, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: reader}]
`));
  // The default bindings' control-plane users (kube-controller-manager lists everything) are left aside here.
  const names = (list: ReturnType<Authorizer['whoCan']>) => list.map((e) => `${e.subject.kind}:${e.subject.namespace ? e.subject.namespace + '/' : ''}${e.subject.name}`)
    .filter((n) => !n.startsWith('User:system:kube-'));
  assert.deepEqual(names(a.whoCan(res('list', 'pods', { namespace: 'ns1' }))), ['User:alice', 'Group:ops', 'Group:system:masters', 'ServiceAccount:ci/bot', 'ServiceAccount:ns1/reader']);
  assert.deepEqual(names(a.whoCan(res('list', 'pods', { namespace: 'ns2' }))), ['Group:ops', 'Group:system:masters', 'ServiceAccount:ci/bot']);
  assert.deepEqual(names(a.whoCan(res('list', 'pods'))), ['Group:ops', 'Group:system:masters', 'ServiceAccount:ci/bot'], 'cluster-wide: ClusterRoleBindings only');
  const any = a.whoCan(res('list', 'pods'), { anyNamespace: true });
  assert.deepEqual(names(any), ['User:alice', 'Group:ops', 'Group:system:masters', 'ServiceAccount:ci/bot', 'ServiceAccount:ns1/reader']);
  assert.equal(any[0].by[0].namespace, 'ns1');
  // Subresources: who can exec? edit grants pods/exec (system:aggregate-to-edit); view does not.
  assert.deepEqual(names(a.whoCan(res('create', 'pods', { namespace: 'ns1', subresource: 'exec' }))), ['Group:ops', 'Group:system:masters', 'ServiceAccount:ci/bot']);
  // Cluster-scoped resources: RoleBindings never count, even with anyNamespace.
  assert.deepEqual(names(a.whoCan(res('delete', 'nodes'), { anyNamespace: true })), ['Group:system:masters']);
  // Non-resource URLs.
  assert.ok(names(a.whoCan(url('get', '/healthz'))).includes('Group:system:unauthenticated'));
});

test('who-can agrees with authorize for every subject it lists and for none it leaves out', () => {
  const a = authorizerOf(READ_PODS_RB + rbac('ClusterRoleBinding', `
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: bob}]
`), { defaultBindings: false });
  for (const req of [res('get', 'secrets', { namespace: 'ns1', name: 's' }), res('list', 'pods', { namespace: 'ns1' }), res('create', 'pods', { namespace: 'ns1', subresource: 'exec' })]) {
    const listed = new Set(a.whoCan(req).map((e) => e.subject.name));
    for (const who of ['alice', 'bob', 'carol']) assert.equal(a.authorize(impersonatedUser(who), req).allowed, listed.has(who), `${who} ${JSON.stringify(req)}`);
  }
});
