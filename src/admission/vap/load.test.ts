import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBinding, checkPolicy, isBinding, isPolicy, loadFiles } from './load.js';
import { formatProblem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-vap-'));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('problems name the file and the line of the offending field', () => {
  const p = file('policy.yaml', `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: demo
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [deployments]
  validations:
  - expression: object.spec.replicas <= 5
  - expression: object.spec.replicas <=
    reason: Nope
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: demo-binding
spec:
  policyName: demo
  validationActions: [Deny, Warn]
`);
  const loaded = loadFiles([p]);
  assert.deepEqual(loaded.errors, []);
  const pol = loaded.objects.find((o) => isPolicy(o.object));
  const bin = loaded.objects.find((o) => isBinding(o.object));
  assert.ok(pol && bin);
  const pc = checkPolicy(pol);
  assert.deepEqual(pc.errors.map((e) => formatProblem(e).split('\n')[0]), [
    `${p}:15: ValidatingAdmissionPolicy/demo: spec.validations[1].reason: Unsupported value: "Nope": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"`,
    `${p}:14: ValidatingAdmissionPolicy/demo: spec.validations[1].expression: Invalid value: "object.spec.replicas <=": compilation failed: ERROR: <input>:1:22: Syntax error: found < but expecting end of input`,
  ]);
  assert.deepEqual(checkBinding(bin).errors.map(formatProblem), [
    `${p}:23: ValidatingAdmissionPolicyBinding/demo-binding: spec.validationActions: Invalid value: []string{"Deny", "Warn"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)`,
  ]);
});

test('unreadable and unparsable files are one-line problems', () => {
  const missing = join(dir, 'nope.yaml');
  const r = loadFiles([missing, file('bad.yaml', 'a: [1, 2\n')]);
  assert.equal(r.objects.length, 0);
  assert.equal(r.errors.length, 2);
  assert.equal(r.errors[0].file, missing);
  assert.match(r.errors[0].message, /no such file/i);
  assert.equal(typeof r.errors[1].line, 'number');
  assert.match(r.errors[1].message, /^invalid YAML/);
});

test('JSON and kind: List are read too', () => {
  const p = file('list.json', JSON.stringify({
    apiVersion: 'v1', kind: 'List',
    items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x' }, data: { k: 'v' } }],
  }, null, 2));
  const r = loadFiles([p]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.objects.length, 1);
  assert.equal(r.objects[0].resource.line, 5); // the item's opening brace
});
