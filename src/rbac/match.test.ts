/**
 * Rule matching, case by case. Every expectation is derived from the Kubernetes source, quoted
 * in the comment: kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (commit 03bf11a3)
 * and plugin/pkg/auth/authorizer/rbac/rbac.go RuleAllows (commit 01aa0f3f).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliesToUser, nonResourceURLMatches, resourceMatches, ruleAllows } from './match.js';
import { res, rule, url, user } from './testkit.js';

const allow = (r: Parameters<typeof rule>[0], req: Parameters<typeof ruleAllows>[0]) => ruleAllows(req, rule(r));

test('resources ["*"] matches every resource and every subresource (RBAC, unlike admission rules)', () => {
  // ResourceMatches: `if ruleResource == rbacv1.ResourceAll { return true }` — checked before any
  // subresource logic, so "*" also matches "pods/exec", "deployments/scale", "pods/log".
  const r = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  assert.equal(allow(r, res('get', 'pods')), true);
  assert.equal(allow(r, res('create', 'pods', { subresource: 'exec' })), true);
  assert.equal(allow(r, res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' })), true);
  assert.equal(allow(r, res('get', 'pods', { subresource: 'log' })), true);
});

test('resources ["pods"] does not grant pods/exec, pods/log or pods/status', () => {
  // RuleAllows: `combinedResource = GetResource() + "/" + GetSubresource()` when there is a
  // subresource; ResourceMatches compares `ruleResource == combinedRequestedResource`.
  const r = { verbs: ['*'], apiGroups: [''], resources: ['pods'] };
  assert.equal(allow(r, res('create', 'pods')), true);
  assert.equal(allow(r, res('create', 'pods', { subresource: 'exec' })), false);
  assert.equal(allow(r, res('get', 'pods', { subresource: 'log' })), false);
  assert.equal(allow(r, res('update', 'pods', { subresource: 'status' })), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', 'pods', { subresource: 'log' })), true);
});

test('"*/scale" grants the scale subresource of every resource, and nothing else', () => {
  // ResourceMatches: `len(ruleResource) == len(requestedSubresource)+2 && HasPrefix(ruleResource, "*/")
  // && HasSuffix(ruleResource, requestedSubresource)`; `if len(requestedSubresource) == 0 { continue }`.
  const r = { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] };
  assert.equal(allow(r, res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' })), true);
  assert.equal(allow(r, res('update', 'replicationcontrollers', { subresource: 'scale' })), true);
  assert.equal(allow(r, res('update', 'deployments', { apiGroup: 'apps' })), false, 'the resource itself');
  assert.equal(allow(r, res('update', 'deployments', { apiGroup: 'apps', subresource: 'status' })), false);
  // The length test means "*/scale" cannot match a subresource merely ending in "scale".
  assert.equal(resourceMatches(rule(r), 'x/autoscale', 'autoscale'), false);
});

test('"pods/*" is not a wildcard: it grants no subresource of pods', () => {
  // ResourceMatches has only three ways to match: "*", the exact combined string, and the
  // "*/<sub>" form. "pods/*" equals only the combined string of a subresource literally named "*".
  const r = { verbs: ['*'], apiGroups: [''], resources: ['pods/*'] };
  assert.equal(allow(r, res('create', 'pods', { subresource: 'exec' })), false);
  assert.equal(allow(r, res('get', 'pods', { subresource: 'log' })), false);
  assert.equal(allow(r, res('get', 'pods')), false);
  assert.equal(allow(r, res('get', 'pods', { subresource: '*' })), true);
});

test('resourceNames: empty allows every name (and none); a list allows only those names', () => {
  // ResourceNameMatches: `if len(rule.ResourceNames) == 0 { return true }`, then `ruleName == requestedName`.
  const any = { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['secrets'] };
  assert.equal(allow(any, res('get', 'secrets', { name: 'db' })), true);
  assert.equal(allow(any, res('list', 'secrets')), true);
  const named = { ...any, resourceNames: ['db'] };
  assert.equal(allow(named, res('get', 'secrets', { name: 'db' })), true);
  assert.equal(allow(named, res('get', 'secrets', { name: 'api' })), false);
  // list/watch carry no name unless the client sends fieldSelector=metadata.name=db (then the
  // request info has that name): a plain list is denied, a field-selected one allowed.
  assert.equal(allow(named, res('list', 'secrets')), false);
  assert.equal(allow(named, res('list', 'secrets', { name: 'db' })), true);
  // create never carries a name (the object does not exist yet): resourceNames + create is dead.
  assert.equal(allow(named, res('create', 'secrets')), false);
  assert.equal(allow({ ...named, verbs: ['deletecollection'] }, res('deletecollection', 'secrets')), false);
});

test('apiGroups: "*" matches every group including core; "" is only the core group', () => {
  // APIGroupMatches: `if ruleGroup == rbacv1.APIGroupAll { return true }`; `ruleGroup == requestedGroup`.
  assert.equal(allow({ verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, res('get', 'deployments', { apiGroup: 'apps' })), true);
  assert.equal(allow({ verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }, res('get', 'pods')), true);
  assert.equal(allow({ verbs: ['get'], apiGroups: [''], resources: ['deployments'] }, res('get', 'deployments', { apiGroup: 'apps' })), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }, res('get', 'deployments', { apiGroup: 'extensions' })), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, res('get', 'pods')), false);
});

