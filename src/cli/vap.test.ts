/**
 * `palisade vap test` through a commander program built like palisade's (src/cli/index.ts
 * wires registerVap the same way), with output captured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerVap } from './vap.js';
import { UsageError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-vap-cli-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function palisade(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command().name('palisade').exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerVap(program, (c) => { code = c; }, { out: (s) => (stdout += s), err: (s) => (stderr += s), stdin: () => stdin });
  try {
    await program.parseAsync(['node', 'palisade', ...args]);
  } catch (err) {
    if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else if (err instanceof UsageError) {
      stderr += `palisade: ${err.message}\n`;
      code = 2;
    } else throw err;
  }
  return { code, stdout, stderr };
}

const policy = file('policy.yaml', `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replicas.example.com
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [apps]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [deployments]
  variables:
  - name: replicas
    expression: object.spec.replicas
  validations:
  - expression: variables.replicas <= 5
    messageExpression: "'replicas must be <= 5, got ' + string(variables.replicas)"
    reason: Forbidden
  - expression: "!has(object.spec.paused) || !object.spec.paused"
    message: paused deployments are not allowed
  auditAnnotations:
  - key: replicas
    valueExpression: "'replicas=' + string(variables.replicas)"
`);

const warnBinding = file('binding.yaml', `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replicas-warn
spec:
  policyName: replicas.example.com
  validationActions: [Warn, Audit]
`);

const deployments = file('deployments.yaml', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: small
  namespace: shop
spec:
  replicas: 2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: big
  namespace: shop
spec:
  replicas: 9
  paused: true
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec: {}
`);

test('without a binding: evaluated as bound with [Deny]; denials print the Kubernetes client message; exit 1', async () => {
  const r = await palisade(['vap', 'test', '--policy', policy, deployments]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    'note: no binding given: each policy is evaluated as if bound by "<policy>-implicit-binding" with validationActions [Deny], no params and no matchResources',
    '',
    `Deployment shop/small (${deployments}:1) CREATE: allowed`,
    '  audit annotation: replicas.example.com/replicas=replicas=2',
    '  note: namespace "shop" is not among the inputs: taken to exist with no labels',
    `Deployment shop/big (${deployments}:9) CREATE: denied`,
    "  denied: ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas.example.com-implicit-binding' denied request: replicas must be <= 5, got 9",
    "  denied: ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas.example.com-implicit-binding' denied request: paused deployments are not allowed",
    '  status: 403 Forbidden',
    '  audit annotation: replicas.example.com/replicas=replicas=9',
    '  note: namespace "shop" is not among the inputs: taken to exist with no labels',
    `Service default/web (${deployments}:18) CREATE: allowed (no policy applies)`,
    '  note: namespace "default" is not among the inputs: taken to exist with no labels',
    '',
  ].join('\n'));
});

test('a Warn/Audit binding admits with warnings and the validation_failure annotation; JSON output', async () => {
  const r = await palisade(['vap', 'test', '--policy', policy, '--binding', warnBinding, '--format', 'json', deployments]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.version, 1);
  const big = out.results[1];
  assert.equal(big.allowed, true);
  assert.deepEqual(big.warnings, [
    "Validation failed for ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas-warn': replicas must be <= 5, got 9",
    "Validation failed for ValidatingAdmissionPolicy 'replicas.example.com' with binding 'replicas-warn': paused deployments are not allowed",
  ]);
  assert.deepEqual(JSON.parse(big.auditAnnotations['validation.policy.admission.k8s.io/validation_failure']).map((f: { expressionIndex: number }) => f.expressionIndex), [0, 1]);
  assert.deepEqual(big.evaluated, [{ policy: 'replicas.example.com', binding: 'replicas-warn' }]);
});

test('UPDATE with --old; resources from stdin', async () => {
  const old = file('old.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: small, namespace: shop}\nspec: {replicas: 1}\n');
  const ratchet = file('ratchet.yaml', `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-scale-down}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [UPDATE], resources: [deployments]}]
  validations:
  - expression: object.spec.replicas >= oldObject.spec.replicas
`);
  const down = await palisade(['vap', 'test', '--policy', ratchet, '--operation', 'UPDATE', '--old', old, '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: small, namespace: shop}\nspec: {replicas: 0}\n');
  assert.equal(down.code, 1);
  assert.match(down.stdout, /denied request: failed expression: object\.spec\.replicas >= oldObject\.spec\.replicas/);
  const up = await palisade(['vap', 'test', '--policy', ratchet, '--operation', 'UPDATE', '--old', old, deployments]);
  assert.equal(up.code, 0, up.stdout);
});

test('directories are walked for .yaml/.yml/.json files', async () => {
  const pdir = join(dir, 'policies');
  const rdir = join(dir, 'manifests');
  mkdirSync(pdir);
  mkdirSync(rdir);
  writeFileSync(join(pdir, 'p.yaml'), readFileSync(policy, 'utf8'));
  writeFileSync(join(pdir, 'README.md'), 'not a manifest');
  writeFileSync(join(rdir, 'd.yaml'), readFileSync(deployments, 'utf8'));
  const r = await palisade(['vap', 'test', '--policy', pdir, rdir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Deployment shop\/big \(.*d\.yaml:9\) CREATE: denied/);
});

test('bad input: one line per problem naming file:line, exit 2, nothing evaluated', async () => {
  const bad = file('bad-policy.yaml', `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: bad
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: object.spec.replicas <== 5
`);
  const r = await palisade(['vap', 'test', '--policy', bad, deployments]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, new RegExp(`^palisade: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9: ValidatingAdmissionPolicy/bad: spec\\.validations\\[0\\]\\.expression: Invalid value: "object\\.spec\\.replicas <== 5": compilation failed: ERROR: <input>:1:\\d+: Syntax error: `));
  const missing = await palisade(['vap', 'test', '--policy', join(dir, 'nope.yaml'), deployments]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^palisade: .*nope\.yaml: .*no such file/i);
  const wrongOp = await palisade(['vap', 'test', '--policy', policy, '--old', deployments, deployments]);
  assert.equal(wrongOp.code, 2);
  assert.equal(wrongOp.stderr, 'palisade: --old applies to UPDATE and DELETE, not CREATE\n');
  const badOp = await palisade(['vap', 'test', '--policy', policy, '--operation', 'PATCH', deployments]);
  assert.equal(badOp.code, 2);
});
