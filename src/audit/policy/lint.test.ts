import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintLoaded, lintPolicyFiles, LINT_CHECKS } from './lint.js';
import { parsePolicyText } from './load.js';

function lint(text: string) {
  return lintLoaded(parsePolicyText(text, 'policy.yaml'), 'policy.yaml');
}

function summary(text: string): string[] {
  return lint(text).findings.map((f) => `${f.line} ${f.severity} ${f.check}`);
}

/** Quiet endpoints dropped, watches and credentials at Metadata, RBAC with bodies, writes with requests, a catch-all. */
const GOOD = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"]
  - level: None
    resources:
      - {group: "", resources: [events]}
      - {group: events.k8s.io, resources: [events]}
  - level: Metadata
    verbs: [watch]
  - level: Metadata
    resources:
      - {group: "", resources: [secrets, configmaps, serviceaccounts/token]}
      - {group: authentication.k8s.io, resources: [tokenreviews]}
  - level: RequestResponse
    resources:
      - group: rbac.authorization.k8s.io
  - level: Request
    verbs: [create, update, patch, delete]
  - level: Metadata
`;

test('a careful policy has no findings', () => {
  const r = lint(GOOD);
  assert.deepEqual(r.findings.map((f) => f.message), []);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
});

const BAD = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints"]
  - level: None
    userGroups: ["system:authenticated"]
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach"]
  - level: RequestResponse
    resources:
      - group: ""
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
  - level: Request
    resources:
      - group: ""
        resources: ["deployments"]
    omitStages: [RequestReceived]
`;

test('every check fires where it should, at the line of the rule responsible', () => {
  assert.deepEqual(summary(BAD), [
    '3 medium audit-policy-no-catch-all',
    '3 high audit-policy-missing-coverage', // Roles
    '3 high audit-policy-missing-coverage', // ClusterRoles
    '3 high audit-policy-missing-coverage', // RoleBindings
    '3 high audit-policy-missing-coverage', // ClusterRoleBindings
    '3 medium audit-policy-missing-coverage', // Deployments
    '10 low audit-policy-shadowed-rule',
    '16 high audit-policy-missing-coverage', // exec
    '16 high audit-policy-missing-coverage', // attach
    '21 high audit-policy-sensitive-payload', // Secrets
    '21 medium audit-policy-sensitive-payload', // ConfigMaps
    '21 high audit-policy-sensitive-payload', // serviceaccounts/token
    '21 low audit-policy-request-received-not-omitted',
    '21 low audit-policy-noisy-endpoint', // watches
    '21 low audit-policy-noisy-endpoint', // Events
    '24 medium audit-policy-shadowed-rule',
    '28 medium audit-policy-shadowed-rule',
    '30 medium audit-policy-unknown-resource',
  ]);
});

test('messages name the rule, its line and example requests', () => {
  const by = (check: string) => lint(BAD).findings.filter((f) => f.check === check).map((f) => f.message);
  assert.deepEqual(by('audit-policy-shadowed-rule'), [
    'rules[1] (line 10) can never match: every request it matches is matched first by rules[0] (line 4); it is redundant (they log the same way)',
    'rules[4] (line 24) can never match: every request it matches is matched first by rules[3] (line 21); its level Metadata never applies',
    'rules[5] (line 28) can never match: every request it matches is matched first by rules[3] (line 21); its level Request never applies',
  ]);
  assert.equal(by('audit-policy-sensitive-payload')[0],
    'rules[3] (line 21) logs Secrets at RequestResponse: their values go into the audit log with the request and response bodies (e.g. get secrets in default, list secrets in default and 12 more, by an ordinary user, a service account or a cluster admin)');
  const coverage = by('audit-policy-missing-coverage');
  assert.ok(coverage.includes('exec into pods (pods/exec) not audited: rules[2] (line 16) sets level None, e.g. create pods/exec in default, by an ordinary user, a service account or a cluster admin'));
  assert.ok(coverage.some((m) => m.startsWith('changes to ClusterRoleBindings not audited: no rule matches them (default level None), e.g. create clusterrolebindings.rbac.authorization.k8s.io')));
  assert.match(by('audit-policy-no-catch-all')[0], /^10 of 14 representative requests match no rule and are not audited \(level None by default\), e\.g\. create deployments\.apps in default by a service account;/);
  assert.equal(by('audit-policy-unknown-resource')[0],
    'rules[5] (line 28) lists "deployments" under group "", which has no such resource: it is served by group "apps", so this entry matches nothing');
});

