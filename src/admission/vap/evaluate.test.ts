import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateVap, VALIDATION_FAILURE_KEY } from './evaluate.js';
import { binding, createRequest, deployment, namespaces, policy } from './testkit.js';
import type { JsonObject, VapInput } from './types.js';

const run = (input: Partial<VapInput> & Pick<VapInput, 'policies' | 'bindings'>, replicas = 3, more = {}) =>
  evaluateVap({ namespaces, ...input }, createRequest(deployment(replicas), more));

const maxFive = policy('max-five', { validations: [{ expression: 'object.spec.replicas <= 5' }] });

test('a validation that is not exactly true denies, with the Kubernetes client message', () => {
  const r = run({ policies: [maxFive], bindings: [binding('b1', 'max-five')] }, 7);
  assert.equal(r.allowed, false);
  assert.deepEqual(r.denials, [{
    policy: 'max-five', binding: 'b1', kind: 'deny', validation: 0, reason: 'Invalid', code: 422,
    detail: 'failed expression: object.spec.replicas <= 5',
    message: "ValidatingAdmissionPolicy 'max-five' with binding 'b1' denied request: failed expression: object.spec.replicas <= 5",
  }]);
  assert.deepEqual(r.status, { code: 422, reason: 'Invalid', message: r.denials[0].message });
  assert.deepEqual(r.evaluated, [{ policy: 'max-five', binding: 'b1' }]);
  assert.equal(run({ policies: [maxFive], bindings: [binding('b1', 'max-five')] }, 5).allowed, true);
});

test('a policy without a binding does nothing; a binding for another policy neither', () => {
  assert.equal(run({ policies: [maxFive], bindings: [] }, 9).allowed, true);
  assert.equal(run({ policies: [maxFive], bindings: [binding('b', 'other')] }, 9).allowed, true);
});

test('message fallback chain: messageExpression, then message, then the expression', () => {
  const p = (v: JsonObject) => policy('p', { validations: [{ expression: 'object.spec.replicas <= 5', ...v }] });
  const msg = (v: JsonObject) => run({ policies: [p(v)], bindings: [binding('b', 'p')] }, 9).denials[0].detail;
  assert.equal(msg({ messageExpression: "'replicas is ' + string(object.spec.replicas)", message: 'static' }), 'replicas is 9');
  assert.equal(msg({ messageExpression: "'  padded  '" }), 'padded');
  // Multi-line, empty or failing message expressions fall back.
  assert.equal(msg({ messageExpression: "'a\\nb'", message: 'static' }), 'static');
  assert.equal(msg({ messageExpression: "''", message: 'static' }), 'static');
  assert.equal(msg({ messageExpression: "string(object.spec.nope)", message: 'static' }), 'static');
  assert.equal(msg({ messageExpression: 'string(object.kind)' }), 'Deployment');
  // A message expression of type dyn does not compile (kube-apiserver rejects the policy): fallback.
  assert.equal(msg({ messageExpression: 'object.kind', message: 'static' }), 'static');
  assert.equal(msg({}), 'failed expression: object.spec.replicas <= 5');
});

test('reason sets the HTTP code', () => {
  for (const [reason, code] of [['Forbidden', 403], ['Unauthorized', 401], ['RequestEntityTooLarge', 413], ['Invalid', 422]] as const) {
    const p = policy('p', { validations: [{ expression: 'false', reason }] });
    const r = run({ policies: [p], bindings: [binding('b', 'p')] });
    assert.equal(r.denials[0].reason, reason);
    assert.equal(r.status?.code, code);
  }
});

test('evaluation errors follow failurePolicy: Fail denies with the error, Ignore admits', () => {
  const p = (fp: string) => policy('p', { failurePolicy: fp, validations: [{ expression: 'object.spec.missing > 1' }] });
  const fail = run({ policies: [p('Fail')], bindings: [binding('b', 'p')] });
  assert.equal(fail.allowed, false);
  assert.equal(fail.denials[0].kind, 'error');
  assert.equal(fail.denials[0].detail, "expression 'object.spec.missing > 1' resulted in error: no such key: missing");
  assert.equal(fail.status?.code, 422);
  assert.equal(run({ policies: [p('Ignore')], bindings: [binding('b', 'p')] }).allowed, true);
});

