import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyFile, parsePolicyText } from './load.js';
import { formatProblem } from './types.js';

const GOOD = `# a small policy
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
    omitManagedFields: false
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Request
    namespaces: ["", "kube-system"]
  - level: RequestResponse
    userGroups: ["system:masters"]
    omitStages: [ResponseStarted]
`;

function messages(text: string): string[] {
  return parsePolicyText(text, 'p.yaml').errors.map(formatProblem);
}

test('a valid policy loads with every rule and its line', () => {
  const r = parsePolicyText(GOOD, 'p.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  const p = r.policy!;
  assert.deepEqual(p.omitStages, ['RequestReceived']);
  assert.equal(p.omitManagedFields, true);
  assert.equal(p.rulesLine, 6);
  assert.deepEqual(p.rules.map((x) => [x.index, x.line, x.level]), [[0, 7, 'None'], [1, 13, 'Metadata'], [2, 18, 'None'], [3, 20, 'Request'], [4, 22, 'RequestResponse']]);
  assert.deepEqual(p.rules[0].resources, [{ group: '', resources: ['endpoints', 'services'], resourceNames: [], line: 11 }]);
  assert.equal(p.rules[1].omitManagedFields, false);
  assert.equal(p.rules[0].omitManagedFields, undefined);
  assert.deepEqual(p.rules[3].namespaces, ['', 'kube-system']);
  assert.deepEqual(p.rules[4].omitStages, ['ResponseStarted']);
});

test('JSON policies load too, with lines', () => {
  const json = `{
  "apiVersion": "audit.k8s.io/v1",
  "kind": "Policy",
  "rules": [
    {"level": "None", "verbs": ["watch"]},
    {"level": "Metadata"}
  ]
}`;
  const r = parsePolicyText(json, 'p.json');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.policy!.rules.map((x) => x.line), [5, 6]);
});

test('validation errors are kube-apiserver\'s, one line each with file and line', () => {
  const bad = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "Start"]
rules:
- level: Metadata
- level: Everything
- verbs: [get]
- level: None
  nonResourceURLs: ["healthz", "/logs/*.log", "*", "/ok*"]
- level: Metadata
  namespaces: [default]
  nonResourceURLs: ["/x"]
- level: Request
  resources:
  - group: rbac.authorization.k8s.io/v1
  - group: "*"
  - group: Apps
  - resourceNames: [leader]
- level: Request
  omitStages: [ResponseComplete, Done]
`;
  assert.deepEqual(messages(bad), [
    'p.yaml:3: omitStages[1]: Invalid value: "Start": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic',
    'p.yaml:6: rules[1].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
    'p.yaml:7: rules[2].level: Required value',
    "p.yaml:9: rules[3].nonResourceURLs[0]: Invalid value: \"healthz\": non-resource URL rules must begin with a '/' character",
    "p.yaml:9: rules[3].nonResourceURLs[1]: Invalid value: \"/logs/*.log\": non-resource URL wildcards '*' must be the final character of the rule",
    'p.yaml:12: rules[4].nonResourceURLs: Invalid value: ["/x"]: rules cannot apply to both regular resources and non-resource URLs',
    `p.yaml:15: rules[5].resources[0].group: Invalid value: "rbac.authorization.k8s.io/v1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    `p.yaml:17: rules[5].resources[2].group: Invalid value: "Apps": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'p.yaml:18: rules[5].resources[3].resourceNames: Invalid value: ["leader"]: using resourceNames requires at least one resource',
    'p.yaml:20: rules[6].omitStages[1]: Invalid value: "Done": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic',
  ]);
  // A policy that fails validation is still decoded, for the linter's sake, but never runs.
  const r = parsePolicyText(bad, 'p.yaml');
  assert.equal(r.policy, undefined);
  assert.equal(r.decoded?.rules.length, 7);
});

test('a policy needs at least one rule', () => {
  assert.deepEqual(messages('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n'), ['p.yaml:3: loaded illegal policy with 0 rules: a policy needs at least one rule']);
  assert.deepEqual(messages('apiVersion: audit.k8s.io/v1\nkind: Policy\n'), ['p.yaml:1: loaded illegal policy with 0 rules: a policy needs at least one rule']);
});

