import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { CHECKS } from './rbac.js';
import { findingsOf } from './testkit.js';

const scan = (id: string, text: string): Finding[] => findingsOf(text, id);

type Row = [path: string, message: string, line: number, severity: string];
function rows(f: Finding[]): Row[] {
  return f.map((x) => [x.path, x.message, x.line, x.severity]);
}

function role(rules: string, kind = 'ClusterRole'): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata:
  name: r
rules:
${rules}`;
}

test('the topic exports its seven checks with CIS 5.1.x references', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), [
    'rbac/wildcard',
    'rbac/cluster-admin-binding',
    'rbac/privileged-subject',
    'rbac/secrets-access',
    'rbac/exec-attach-portforward',
    'rbac/escalation-verbs',
    'rbac/pod-creation',
  ]);
  for (const c of CHECKS) assert.ok((c.refs.cis ?? []).every((s) => s.startsWith('5.1.')), c.id);
});

// ---------------------------------------------------------------- rbac/wildcard

test('wildcard: "*" verbs on "*" resources is critical, reported at the verb', () => {
  const f = scan('rbac/wildcard', role(`- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
- nonResourceURLs: ["*"]
  verbs: ["*"]`));
  assert.equal(f[0].check, 'rbac/wildcard');
  assert.deepEqual(rows(f), [['rules[0].verbs[0]', 'rule grants all verbs on all resources ("*") in apiGroups "*": full control', 8, 'critical']]);
});

test('wildcard: each rule with a wildcard in verbs, resources or apiGroups is high', () => {
  const text = role(`- apiGroups: [""]
  resources: ["pods"]
  verbs:
  - get
  - "*"