test('matchConditions: a false one skips the policy; errors without a false follow failurePolicy', () => {
  const p = (conds: JsonObject[], fp = 'Fail') => policy('p', { failurePolicy: fp, matchConditions: conds, validations: [{ expression: 'false' }] });
  const b = [binding('b', 'p')];
  assert.equal(run({ policies: [p([{ name: 'never', expression: 'false' }])], bindings: b }).allowed, true);
  assert.equal(run({ policies: [p([{ name: 'always', expression: 'true' }])], bindings: b }).allowed, false);
  // A false condition wins over an erroring one.
  assert.equal(run({ policies: [p([{ name: 'err', expression: 'object.x == 1' }, { name: 'no', expression: 'false' }])], bindings: b }).allowed, true);
  const err = run({ policies: [p([{ name: 'err', expression: 'object.x == 1' }])], bindings: b });
  assert.equal(err.denials[0].detail, "expression 'object.x == 1' resulted in error: no such key: x");
  assert.equal(run({ policies: [p([{ name: 'err', expression: 'object.x == 1' }], 'Ignore')], bindings: b }).allowed, true);
  const two = run({ policies: [p([{ name: 'e1', expression: 'object.x == 1' }, { name: 'e2', expression: 'object.y == 1' }])], bindings: b });
  assert.equal(two.denials[0].detail, "[expression 'object.x == 1' resulted in error: no such key: x, expression 'object.y == 1' resulted in error: no such key: y]");
});

test('variables: composed in order, lazily, and their errors name them', () => {
  const p = policy('p', {
    variables: [
      { name: 'replicas', expression: 'object.spec.replicas' },
      { name: 'tooMany', expression: 'variables.replicas > 5' },
      { name: 'broken', expression: 'object.spec.nope' },
    ],
    validations: [
      { expression: '!variables.tooMany', messageExpression: "'too many: ' + string(variables.replicas)" },
    ],
  });
  const r = run({ policies: [p], bindings: [binding('b', 'p')] }, 8);
  assert.equal(r.denials[0].detail, 'too many: 8');
  // A failing variable only matters when an expression reads it.
  assert.equal(run({ policies: [p], bindings: [binding('b', 'p')] }, 2).allowed, true);
  const q = policy('q', { variables: [{ name: 'broken', expression: 'object.spec.nope' }], validations: [{ expression: 'variables.broken == 1' }] });
  assert.equal(run({ policies: [q], bindings: [binding('b', 'q')] }).denials[0].detail,
    "expression 'variables.broken == 1' resulted in error: composited variable \"broken\" fails to evaluate: no such key: nope");
});

test('validationActions: Warn gives a warning, Audit an audit annotation, Deny a denial', () => {
  const p = policy('p', { validations: [{ expression: 'true' }, { expression: 'false', message: 'nope' }] });
  const warn = run({ policies: [p], bindings: [binding('b', 'p', { validationActions: ['Warn', 'Audit'] })] });
  assert.equal(warn.allowed, true);
  assert.deepEqual(warn.warnings, ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': nope"]);
  assert.deepEqual(JSON.parse(warn.auditAnnotations[VALIDATION_FAILURE_KEY]), [
    { message: 'nope', policy: 'p', binding: 'b', expressionIndex: 1, validationActions: ['Warn', 'Audit'] },
  ]);
  const deny = run({ policies: [p], bindings: [binding('b', 'p', { validationActions: ['Deny', 'Audit'] })] });
  assert.equal(deny.allowed, false);
  assert.deepEqual(deny.warnings, []);
  assert.ok(VALIDATION_FAILURE_KEY in deny.auditAnnotations);
});

test('auditAnnotations: published as <policy>/<key>, trimmed, de-duplicated across bindings, null and "" omitted', () => {
  const p = policy('p', {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    auditAnnotations: [
      { key: 'replicas', valueExpression: "'replicas: ' + string(object.spec.replicas) + ' '" },
      { key: 'team', valueExpression: 'string(params.data.team)' },
      { key: 'none', valueExpression: 'null' },
      { key: 'empty', valueExpression: "''" },
    ],
  });
  const cm = (name: string, team: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data: { team } });
  const ref = (name: string) => ({ paramRef: { name, parameterNotFoundAction: 'Deny' } });
  const r = run({
    policies: [p],
    bindings: [binding('b1', 'p', ref('one')), binding('b2', 'p', ref('two')), binding('b3', 'p', ref('three'))],
    params: [cm('one', 'red'), cm('two', 'blue'), cm('three', 'red')],
  });
  assert.equal(r.allowed, true);
  assert.deepEqual(r.auditAnnotations, { 'p/replicas': 'replicas: 3', 'p/team': 'red, blue' });
  const bad = policy('bad', { auditAnnotations: [{ key: 'n', valueExpression: 'object.spec.replicas' }] });
  const e = run({ policies: [bad], bindings: [binding('b', 'bad')] });
  assert.equal(e.allowed, false);
  // A value expression that is not string or null does not compile; at run time it is an error.
  assert.equal(e.denials[0].detail, 'compilation error: must evaluate to one of [string null_type] but got dyn');
});

