// Kubernetes' own ValidatingAdmissionPolicy material (../shared/data/admission):
// - vap-examples (the documentation's examples): every policy and binding loads and
//   validates cleanly, and decides derived requests as the documentation says;
// - api-testdata (fixtures with every field set): JSON and YAML decode to the same object,
//   every field is a known one, validation rejects exactly the placeholder values, and an
//   AdmissionReview request is usable as is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataSet, report } from '../../conformance/data.js';
import { evaluateVap } from './evaluate.js';
import { fieldString } from './field.js';
import { checkBinding, checkPolicy, isBinding, isPolicy, loadFiles } from './load.js';
import { formatProblem, type AdmissionRequestLike, type JsonObject } from './types.js';
import { validateBindingObject, validatePolicyObject } from './validate.js';

const dir = dataSet('admission');

interface Tally {
  passed: number;
  failures: string[];
}

function check(t: Tally, name: string, f: () => void): void {
  try {
    f();
    t.passed++;
  } catch (err) {
    t.failures.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

function deployment(ns: string, replicas: number): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: ns }, spec: { replicas } };
}

function request(object: JsonObject, more: Partial<AdmissionRequestLike> = {}): AdmissionRequestLike {
  const meta = object.metadata as JsonObject;
  const [group, version] = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/') : ['', String(object.apiVersion)];
  return {
    kind: { group, version, kind: String(object.kind) },
    resource: { group, version, resource: `${String(object.kind).toLowerCase()}s` },
    name: String(meta.name), namespace: String(meta.namespace ?? ''), operation: 'CREATE',
    userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object, ...more,
  };
}

test('vap-examples: load cleanly and decide as the Kubernetes documentation describes', { skip: dir === undefined }, () => {
  const ex = join(dir as string, 'vap-examples');
  const t: Tally = { passed: 0, failures: [] };
  const files = ['basic-example-policy.yaml', 'basic-example-binding.yaml', 'policy-with-param.yaml', 'binding-with-param.yaml', 'replicalimit-param.yaml'];
  const loaded = loadFiles(files.map((f) => join(ex, f)));
  check(t, 'every example file parses', () => assert.deepEqual(loaded.errors.map(formatProblem), []));
  const policies = loaded.objects.filter((o) => isPolicy(o.object));
  const bindings = loaded.objects.filter((o) => isBinding(o.object));
  const params = loaded.objects.filter((o) => !isPolicy(o.object) && !isBinding(o.object)).map((o) => o.object);
  check(t, 'two policies and two bindings', () => assert.deepEqual([policies.length, bindings.length, params.length], [2, 2, 1]));
  for (const p of policies) {
    check(t, `${p.resource.name} validates and compiles`, () => {
      const c = checkPolicy(p);
      assert.deepEqual([...c.errors, ...c.warnings].map(formatProblem), []);
    });
  }
  for (const b of bindings) {
    check(t, `${b.resource.name} validates`, () => {
      const c = checkBinding(b);
      assert.deepEqual([...c.errors, ...c.warnings].map(formatProblem), []);
    });
  }
  const byName = (n: string) => (o: { resource: { name: string } }) => o.resource.name === n;
  const demo = {
    policies: policies.filter(byName('demo-policy.example.com')).map((o) => o.object),
    bindings: bindings.filter(byName('demo-binding-test.example.com')).map((o) => o.object),
    namespaces: {
      default: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { environment: 'test' } } },
      prod: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { environment: 'production' } } },
    },
  };
  check(t, 'demo: 3 replicas in a test namespace are admitted', () => assert.equal(evaluateVap(demo, request(deployment('default', 3))).allowed, true));
  check(t, 'demo: 5 replicas are admitted (<= 5)', () => assert.equal(evaluateVap(demo, request(deployment('default', 5))).allowed, true));
  check(t, 'demo: 6 replicas are denied with the documented message', () => {
    const r = evaluateVap(demo, request(deployment('default', 6)));
    assert.equal(r.allowed, false);
    assert.deepEqual(r.status, {
      code: 422, reason: 'Invalid',
      message: "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5",
    });
  });
  check(t, 'demo: the binding only covers environment=test namespaces', () => assert.equal(evaluateVap(demo, request(deployment('prod', 6))).allowed, true));
  check(t, 'demo: UPDATE is checked too', () => assert.equal(evaluateVap(demo, request(deployment('default', 9), { operation: 'UPDATE', oldObject: deployment('default', 1) })).allowed, false));
  check(t, 'demo: DELETE is not in the rules', () => assert.equal(evaluateVap(demo, request(deployment('default', 9), { operation: 'DELETE', object: undefined, oldObject: deployment('default', 9) })).allowed, true));
  check(t, 'demo: the scale subresource is not deployments', () => assert.equal(evaluateVap(demo, request(deployment('default', 9), { subResource: 'scale', operation: 'UPDATE' })).allowed, true));
  check(t, 'demo: other kinds are not matched', () => {
    const sts = { ...deployment('default', 9), kind: 'StatefulSet' };
    assert.equal(evaluateVap(demo, request(sts)).allowed, true);
  });

  const limit = {
    policies: policies.filter(byName('replicalimit-policy.example.com')).map((o) => o.object),
    bindings: bindings.filter(byName('replicalimit-binding-test.example.com')).map((o) => o.object),
    params,
    namespaces: demo.namespaces,
  };
  check(t, 'replicalimit: within maxReplicas (3) is admitted', () => assert.equal(evaluateVap(limit, request(deployment('default', 3))).allowed, true));
  check(t, 'replicalimit: above maxReplicas is denied, reason Invalid', () => {
    const r = evaluateVap(limit, request(deployment('default', 4)));
    assert.deepEqual(r.denials.map((d) => [d.detail, d.reason, d.code]), [['failed expression: object.spec.replicas <= params.maxReplicas', 'Invalid', 422]]);
  });
  check(t, 'replicalimit: a missing parameter denies (parameterNotFoundAction: Deny)', () => {
    const r = evaluateVap({ ...limit, params: [] }, request(deployment('default', 1)));
    assert.equal(r.status?.message, "ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with binding 'replicalimit-binding-test.example.com' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
  });
  report('vap-examples', t.passed, t.failures.length);
  assert.deepEqual(t.failures, []);
});