- apiGroups: ["*"]
  resources: ["deployments"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources:
  - "*/scale"
  verbs: ["update"]
- apiGroups: ["", "*"]
  resources: ["*"]
  verbs: ["get", "list"]`);
  assert.deepEqual(rows(scan('rbac/wildcard', text)), [
    ['rules[0].verbs[1]', 'rule uses a wildcard in verbs ("*"); it also grants whatever is added later', 10, 'high'],
    ['rules[1].apiGroups[0]', 'rule uses a wildcard in apiGroups ("*"); it also grants whatever is added later', 11, 'high'],
    ['rules[2].resources[0]', 'rule uses a wildcard in resources ("*/scale"); it also grants whatever is added later', 16, 'high'],
    ['rules[3].resources[0]', 'rule uses a wildcard in resources ("*") and apiGroups ("*"); it also grants whatever is added later', 19, 'high'],
  ]);
});

test('wildcard: verbs as a string, pods/*, nonResourceURLs and hardened rules', () => {
  assert.deepEqual(rows(scan('rbac/wildcard', role(`- apiGroups: [""]
  resources: [pods]
  verbs: "*"`, 'Role'))), [['rules[0].verbs', 'rule uses a wildcard in verbs ("*"); it also grants whatever is added later', 8, 'high']]);
  // `pods/*` is not a wildcard for the authorizer: it names a subresource called "*" and grants nothing.
  assert.deepEqual(scan('rbac/wildcard', role(`- apiGroups: [""]
  resources: ["pods/*"]
  verbs: [get]
- nonResourceURLs: ["/healthz", "/metrics*"]
  verbs: [get]
- apiGroups: ["apps"]
  resources: [deployments]
  verbs: [get, list, watch]`)), []);
});

test('wildcard: aggregated ClusterRoles, null rules and CRDs named Role report nothing', () => {
  assert.deepEqual(scan('rbac/wildcard', `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: empty}
aggregationRule:
  clusterRoleSelectors: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: n}
rules: null
---
apiVersion: example.com/v1
kind: Role
metadata: {name: crd}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`), []);
});

// ---------------------------------------------------------------- rbac/cluster-admin-binding

test('cluster-admin-binding: cluster-admin is high, admin/edit medium in a namespace and high cluster-wide', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: ci
- kind: User
  name: alice
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: devs
  namespace: shop
roleRef:
  kind: ClusterRole
  name: edit
subjects:
- {kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: all-admin
roleRef: {kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: a}, {kind: Group, name: b}, {kind: Group, name: c}, {kind: Group, name: d}]
`;
  const f = scan('rbac/cluster-admin-binding', text);
  assert.equal(f[0].check, 'rbac/cluster-admin-binding');
  assert.deepEqual(rows(f), [
    ['roleRef.name', 'ClusterRoleBinding grants ClusterRole "cluster-admin" (full control of every resource) cluster-wide to ServiceAccount "ci/deployer", User "alice"', 8, 'high'],
    ['roleRef.name', 'RoleBinding grants ClusterRole "edit" (read Secrets and run pods as any ServiceAccount) in namespace "shop" to Group "devs"', 23, 'medium'],
    [
      'roleRef.name',
      'ClusterRoleBinding grants ClusterRole "admin" (read Secrets, run pods as any ServiceAccount and manage RoleBindings) cluster-wide to Group "a", Group "b", Group "c" and 1 more',
      31,
      'high',
    ],
  ]);
});

test('cluster-admin-binding: system bindings, Roles named cluster-admin, no subjects and odd roleRefs are skipped', () => {
  assert.deepEqual(scan('rbac/cluster-admin-binding', `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:controller:foo"}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: foo, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: x, namespace: shop}
roleRef: {kind: Role, name: cluster-admin}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: placeholder}
roleRef: {kind: ClusterRole, name: cluster-admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: odd}
roleRef: cluster-admin
subjects: "alice"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: view}
roleRef: {kind: ClusterRole, name: view}
subjects: [{kind: Group, name: everyone-internal}]
`), []);
});

// ---------------------------------------------------------------- rbac/privileged-subject

test('privileged-subject: anonymous, unauthenticated, authenticated and system:masters are critical', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: open
roleRef:
  kind: ClusterRole
  name: view
subjects:
- kind: ServiceAccount
  name: reader
  namespace: ops
- kind: User
  name: system:anonymous
- kind: Group
  name: system:unauthenticated
- kind: Group
  name: system:authenticated
- kind: Group
  name: system:masters
`;
  const f = scan('rbac/privileged-subject', text);
  assert.equal(f[0].check, 'rbac/privileged-subject');
  assert.deepEqual(rows(f), [
    ['subjects[1].name', 'ClusterRoleBinding grants ClusterRole "view" to User "system:anonymous" (the user of every unauthenticated request)', 13, 'critical'],
    ['subjects[2].name', 'ClusterRoleBinding grants ClusterRole "view" to Group "system:unauthenticated" (every unauthenticated request)', 15, 'critical'],
    ['subjects[3].name', 'ClusterRoleBinding grants ClusterRole "view" to Group "system:authenticated" (every authenticated user and every ServiceAccount)', 17, 'critical'],
    ['subjects[4].name', 'ClusterRoleBinding grants ClusterRole "view" to Group "system:masters" (a group that bypasses authorization entirely; do not hand it out)', 19, 'critical'],
  ]);
});

test('privileged-subject: the bootstrap bindings are expected; anything beyond them is not', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:public-info-viewer"}
roleRef: {kind: ClusterRole, name: "system:public-info-viewer"}
subjects: [{kind: Group, name: "system:authenticated"}, {kind: Group, name: "system:unauthenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:discovery"}
roleRef: {kind: ClusterRole, name: "system:discovery"}
subjects: [{kind: Group, name: "system:authenticated"}, {kind: Group, name: "system:unauthenticated"}]
`;
  assert.deepEqual(scan('rbac/privileged-subject', text).map((x) => [x.resource.name, x.path]), [['system:discovery', 'subjects[1].name']]);
  assert.deepEqual(scan('rbac/privileged-subject', `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ok, namespace: shop}
roleRef: {kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: "system:anonymous", namespace: shop}
- {kind: Group, name: shop-readers}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nosubjects, namespace: shop}
roleRef: {kind: Role, name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: odd, namespace: shop}
roleRef: null
subjects: [null, 3, {kind: Group}, {name: ""}, "system:anonymous"]
`), []);
});

// ---------------------------------------------------------------- rbac/secrets-access

test('secrets-access: read verbs on core secrets, at the secrets entry', () => {
  const text = role(`- apiGroups: [""]
  resources:
  - configmaps
  - secrets
  verbs: ["get", "list", "create"]`, 'Role');
  const f = scan('rbac/secrets-access', text);
  assert.equal(f[0].check, 'rbac/secrets-access');
  assert.deepEqual(rows(f), [['rules[0].resources[1]', 'rule grants get, list on secrets (read Secrets, including ServiceAccount tokens)', 9, 'high']]);
});

test('secrets-access: wildcards count, resourceNames lower the severity, other groups and verbs do not count', () => {
  const text = role(`- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["app-tls"]
  verbs: ["get"]
- apiGroups: ["example.com"]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create", "delete"]
- apiGroups: [""]
  resources: ["secrets/status"]
  verbs: ["get"]`);
  assert.deepEqual(rows(scan('rbac/secrets-access', text)), [
    ['rules[0].resources[0]', 'rule grants all verbs ("*") on secrets via wildcard resources and apiGroups (read Secrets, including ServiceAccount tokens)', 7, 'high'],
    ['rules[1].resources[0]', 'rule grants get on secrets (read Secrets, including ServiceAccount tokens) limited to resourceNames "app-tls"', 10, 'medium'],
  ]);
});

// ---------------------------------------------------------------- rbac/exec-attach-portforward

test('exec-attach-portforward: subresources, */exec and nodes/proxy', () => {
  const text = role(`- apiGroups: [""]
  resources: ["pods", "pods/exec", "pods/portforward"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["*/exec"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["nodes/proxy"]
  verbs: ["get", "list"]`);
  const f = scan('rbac/exec-attach-portforward', text);
  assert.equal(f[0].check, 'rbac/exec-attach-portforward');
  assert.deepEqual(rows(f), [
    ['rules[0].resources[1]', 'rule grants create on pods/exec, pods/portforward (run commands in running containers; reach any port of the pods)', 7, 'high'],
    ['rules[1].resources[0]', 'rule grants get on pods/exec via wildcard resources (run commands in running containers)', 10, 'high'],
    ['rules[2].resources[0]', 'rule grants get on nodes/proxy (the kubelet API, which runs commands in every pod of a node)', 13, 'high'],
  ]);
});