test('params: by name, by selector (each selected object must pass), not found per parameterNotFoundAction', () => {
  const p = policy('limit', {
    paramKind: { apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit' },
    validations: [{ expression: 'object.spec.replicas <= params.maxReplicas', messageExpression: "'max ' + string(params.maxReplicas)" }],
  });
  const limit = (name: string, max: number, labels: JsonObject = {}) => ({
    apiVersion: 'rules.example.com/v1', kind: 'ReplicaLimit', metadata: { name, namespace: 'shop', labels }, maxReplicas: max,
  });
  const params = [limit('small', 2, { tier: 'x' }), limit('large', 10, { tier: 'x' })];
  const byName = (name: string, action = 'Deny') => binding('b', 'limit', { paramRef: { name, parameterNotFoundAction: action } });
  assert.equal(run({ policies: [p], bindings: [byName('large')], params }, 5).allowed, true);
  assert.equal(run({ policies: [p], bindings: [byName('small')], params }, 5).denials[0].detail, 'max 2');
  const sel = binding('b', 'limit', { paramRef: { selector: { matchLabels: { tier: 'x' } }, parameterNotFoundAction: 'Deny' } });
  const r = run({ policies: [p], bindings: [sel], params }, 5);
  assert.deepEqual(r.denials.map((d) => d.detail), ['max 2']);
  assert.equal(run({ policies: [p], bindings: [byName('missing', 'Allow')], params }, 50).allowed, true);
  assert.equal(run({ policies: [p], bindings: [byName('missing', 'Deny')], params }, 1).denials[0].detail,
    'failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
  // A binding without paramRef evaluates with params null.
  assert.equal(run({ policies: [p], bindings: [binding('b', 'limit')], params }, 1).denials[0].detail,
    "expression 'object.spec.replicas <= params.maxReplicas' resulted in error: invalid type for field selection: null_type");
  const cluster = binding('b', 'limit', { paramRef: { name: 'small', namespace: 'shop', parameterNotFoundAction: 'Deny' } });
  assert.equal(run({ policies: [p], bindings: [cluster], params, paramScopes: { 'rules.example.com/v1/ReplicaLimit': 'Cluster' } }).denials[0].detail,
    'failed to configure binding: paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
});

test('request, namespaceObject and authorizer are what the policy sees', () => {
  const p = policy('p', {
    validations: [
      { expression: "request.operation == 'CREATE' && request.namespace == 'shop' && request.userInfo.username == 'alice'" },
      { expression: "request.kind.kind == 'Deployment' && request.resource.resource == 'deployments' && !has(request.subResource)" },
      { expression: "namespaceObject.metadata.labels.team == 'a'" },
      { expression: "authorizer.group('apps').resource('deployments').check('delete').allowed()", messageExpression: "'not allowed'" },
      { expression: "'dev' in request.userInfo.groups && request.dryRun == false" },
    ],
  });
  const r = run({ policies: [p], bindings: [binding('b', 'p')] });
  assert.deepEqual(r.denials.map((d) => [d.validation, d.detail]), [[3, 'not allowed']]);
  const allow = run({ policies: [p], bindings: [binding('b', 'p')], authorizer: (a) => ({ decision: a.user.username === 'alice' ? 'allow' : 'deny' }) });
  assert.equal(allow.allowed, true);
});

test('UPDATE and DELETE see oldObject; object is null on DELETE', () => {
  const p = policy('p', {
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['*'], resources: ['deployments'] }] },
    validations: [{ expression: "request.operation != 'UPDATE' || object.spec.replicas >= oldObject.spec.replicas", message: 'no scale down' },
      { expression: "request.operation != 'DELETE' || (object == null && oldObject.metadata.name == 'web')", message: 'delete' }],
  });
  const b = [binding('b', 'p')];
  assert.equal(run({ policies: [p], bindings: b }, 2, { operation: 'UPDATE', oldObject: deployment(3) }).denials[0].detail, 'no scale down');
  assert.equal(run({ policies: [p], bindings: b }, 4, { operation: 'UPDATE', oldObject: deployment(3) }).allowed, true);
  assert.equal(evaluateVap({ policies: [p], bindings: b, namespaces }, createRequest(deployment(1), { operation: 'DELETE', object: undefined, oldObject: deployment(1) })).allowed, true);
});

