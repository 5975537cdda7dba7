/** Risk findings and escalation chains, computed with the authorizer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from './authorizer.js';
import { analyzeRisks, type RiskOptions } from './risks.js';
import { policyOf, rbac } from './testkit.js';

function risks(yaml: string, opts?: RiskOptions) {
  return analyzeRisks(new Authorizer(policyOf(yaml)), opts).findings;
}

function rows(yaml: string, opts?: RiskOptions): string[] {
  return risks(yaml, opts).map((f) => `${f.check.replace('rbac-risk/', '')} ${f.severity}`);
}

/** A role with these rules bound to User u (ClusterRoleBinding when ns is undefined). */
function grant(rules: string, ns?: string, subject = '{kind: User, apiGroup: rbac.authorization.k8s.io, name: u}'): string {
  const kind = ns === undefined ? 'Cluster' : '';
  const nsLine = ns === undefined ? '' : `, namespace: ${ns}`;
  return rbac(`${kind}Role`, `
metadata: {name: r${nsLine}}
rules:
${rules}
`) + rbac(`${kind}RoleBinding`, `
metadata: {name: b${nsLine}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${kind}Role, name: r}
subjects: [${subject}]
`);
}

test('each risky capability, with severity by scope (cluster, kube-system, other namespaces)', () => {
  const secrets = '- {apiGroups: [""], resources: [secrets], verbs: [list]}';
  assert.deepEqual(rows(grant(secrets)), ['secrets-read critical']);
  assert.deepEqual(rows(grant(secrets, 'kube-system')), ['secrets-read critical']);
  assert.deepEqual(rows(grant(secrets, 'team')), ['secrets-read high']);
  assert.deepEqual(rows(grant('- {apiGroups: [apps], resources: [deployments], verbs: [patch]}', 'team')), ['pod-create high']);
  assert.deepEqual(rows(grant('- {apiGroups: [batch], resources: [cronjobs], verbs: [create]}', 'team')), ['pod-create high']);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [pods/exec], verbs: [get]}', 'team')), ['exec high'], 'GET on pods/exec: exec over WebSocket');
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [pods/portforward], verbs: [create]}', 'team')), ['exec high']);
  assert.deepEqual(rows(grant('- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}')), ['escalate-bind critical']);
  assert.deepEqual(rows(grant('- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}', 'team')), ['escalate-bind high']);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [groups], verbs: [impersonate]}')), ['impersonate critical']);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}', 'team')), ['impersonate high']);
  assert.deepEqual(rows(grant('- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}', 'team')), ['rbac-write medium']);
  assert.deepEqual(rows(grant('- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [patch]}')), ['rbac-write critical']);
  assert.deepEqual(rows(grant('- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [update]}')), ['webhook-write critical']);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}', 'team')), ['token-create high']);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}')), ['nodes-proxy critical']);
  assert.deepEqual(rows(grant(`- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: [kubernetes.io/kube-apiserver-client]}`)), ['csr-approve critical']);
  assert.deepEqual(rows(grant('- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}', 'team')), ['wildcard-admin high'], 'full control subsumes the rest');
  assert.deepEqual(rows(grant('- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}')), ['wildcard-admin critical']);
});