test('exec-attach-portforward: pods, pods/* and pods/log do not grant exec', () => {
  assert.deepEqual(scan('rbac/exec-attach-portforward', role(`- apiGroups: [""]
  resources: ["pods", "pods/log", "pods/*"]
  verbs: ["*"]
- apiGroups: ["apps"]
  resources: ["pods/exec"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["list", "watch"]`)), []);
});

// ---------------------------------------------------------------- rbac/escalation-verbs

test('escalation-verbs: escalate, bind, impersonate, RBAC and admission writes, CSR approval, token minting', () => {
  const text = role(`- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  verbs: ["get", "bind", "escalate"]
- apiGroups: [""]
  resources: ["users", "groups", "serviceaccounts"]
  verbs: ["impersonate"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["create"]
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations", "validatingadmissionpolicies"]
  verbs: ["patch"]
- apiGroups: ["certificates.k8s.io"]
  resources: ["certificatesigningrequests/approval"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
- apiGroups: ["authentication.k8s.io"]
  resources: ["userextras/scopes"]
  verbs: ["impersonate"]`);
  const f = scan('rbac/escalation-verbs', text);
  assert.equal(f[0].check, 'rbac/escalation-verbs');
  assert.deepEqual(rows(f), [
    ['rules[0].verbs[1]', 'rule grants escalate, bind on clusterroles (grant permissions the holder does not have)', 8, 'critical'],
    ['rules[1].verbs[0]', 'rule grants impersonate on users, groups, serviceaccounts (act as any user, group or ServiceAccount)', 11, 'critical'],
    ['rules[2].resources[0]', 'rule grants create on rolebindings (hand its own permissions to anyone; more only with escalate/bind)', 13, 'high'],
    ['rules[3].resources[0]', 'rule grants patch on mutatingwebhookconfigurations, validatingadmissionpolicies (intercept, change or disable admission of every object)', 16, 'critical'],
    ['rules[4].resources[0]', 'rule grants update on certificatesigningrequests/approval (approve client certificates for any identity)', 19, 'critical'],
    ['rules[5].resources[0]', 'rule grants create on serviceaccounts/token (mint tokens for ServiceAccounts)', 22, 'critical'],
    ['rules[6].verbs[0]', 'rule grants impersonate on userextras (act as any identity)', 26, 'critical'],
  ]);
});