test('an unknown namespace, when namespaces are given, fails the request as kube-apiserver does', () => {
  const r = evaluateVap({ policies: [maxFive], bindings: [binding('b', 'max-five')], namespaces: {} }, createRequest(deployment(1)));
  assert.equal(r.allowed, false);
  assert.equal(r.status?.code, 404);
  assert.equal(r.denials[0].detail, 'namespaces "shop" not found');
  // Without namespace information every namespace exists without labels.
  assert.equal(evaluateVap({ policies: [maxFive], bindings: [binding('b', 'max-five')] }, createRequest(deployment(1))).allowed, true);
});

test('the first denial decides the status; every denial is listed; policies and bindings run in name order', () => {
  const a = policy('a-policy', { validations: [{ expression: 'false', message: 'A', reason: 'Forbidden' }] });
  const z = policy('z-policy', { validations: [{ expression: 'false', message: 'Z' }] });
  const r = run({ policies: [z, a], bindings: [binding('b2', 'a-policy'), binding('b1', 'a-policy'), binding('b', 'z-policy')] });
  assert.deepEqual(r.denials.map((d) => `${d.policy}/${d.binding}:${d.detail}`), ['a-policy/b1:A', 'a-policy/b2:A', 'z-policy/b:Z']);
  assert.deepEqual(r.status, { code: 403, reason: 'Forbidden', message: "ValidatingAdmissionPolicy 'a-policy' with binding 'b1' denied request: A" });
});

test('compiled once: repeated evaluation of the same policy object reuses its programs', () => {
  const input: VapInput = { policies: [maxFive], bindings: [binding('b', 'max-five')], namespaces };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) evaluateVap(input, createRequest(deployment(i % 10)));
  const perCall = Number(process.hrtime.bigint() - t0) / 2000 / 1e6;
  assert.ok(perCall < 1, `one evaluation took ${perCall.toFixed(3)} ms`);
});

test('a hostile object (deep nesting) is an evaluation error under failurePolicy, not a crash', () => {
  let deep: JsonObject = { leaf: true };
  for (let i = 0; i < 20000; i++) deep = { x: deep };
  const obj = { ...deployment(1), spec: { replicas: 1, deep } };
  const r = evaluateVap({ policies: [maxFive], bindings: [binding('b', 'max-five')], namespaces }, createRequest(obj));
  assert.equal(r.allowed, false);
  assert.match(r.denials[0].detail, /object nests too deeply to evaluate/);
});

test("the documentation's audit annotation (cond ? text : null) compiles and publishes only when the condition holds", () => {
  const p = policy('demo-policy.example.com', {
    auditAnnotations: [{ key: 'high-replica-count', valueExpression: "object.spec.replicas > 50 ? 'Deployment spec.replicas set to ' + string(object.spec.replicas) : null" }],
    validations: [{ expression: 'object.spec.replicas <= 128' }],
  });
  const b = [binding('b', 'demo-policy.example.com')];
  assert.deepEqual(run({ policies: [p], bindings: b }, 128).auditAnnotations, { 'demo-policy.example.com/high-replica-count': 'Deployment spec.replicas set to 128' });
  assert.deepEqual(run({ policies: [p], bindings: b }, 3).auditAnnotations, {});
});