test('only audit.k8s.io/v1 Policy is accepted', () => {
  assert.deepEqual(messages('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]\n'), [
    'p.yaml:1: apiVersion "audit.k8s.io/v1beta1" is not accepted: kube-apiserver reads only audit.k8s.io/v1 policies (v1alpha1 and v1beta1 were removed in Kubernetes 1.24)',
  ]);
  assert.deepEqual(messages('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'), [
    'p.yaml:1: apiVersion "v1" is not accepted: kube-apiserver reads only audit.k8s.io/v1 policies',
    'p.yaml:2: kind "ConfigMap" is not an audit policy: expected kind: Policy',
  ]);
  assert.deepEqual(messages('kind: Policy\nrules: [{level: None}]\n'), ['p.yaml:1: apiVersion is missing: an audit policy must say apiVersion: audit.k8s.io/v1']);
  assert.deepEqual(messages('\n\n- level: None\n'), ['p.yaml:3: the document is a list, not an audit.k8s.io/v1 Policy']);
  assert.deepEqual(messages(''), ['p.yaml:1: empty file: expected an audit.k8s.io/v1 Policy']);
  assert.deepEqual(messages('# nothing\n'), ['p.yaml:1: empty file: expected an audit.k8s.io/v1 Policy']);
});

test('fields of the wrong type are errors (once, not again by validation); YAML 1.1 booleans are booleans', () => {
  const text = `apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: "true"
rules:
- level: [Metadata]
- level: None
  verbs: get
  users: [1]
- level: Request
  omitManagedFields: yes
- level: Request
  resources: {group: apps}
- "Metadata"
`;
  assert.deepEqual(messages(text), [
    'p.yaml:3: omitManagedFields: must be a boolean (true or false), not a string',
    'p.yaml:5: rules[0].level: must be a string, not a list',
    'p.yaml:7: rules[1].verbs: must be a list of strings, not a string',
    'p.yaml:8: rules[1].users[0]: must be a string, not a number',
    'p.yaml:12: rules[3].resources: must be a list of {group, resources, resourceNames}, not a mapping',
    'p.yaml:13: rules[4]: must be a mapping (a rule with a level), not a string',
  ]);
  const ok = parsePolicyText('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Request\n  omitManagedFields: yes\n  users: [2001-12-14]\n', 'p.yaml');
  assert.equal(ok.policy?.rules[0].omitManagedFields, true);
  assert.deepEqual(ok.policy?.rules[0].users, ['2001-12-14'], 'timestamps stay strings, as with go-yaml v2');
  assert.deepEqual(messages('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  users: [on]\n'), ['p.yaml:5: rules[0].users[0]: must be a string, not a boolean']);
});

test('unknown and duplicate fields are warnings: the policy still loads (lenient decoding)', () => {
  const text = `apiVersion: audit.k8s.io/v1
kind: Policy
metadata: {name: audit}
rules:
- level: Metadata
  Verbs: [get]
  resources:
  - group: ""
    resource: [pods]
- level: None
  level: Request
extra: 1
`;
  const r = parsePolicyText(text, 'p.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map(formatProblem), [
    'p.yaml:6: unknown field "rules[0].Verbs" (did you mean "verbs"? field names are case-sensitive): kube-apiserver ignores it',
    'p.yaml:9: unknown field "rules[0].resources[0].resource": kube-apiserver ignores it',
    'p.yaml:11: duplicate field "rules[1].level": kube-apiserver keeps the last one',
    'p.yaml:12: unknown field "extra": kube-apiserver ignores it',
  ]);
  assert.deepEqual(r.policy!.rules[0].verbs, [], 'an unknown field is ignored, so the rule has no verbs');
  assert.equal(r.policy!.rules[1].level, 'Request', 'the last duplicate counts');
});

test('invalid YAML, unreadable files and extra documents: one line with file and line', () => {
  assert.deepEqual(messages('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: [None\n'), [
    'p.yaml:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  const two = parsePolicyText('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None}]\n---\nkind: Other\n', 'p.yaml');
  assert.deepEqual(two.warnings.map(formatProblem), ['p.yaml:5: only the first YAML document is read (kube-apiserver ignores the others)']);
  assert.deepEqual(parsePolicyText('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None}]\n---\n# end\n', 'p.yaml').warnings, [], 'an empty document after it is nothing');
  assert.deepEqual(messages(`apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: ${'['.repeat(50000)}${']'.repeat(50000)}\n`).map((m) => m.replace(/invalid YAML: .*/, 'invalid YAML')), ['p.yaml:3: invalid YAML']);
  assert.deepEqual(messages('a: &a [1,2,3,4,5,6,7,8,9,10]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'),
    ['p.yaml:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack']);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-policy-'));
  try {
    assert.deepEqual(loadPolicyFile(join(dir, 'missing.yaml'), 'missing.yaml').errors.map(formatProblem), ['missing.yaml: cannot read policy: no such file or directory']);
    assert.deepEqual(loadPolicyFile(dir, 'dir').errors.map(formatProblem), ['dir: cannot read policy: is a directory']);
    writeFileSync(join(dir, 'p.yaml'), GOOD);
    assert.equal(loadPolicyFile(join(dir, 'p.yaml')).policy?.rules.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