test('what does not count: name-restricted rules, half a capability, cluster-scoped powers through a RoleBinding', () => {
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [app-config]}', 'team')), []);
  assert.deepEqual(rows(grant('- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}')), [], 'approval without a signer');
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [pods], verbs: [get, list]}', 'team')), []);
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [pods/*], verbs: ["*"]}', 'team')), [], '"pods/*" grants no subresource');
  // A RoleBinding to a ClusterRole with cluster-scoped powers: those never apply.
  const viaRb = rbac('ClusterRole', `
metadata: {name: node-tool}
rules: [{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}, {apiGroups: [admissionregistration.k8s.io], resources: ["*"], verbs: ["*"]}]
`) + rbac('RoleBinding', `
metadata: {name: b, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-tool}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: u}]
`);
  assert.deepEqual(rows(viaRb), []);
});

test('findings point at the binding subject, with file:line of the binding and the rule', () => {
  const [f] = risks(grant('- {apiGroups: [""], resources: [secrets], verbs: [get, list]}', 'team'));
  assert.equal(f.resource.kind, 'RoleBinding');
  assert.equal(f.resource.namespace, 'team');
  assert.equal(f.path, 'subjects[0]');
  assert.equal(f.line, 11);
  assert.match(f.message, /^User u can read Secrets in namespace team through RoleBinding\/team\/b: list secrets allowed by Role\/team\/r rule 0 \(rbac\.yaml:5: get,list secrets/);
});

test('Kubernetes\' own bindings and system: subjects are left out unless includeSystem', () => {
  const text = grant('- {apiGroups: [""], resources: [secrets], verbs: [list]}', undefined, '{kind: User, apiGroup: rbac.authorization.k8s.io, name: "system:kube-foo"}')
    + rbac('ClusterRoleBinding', `
metadata: {name: dump, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: root}]
`);
  assert.deepEqual(rows(text), []);
  const all = rows(text, { includeSystem: true });
  assert.ok(all.includes('secrets-read critical'));
  assert.ok(all.includes('wildcard-admin critical'));
  // The built-in bindings too (system:masters → cluster-admin, the control plane's users), but the
  // default grant of system:public-info-viewer to system:unauthenticated is not "anonymous access".
  assert.ok(!all.includes('anonymous-access critical'));
  assert.ok(!all.includes('authenticated-access high'), 'system:basic-user and system:discovery are defaults');
});

test('grants to anonymous, unauthenticated, all authenticated users and all ServiceAccounts', () => {
  const to = (kind: string, name: string) => grant('- {apiGroups: [""], resources: [configmaps], verbs: [get]}', undefined, `{kind: ${kind}, apiGroup: rbac.authorization.k8s.io, name: "${name}"}`);
  assert.deepEqual(rows(to('User', 'system:anonymous')), ['anonymous-access critical']);
  assert.deepEqual(rows(to('Group', 'system:unauthenticated')), ['anonymous-access critical']);
  assert.deepEqual(rows(to('Group', 'system:authenticated')), ['authenticated-access high']);
  assert.deepEqual(rows(to('Group', 'system:serviceaccounts')), ['authenticated-access high']);
  assert.deepEqual(rows(to('Group', 'system:serviceaccounts:ci')), ['authenticated-access high']);
  // And the capability findings for them are not suppressed as "system" subjects.
  assert.deepEqual(rows(grant('- {apiGroups: [""], resources: [secrets], verbs: [list]}', undefined, '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: system:authenticated}')),
    ['authenticated-access high', 'secrets-read critical']);
});

test('input problems are findings with file:line: dangling bindings, invalid and duplicate objects', () => {
  const f = risks(rbac('RoleBinding', `
metadata: {name: gone, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: u}]
`) + rbac('ClusterRoleBinding', `
metadata: {name: ctl}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:controller:deployment-controller"}
subjects: [{kind: ServiceAccount, name: deployment-controller, namespace: kube-system}]
`) + rbac('Role', `
metadata: {name: bad, namespace: team}
rules: [{apiGroups: [""], resources: [pods]}]
`) + rbac('Role', `
metadata: {name: bad, namespace: team}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`));
  assert.deepEqual(f.map((x) => `${x.check} ${x.resource.kind}/${x.resource.name} ${x.resource.file}:${x.line}`), [
    'rbac-risk/dangling-binding RoleBinding/gone rbac.yaml:4',
    'rbac-risk/dangling-binding ClusterRoleBinding/ctl rbac.yaml:10',
    'rbac-risk/invalid-object Role/bad rbac.yaml:16',
    'rbac-risk/duplicate-object Role/bad rbac.yaml:18',
  ]);
  assert.match(f[1].message, /controller role/);
  assert.match(f[3].message, /at rbac\.yaml:13 and at rbac\.yaml:18/);
});

// ---------------------------------------------------------------- escalation chains

const ADMIN_BOT = `apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-bot, namespace: prod}
---
` + rbac('ClusterRoleBinding', `
metadata: {name: admin-bot}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-bot, namespace: prod}]
`);

const DEPLOYER = '{kind: ServiceAccount, name: deployer, namespace: ci}';

function chains(yaml: string): string[] {
  return risks(yaml).filter((f) => f.check === 'rbac-risk/escalation-path').map((f) => f.message.replace(/ \(1\. .*$/, ''));
}

test('chain: create pods in a namespace ⇒ any ServiceAccount there ⇒ cluster-admin', () => {
  const text = ADMIN_BOT + grant('- {apiGroups: [""], resources: [pods], verbs: [create]}', 'prod', DEPLOYER);
  assert.deepEqual(chains(text), ['sa:ci/deployer → create pods in ns prod → sa:prod/admin-bot token → cluster-admin']);
  const f = risks(text).find((x) => x.check === 'rbac-risk/escalation-path')!;
  assert.equal(f.severity, 'critical');
  assert.equal(f.resource.name, 'b');
  assert.match(f.message, /1\. create pods in ns prod: RoleBinding\/prod\/b → Role\/prod\/r rule 0 \(rbac\.yaml:\d+: create pods/);
  assert.match(f.message, /2\. sa:prod\/admin-bot is cluster-admin: ClusterRoleBinding\/admin-bot → ClusterRole\/cluster-admin rule 0 \(built-in/);
  // Pod controllers count as pods; pods elsewhere do not.
  assert.deepEqual(chains(ADMIN_BOT + grant('- {apiGroups: [apps], resources: [deployments], verbs: [create]}', 'prod', DEPLOYER)),
    ['sa:ci/deployer → create deployments.apps in ns prod → sa:prod/admin-bot token → cluster-admin']);
  assert.deepEqual(chains(ADMIN_BOT + grant('- {apiGroups: [""], resources: [pods], verbs: [create]}', 'staging', DEPLOYER)), []);
  assert.deepEqual(chains(ADMIN_BOT + grant('- {apiGroups: [""], resources: [pods], verbs: [create]}', undefined, DEPLOYER)),
    ['sa:ci/deployer → create pods in any namespace → sa:prod/admin-bot token → cluster-admin']);
});

test('chain: create serviceaccounts/token ⇒ that ServiceAccount (resourceNames respected)', () => {
  assert.deepEqual(chains(ADMIN_BOT + grant('- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [admin-bot]}', 'prod', DEPLOYER)),
    ['sa:ci/deployer → create serviceaccounts/token for sa:prod/admin-bot → sa:prod/admin-bot token → cluster-admin']);
  assert.deepEqual(chains(ADMIN_BOT + grant('- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [other]}', 'prod', DEPLOYER)), []);
});

test('chain: get secrets ⇒ ServiceAccounts whose legacy token Secrets are in the input', () => {
  const secret = `apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata: {name: admin-bot-token, namespace: prod, annotations: {kubernetes.io/service-account.name: admin-bot}}
---
`;
  const reader = grant('- {apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [admin-bot-token]}', 'prod', DEPLOYER);
  assert.deepEqual(chains(secret + ADMIN_BOT + reader), ['sa:ci/deployer → read secret prod/admin-bot-token → sa:prod/admin-bot token → cluster-admin']);
  assert.deepEqual(chains(ADMIN_BOT + reader), [], 'no token Secret, no path (tokens are not auto-created since 1.24)');
});

test('chain: impersonate a user, impersonate system:masters', () => {
  const alice = rbac('ClusterRoleBinding', `
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: alice}]
`);
  assert.deepEqual(chains(alice + grant('- {apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [alice]}', undefined, '{kind: User, apiGroup: rbac.authorization.k8s.io, name: bob}')),
    ['user:bob → impersonate user alice → user:alice → cluster-admin']);
  // Impersonating system:masters is cluster-admin at once: a finding of its own, not a chain...
  const masters = grant('- {apiGroups: [""], resources: [groups], verbs: [impersonate], resourceNames: ["system:masters"]}', undefined, '{kind: ServiceAccount, name: imp, namespace: tools}');
  assert.deepEqual(chains(masters), []);
  assert.deepEqual(rows(masters), ['impersonate critical']);
  // ...and the last step of a chain through that ServiceAccount.
  assert.deepEqual(chains(masters + grant('- {apiGroups: [""], resources: [pods], verbs: [create]}', 'tools', DEPLOYER).replace(/name: r\b/g, 'name: r2').replace(/name: b\b/g, 'name: b2')),
    ['sa:ci/deployer → create pods in ns tools → sa:tools/imp token → impersonate group system:masters → cluster-admin']);
});

test('chain: bind or escalate in a namespace ⇒ full control of it', () => {
  const binder = grant(`- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}`, 'prod', DEPLOYER);
  assert.deepEqual(chains(ADMIN_BOT + binder), ['sa:ci/deployer → bind ClusterRole admin in ns prod with a new RoleBinding → sa:prod/admin-bot token → cluster-admin']);
  const escalator = grant(`- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, update]}`, 'prod', DEPLOYER);
  assert.deepEqual(chains(ADMIN_BOT + escalator), ['sa:ci/deployer → escalate: write a Role with every permission in ns prod → sa:prod/admin-bot token → cluster-admin']);
});

test('chain: through group grants, several hops, and a namespace\'s default ServiceAccount', () => {
  const hop = (n: string, rules: string, ns: string, subject: string) => grant(rules, ns, subject).replace(/name: r\b/g, `name: r${n}`).replace(/name: b\b/g, `name: b${n}`);
  // Every ServiceAccount of ci may create pods in stage; stage/builder may mint tokens in prod.
  const text = ADMIN_BOT
    + hop('1', '- {apiGroups: [""], resources: [pods], verbs: [create]}', 'stage', '{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccounts:ci"}')
    + hop('2', '- {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}', 'prod', '{kind: ServiceAccount, name: builder, namespace: stage}');
  assert.deepEqual(chains(text).sort(), [
    'group:system:serviceaccounts:ci → create pods in ns stage → sa:stage/builder token → create serviceaccounts/token in ns prod → sa:prod/admin-bot token → cluster-admin',
    'sa:stage/builder → create serviceaccounts/token in ns prod → sa:prod/admin-bot token → cluster-admin',
  ]);
  // A grant to every ServiceAccount of a namespace makes its default ServiceAccount a target.
  const viaDefault = rbac('ClusterRoleBinding', `
metadata: {name: ops-sas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: "system:serviceaccounts:ops"}]
`) + grant('- {apiGroups: [""], resources: [pods], verbs: [create]}', 'ops', '{kind: User, apiGroup: rbac.authorization.k8s.io, name: dev}');
  assert.ok(chains(viaDefault).includes('user:dev → create pods in ns ops → sa:ops/default token → cluster-admin'));
});