test('escalation-verbs: resourceNames lower bind to high and make create inert; verbs on the wrong resources are inert', () => {
  const text = role(`- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  resourceNames: ["view"]
  verbs: ["bind"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  resourceNames: ["x"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["bind", "escalate", "impersonate"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "delete"]`, 'Role');
  assert.deepEqual(rows(scan('rbac/escalation-verbs', text)), [
    ['rules[0].verbs[0]', 'rule grants bind on clusterroles (grant permissions the holder does not have) limited to resourceNames "view"', 9, 'high'],
  ]);
});

test('escalation-verbs: "*" on everything covers every escalation path', () => {
  const f = scan('rbac/escalation-verbs', role(`- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]`));
  assert.equal(f.length, 1);
  assert.equal(f[0].path, 'rules[0].resources[0]');
  assert.equal(
    f[0].message,
    'rule grants all verbs ("*") on roles, clusterroles, users, groups and 13 more via wildcard resources and apiGroups (grant permissions the holder does not have; act as any user, group or ServiceAccount; …)',
  );
});

// ---------------------------------------------------------------- rbac/pod-creation

test('pod-creation: create/update/patch on pods and controllers in their groups', () => {
  const text = role(`- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "configmaps"]
  verbs: ["create", "patch", "get"]
- apiGroups: ["*"]
  resources: ["jobs"]
  verbs: ["create"]
- apiGroups: ""
  resources: pods
  verbs: create`, 'Role');
  const f = scan('rbac/pod-creation', text);
  assert.equal(f[0].check, 'rbac/pod-creation');
  assert.deepEqual(rows(f), [
    ['rules[0].resources[0]', 'rule grants create, patch on deployments, statefulsets (run pods)', 7, 'medium'],
    ['rules[1].resources[0]', 'rule grants create on jobs via wildcard apiGroups (run pods)', 10, 'medium'],
    ['rules[2].resources', 'rule grants create on pods (run pods)', 13, 'medium'],
  ]);
});

test('pod-creation: wrong groups, read verbs, create with resourceNames and missing apiGroups are fine', () => {
  assert.deepEqual(scan('rbac/pod-creation', role(`- apiGroups: [""]
  resources: ["deployments"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["deployments", "pods"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  resourceNames: ["web-0"]
  verbs: ["create"]
- resources: ["pods"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods/status"]
  verbs: ["patch"]`, 'Role')), []);
});

// ---------------------------------------------------------------- robustness

test('the API server bootstrap policy (cluster dumps) is not reported', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:masters"}]
`;
  for (const c of CHECKS) assert.deepEqual(scan(c.id, text), [], c.id);
  // The same objects without the label are.
  assert.equal(CHECKS.flatMap((c) => scan(c.id, text.replaceAll('rbac-defaults', 'mine'))).length, 7);
});

test('every RBAC check survives malformed Roles and bindings', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: null
rules: "not-a-list"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: odd}
rules:
- null
- 5
- "get pods"
- [a, b]
- {verbs: null, resources: null, apiGroups: null}
- {verbs: [1, null, "*"], resources: [null, 2], apiGroups: [{}]}
- {verbs: {a: 1}, resources: {b: 2}, apiGroups: 7}
- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: "oops"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: 5}
roleRef: {kind: 1, name: [cluster-admin]}
subjects: {kind: User, name: system:anonymous}
---
kind: RoleBinding
roleRef: {kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: "system:anonymous"}]
`;
  const all: Finding[] = [];
  for (const c of CHECKS) all.push(...scan(c.id, text));
  // Only the well-formed parts are judged: a lone-string resourceNames counts, a missing apiVersion is accepted.
  assert.deepEqual(all.map((x) => [x.check, x.path, x.severity]), [
    ['rbac/cluster-admin-binding', 'roleRef.name', 'high'],
    ['rbac/privileged-subject', 'subjects[0].name', 'critical'],
    ['rbac/secrets-access', 'rules[7].resources[0]', 'medium'],
  ]);
});

test('a list with items that are not strings points at the written index of the value found', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: mixed, namespace: a}
rules:
- {apiGroups: [""], resources: [7, null, "*"], verbs: [get]}
- {apiGroups: [""], resources: [pods], verbs: [{}, "*"]}
`;
  assert.deepEqual(scan('rbac/wildcard', text).map((f) => [f.path, f.line]), [
    ['rules[0].resources[2]', 5],
    ['rules[1].verbs[1]', 6],
  ]);
});