test('verbs: "*" matches every verb; otherwise exact', () => {
  // VerbMatches: `if ruleVerb == rbacv1.VerbAll { return true }`; `if ruleVerb == requestedVerb`.
  assert.equal(allow({ verbs: ['*'], apiGroups: [''], resources: ['pods'] }, res('deletecollection', 'pods')), true);
  assert.equal(allow({ verbs: ['*'], apiGroups: [''], resources: ['serviceaccounts'] }, res('impersonate', 'serviceaccounts')), true);
  assert.equal(allow({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', 'pods')), false);
  // A request for verb "*" is only matched by a rule that says "*".
  assert.equal(allow({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }, res('*', 'pods')), false);
});

test('matching is case-sensitive: verbs, resources, groups, names and URLs', () => {
  // Every comparison in evaluation_helpers.go is Go `==` / strings.HasPrefix on the raw strings.
  assert.equal(allow({ verbs: ['GET'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods')), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: [''], resources: ['Pods'] }, res('get', 'pods')), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: ['Apps'], resources: ['deployments'] }, res('get', 'deployments', { apiGroup: 'apps' })), false);
  assert.equal(allow({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['DB'] }, res('get', 'secrets', { name: 'db' })), false);
  assert.equal(allow({ verbs: ['get'], nonResourceURLs: ['/Healthz'] }, url('get', '/healthz')), false);
});

test('nonResourceURLs: "*" matches all, a trailing "*" is a prefix, anything else is exact', () => {
  // NonResourceURLMatches: `ruleURL == NonResourceAll`, `ruleURL == requestedURL`,
  // `HasSuffix(ruleURL, "*") && HasPrefix(requestedURL, TrimRight(ruleURL, "*"))`.
  const r = (u: string) => rule({ verbs: ['get'], nonResourceURLs: [u] });
  assert.equal(nonResourceURLMatches(r('*'), '/anything/at/all'), true);
  assert.equal(nonResourceURLMatches(r('/apis/*'), '/apis/apps/v1'), true);
  assert.equal(nonResourceURLMatches(r('/apis/*'), '/apis/'), true);
  assert.equal(nonResourceURLMatches(r('/apis/*'), '/apis'), false, 'the prefix is "/apis/"');
  assert.equal(nonResourceURLMatches(r('/healthz'), '/healthz/etcd'), false);
  assert.equal(nonResourceURLMatches(r('/healthz*'), '/healthzzz'), true, 'a plain string prefix, not a path segment');
  assert.equal(nonResourceURLMatches(r('/logs**'), '/logs/kube.log'), true, 'TrimRight drops every trailing star');
  assert.equal(allow({ verbs: ['post'], nonResourceURLs: ['/healthz'] }, url('get', '/healthz')), false, 'the verb must match too');
  // A resource rule never allows a non-resource request and vice versa (RuleAllows branches on IsResourceRequest).
  assert.equal(allow({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, url('get', '/healthz')), false);
  assert.equal(allow({ verbs: ['*'], nonResourceURLs: ['*'] }, res('get', 'pods')), false);
});

test('subjects: User and Group by exact name; "*" is not a wildcard', () => {
  // rule.go appliesToUser: `case rbacv1.UserKind: return user.GetName() == subject.Name`;
  // `case rbacv1.GroupKind: return has(user.GetGroups(), subject.Name)`.
  const u = user('alice', 'dev');
  assert.equal(appliesToUser(u, { kind: 'User', name: 'alice', namespace: '', apiGroup: '' }, ''), true);
  assert.equal(appliesToUser(u, { kind: 'User', name: '*', namespace: '', apiGroup: '' }, ''), false);
  assert.equal(appliesToUser(user('*'), { kind: 'User', name: '*', namespace: '', apiGroup: '' }, ''), true);
  assert.equal(appliesToUser(u, { kind: 'Group', name: 'dev', namespace: '', apiGroup: '' }, ''), true);
  assert.equal(appliesToUser(u, { kind: 'Group', name: '*', namespace: '', apiGroup: '' }, ''), false);
  assert.equal(appliesToUser(u, { kind: 'User', name: 'Alice', namespace: '', apiGroup: '' }, ''), false);
  assert.equal(appliesToUser(u, { kind: 'Robot', name: 'alice', namespace: '', apiGroup: '' }, ''), false, 'other kinds: default: return false');
});

test('ServiceAccount subjects: namespace defaults to the binding\'s; none in a ClusterRoleBinding matches nobody', () => {
  // appliesToUser: `saNamespace := namespace; if len(subject.Namespace) > 0 { saNamespace = subject.Namespace }
  // if len(saNamespace) == 0 { return false }; return serviceaccount.MatchesUsername(saNamespace, subject.Name, user.GetName())`.
  const sa = user('system:serviceaccount:ci:deployer');
  const subject = { kind: 'ServiceAccount', name: 'deployer', namespace: '', apiGroup: '' };
  assert.equal(appliesToUser(sa, subject, 'ci'), true, 'RoleBinding in ci');
  assert.equal(appliesToUser(sa, subject, 'prod'), false, 'RoleBinding in prod means prod/deployer');
  assert.equal(appliesToUser(sa, subject, ''), false, 'ClusterRoleBinding: no namespace to default to');
  assert.equal(appliesToUser(sa, { ...subject, namespace: 'ci' }, 'prod'), true, 'an explicit namespace wins');
  // A User subject with the SA's user name is the same identity.
  assert.equal(appliesToUser(sa, { kind: 'User', name: 'system:serviceaccount:ci:deployer', namespace: '', apiGroup: '' }, ''), true);
});