test('api-testdata: every-field fixtures decode, validate as expected, and an AdmissionReview request evaluates as is', { skip: dir === undefined }, () => {
  const td = join(dir as string, 'api-testdata');
  const t: Tally = { passed: 0, failures: [] };
  const read = (base: string): { json: JsonObject; yaml: JsonObject } => ({
    json: JSON.parse(readFileSync(join(td, `${base}.json`), 'utf8')) as JsonObject,
    yaml: parseYaml(readFileSync(join(td, `${base}.yaml`), 'utf8')) as JsonObject,
  });
  const bases = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']
    .map((k) => `admissionregistration.k8s.io.v1.${k}`);
  for (const b of [...bases, 'admission.k8s.io.v1.AdmissionReview']) {
    check(t, `${b}: JSON and YAML decode to the same object`, () => {
      const { json, yaml } = read(b);
      assert.deepEqual(json, yaml);
    });
  }
  const vap = read(bases[0]).json;
  const vapb = read(bases[1]).json;
  check(t, 'ValidatingAdmissionPolicy: every field is known', () => assert.deepEqual(validatePolicyObject(vap).warnings.map((e) => e.message), []));
  check(t, 'ValidatingAdmissionPolicyBinding: every field is known', () => assert.deepEqual(validateBindingObject(vapb).warnings.map((e) => e.message), []));
  check(t, 'ValidatingAdmissionPolicy: only the placeholder values are rejected', () => {
    const fields = validatePolicyObject(vap).errors.map((e) => fieldString(e.path));
    assert.deepEqual(fields, [
      'metadata.name', 'spec.failurePolicy', 'spec.paramKind.apiVersion',
      'spec.matchConstraints.matchPolicy',
      'spec.matchConstraints.namespaceSelector.matchExpressions[0].operator',
      'spec.matchConstraints.objectSelector.matchExpressions[0].operator',
      'spec.matchConstraints.resourceRules[0].operations[0]', 'spec.matchConstraints.resourceRules[0].scope',
      'spec.matchConstraints.excludeResourceRules[0].operations[0]', 'spec.matchConstraints.excludeResourceRules[0].scope',
      'spec.validations[0].reason', 'spec.auditAnnotations[0].key',
    ]);
  });
  check(t, 'ValidatingAdmissionPolicyBinding: only the placeholder values are rejected', () => {
    const fields = validateBindingObject(vapb).errors.map((e) => fieldString(e.path));
    assert.deepEqual(fields, [
      'metadata.name', 'spec.policyName', 'spec.paramRef.name', 'spec.paramRef.selector.matchExpressions[0].operator',
      'spec.paramRef.selector', 'spec.paramRef.parameterNotFoundAction', 'spec.matchResources.matchPolicy',
      'spec.matchResources.namespaceSelector.matchExpressions[0].operator', 'spec.matchResources.objectSelector.matchExpressions[0].operator',
      'spec.matchResources.resourceRules[0].operations[0]', 'spec.matchResources.resourceRules[0].scope',
      'spec.matchResources.excludeResourceRules[0].operations[0]', 'spec.matchResources.excludeResourceRules[0].scope',
      'spec.validationActions[0]',
    ]);
  });
  check(t, 'AdmissionReview: review.request feeds evaluateVap directly; policies see its fields', () => {
    const review = read('admission.k8s.io.v1.AdmissionReview').json;
    const req = review.request as AdmissionRequestLike;
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'sees-request' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['groupValue'], apiVersions: ['versionValue'], operations: ['*'], resources: ['resourceValue/*'] }] },
        validations: [{
          expression: "request.userInfo.username == 'usernameValue' && request.requestSubResource == 'requestSubResourceValue' && request.dryRun && object.spec.replicas == 1 && oldObject.status.available == 1 && request.userInfo.extra['extraKey'] == ['extraValue']",
        }, { expression: 'false', messageExpression: "'seen ' + request.name + ' in ' + request.namespace" }],
      },
    };
    const binding = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'sees-request', validationActions: ['Deny'] } };
    const r = evaluateVap({ policies: [policy], bindings: [binding] }, req);
    assert.deepEqual(r.denials.map((d) => [d.validation, d.detail]), [[1, 'seen nameValue in namespaceValue']]);
  });
  report('vap api-testdata', t.passed, t.failures.length);
  assert.deepEqual(t.failures, []);
});