test('findings have the reporters\' shape: Policy resource named after the file, path and line of the rule', () => {
  const f = lint(BAD).findings.find((x) => x.check === 'audit-policy-shadowed-rule')!;
  assert.deepEqual(f, {
    check: 'audit-policy-shadowed-rule', severity: 'low', title: LINT_CHECKS.shadowed.title, message: f.message,
    resource: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', name: 'policy.yaml', file: 'policy.yaml', line: 1 },
    path: 'rules[1]', line: 10, remediation: LINT_CHECKS.shadowed.remediation, stride: ['R'], refs: LINT_CHECKS.shadowed.refs, suppressed: false,
  });
});

test('credentials at Request: writes carry values; token requests and reads do not (low)', () => {
  const text = (rules: string) => `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n${rules}  - level: Metadata\n`;
  const secretsAtRequest = lint(text('  - level: Request\n    resources: [{group: "", resources: [secrets]}]\n')).findings;
  assert.deepEqual(secretsAtRequest.map((f) => [f.severity, f.check]), [['high', 'audit-policy-sensitive-payload']]);
  assert.match(secretsAtRequest[0].message, /logs Secrets at Request: their values go into the audit log with the request bodies \(e\.g\. create secrets in default, update secrets in default and 4 more/);
  const readsOnly = lint(text('  - level: Request\n    verbs: [get, list]\n    resources: [{group: "", resources: [secrets]}]\n')).findings;
  assert.deepEqual(readsOnly.map((f) => [f.severity, f.check]), [['low', 'audit-policy-sensitive-payload']]);
  const tokenReviews = lint(text('  - level: Request\n    resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]\n')).findings;
  assert.deepEqual(tokenReviews.map((f) => [f.severity, f.check]), [['high', 'audit-policy-sensitive-payload']]);
});

test('RequestReceived: fine when the policy omits it, or when every rule that logs does', () => {
  const rules = '  - level: None\n    verbs: [watch]\n  - level: Metadata\n    omitStages: [RequestReceived]\n';
  assert.deepEqual(summary(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n${rules}`).filter((s) => s.includes('request-received')), []);
  assert.deepEqual(summary(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n`), ['4 low audit-policy-request-received-not-omitted']);
});

test('an invalid policy: one finding per validation error at its line; unreadable or non-policy input: errors', () => {
  const invalid = lint('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n- level: Metadata\n  nonResourceURLs: [healthz]\n');
  assert.deepEqual(invalid.findings.map((f) => [f.line, f.severity, f.check, f.path, f.message]), [
    [4, 'high', 'audit-policy-invalid', 'rules[0].level', 'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"'],
    [6, 'high', 'audit-policy-invalid', 'rules[1].nonResourceURLs[0]', "rules[1].nonResourceURLs[0]: Invalid value: \"healthz\": non-resource URL rules must begin with a '/' character"],
  ]);
  assert.deepEqual(invalid.errors, []);
  const empty = lint('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n').findings;
  assert.deepEqual(empty.map((f) => [f.line, f.path, f.message]), [[3, '', 'loaded illegal policy with 0 rules: a policy needs at least one rule']]);
  assert.deepEqual(invalid.warnings, ['policy.yaml: the other checks were not run: kube-apiserver would not load this policy']);
  const notPolicy = lint('apiVersion: v1\nkind: ConfigMap\n');
  assert.deepEqual(notPolicy.findings, []);
  assert.deepEqual(notPolicy.errors.map((e) => `${e.file}:${e.line}: ${e.message}`), [
    'policy.yaml:1: apiVersion "v1" is not accepted: kube-apiserver reads only audit.k8s.io/v1 policies',
    'policy.yaml:2: kind "ConfigMap" is not an audit policy: expected kind: Policy',
  ]);
});

test('several files: one result with summary, errors and loader warnings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-lint-'));
  try {
    writeFileSync(join(dir, 'good.yaml'), GOOD.replace('  - level: Metadata\n', '  - level: Metadata\n    colour: blue\n'));
    writeFileSync(join(dir, 'bad.yaml'), BAD);
    const r = lintPolicyFiles([join(dir, 'good.yaml'), join(dir, 'bad.yaml'), join(dir, 'missing.yaml')], (f) => f.slice(dir.length + 1));
    assert.equal(r.summary.resources, 2);
    assert.equal(r.summary.findings, 18);
    assert.deepEqual(r.summary.bySeverity, { critical: 0, high: 8, medium: 6, low: 4, info: 0 });
    assert.deepEqual(r.errors, [{ file: 'missing.yaml', message: 'cannot read policy: no such file or directory' }]);
    assert.deepEqual(r.warnings, ['good.yaml:12: unknown field "rules[2].colour": kube-apiserver ignores it']);
    assert.ok(r.findings.every((f) => f.resource.file === 'bad.yaml' && f.resource.name === 'bad.yaml'));
    assert.deepEqual(r.checks.map((c) => c.id), Object.values(LINT_CHECKS).map((c) => c.id));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
