import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelCompileError, CelEnv, PER_CALL_LIMIT } from './env.js';
import { fromJson, toJson } from './json.js';
import { T } from './types.js';
import { CelEvalError, Optional, isError, type Value } from './values.js';
import { COST_EXCEEDED } from './interpret.js';

const env = new CelEnv({ variables: { object: T.dyn, params: T.dyn } });

const pod = fromJson({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web', 'app.kubernetes.io/name': 'shop' }, annotations: { 'x-y': 'z' } },
  spec: {
    replicas: 3,
    ratio: 0.5,
    hostNetwork: false,
    containers: [
      { name: 'app', image: 'registry.example.com/app:1.0', ports: [{ containerPort: 8080 }] },
      { name: 'side', image: 'docker.io/side:latest' },
    ],
  },
});

/** Evaluates against the pod; returns the JSON form of the value, or { error }. */
function run(expr: string, vars: Record<string, Value> = { object: pod }): unknown {
  const v = env.compile(expr).eval(vars);
  return isError(v) ? { error: v.message } : toJson(v);
}

test('JSON integers are CEL ints, other numbers doubles', () => {
  assert.equal(run('object.spec.replicas + 1 == 4'), true);
  assert.equal(run('type(object.spec.replicas) == int'), true);
  assert.equal(run('type(object.spec.ratio) == double'), true);
  assert.equal(run('object.spec.ratio * 2.0'), 1);
  assert.deepEqual(run('object.spec.replicas + object.spec.ratio'), { error: 'no such overload: _+_(int, double)' });
});

test('field access, has(), map keys and the Kubernetes property-name escapes', () => {
  assert.equal(run("object.metadata.labels['app.kubernetes.io/name']"), 'shop');
  assert.equal(run("has(object.metadata.labels) && 'app' in object.metadata.labels"), true);
  assert.equal(run('has(object.spec.nodeName)'), false);
  assert.deepEqual(run('object.spec.nodeName'), { error: 'no such key: nodeName' });
  // x-y is reachable as x__dash__y, as Kubernetes escapes names that are not identifiers.
  assert.equal(run('object.metadata.annotations.x__dash__y'), 'z');
  assert.equal(run('has(object.metadata.annotations.x__dash__y)'), true);
});

test('macros: all, exists, exists_one, map, filter, with cel-go error absorption', () => {
  assert.equal(run("object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))"), false);
  assert.equal(run("object.spec.containers.exists(c, c.name == 'side')"), true);
  assert.equal(run("object.spec.containers.exists_one(c, c.image.endsWith(':latest'))"), true);
  assert.deepEqual(run('object.spec.containers.map(c, c.name)'), ['app', 'side']);
  assert.deepEqual(run("object.spec.containers.filter(c, has(c.ports)).map(c, c.ports[0].containerPort)"), [8080]);
  // A false item decides all() even when another item errs; an error otherwise wins.
  assert.equal(run('[0, 1].all(x, 1 / x > 5)'), false);
  assert.deepEqual(run('[0, 1].all(x, 1 / x > 0)'), { error: 'division by zero' });
  assert.equal(run('[0, 1].exists(x, 1 / x > 0)'), true);
  assert.equal(run('false && 1 / 0 == 1'), false);
  assert.equal(run('1 / 0 == 1 || true'), true);
  assert.deepEqual(run('1 / 0 == 1 && true'), { error: 'division by zero' });
});

test('two-variable comprehensions (cel-go ext.TwoVarComprehensions)', () => {
  assert.equal(run("object.metadata.labels.all(k, v, k != '' && v != '')"), true);
  assert.equal(run("object.metadata.labels.exists(k, v, k == 'app' && v == 'web')"), true);
  assert.equal(run('[5, 6, 7].existsOne(i, v, i == 1 && v == 6)'), true);
  assert.deepEqual(run('[10, 20, 30].transformList(i, v, i * v)'), [0, 20, 60]);
  assert.deepEqual(run('[10, 20, 30].transformList(i, v, i > 0, v)'), [20, 30]);
  assert.deepEqual(run("{'a': 1, 'b': 2}.transformMap(k, v, v * 10)"), { a: 10, b: 20 });
  assert.deepEqual(run("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v)"), { b: 2 });
  assert.deepEqual(run("{'a': 1}.transformMapEntry(k, v, {k + k: v})"), { aa: 1 });
  assert.deepEqual(run("{'a': 1, 'b': 1}.transformMapEntry(k, v, {'x': v})"), { error: 'insert failed: key x already exists' });
});

test('optional values: .?, [?], optional literals, orValue/or/hasValue, optMap', () => {
  assert.equal(run('object.?spec.?replicas.orValue(1)'), 3);
  assert.equal(run('object.?spec.?priority.orValue(0)'), 0);
  // Once a path is optional, later selections are too (cel-go: a.?b.c is optional).
  assert.equal(run('object.?status.phase.orValue("Pending")'), 'Pending');
  assert.equal(run("object.metadata.labels[?'missing'].hasValue()"), false);
  assert.equal(run('object.spec.containers[?5].hasValue()'), false);
  assert.equal(run('object.spec.containers[?0].name.value()'), 'app');
  assert.deepEqual(run('[?optional.none(), 1, ?optional.of(2)]'), [1, 2]);
  assert.deepEqual(run("{?'a': optional.of(1), ?'b': optional.none()}"), { a: 1 });
  assert.equal(run('optional.none().or(optional.of(5)).value()'), 5);
  // or/orValue do not evaluate their argument when the receiver has a value.
  assert.equal(run('optional.of(1).orValue(1 / 0)'), 1);
  assert.deepEqual(run('optional.none().value()'), { error: 'optional.none() dereference' });
  assert.equal(run('optional.ofNonZeroValue("").hasValue()'), false);
  assert.equal(run('object.?spec.?replicas.optMap(r, r * 2).value()'), 6);
  assert.equal(run('optional.of(2).optFlatMap(x, x > 1 ? optional.of(x) : optional.none()).value()'), 2);
  assert.equal(run('optional.none() == optional.none()'), true);
});

test('errors are values with messages', () => {
  assert.deepEqual(run('9223372036854775807 + 1'), { error: 'integer overflow' });
  assert.deepEqual(run('1 % 0'), { error: 'modulus by zero' });
  assert.deepEqual(run('[1][3]'), { error: 'index out of bounds: 3' });
  assert.deepEqual(run("{'a': 1}['b']"), { error: 'no such key: b' });
  assert.equal(typeof (run("int('x')") as { error: string }).error, 'string');
});

test('comparisons: cross-type numbers, strings, timestamps; equality of lists and maps', () => {
  assert.equal(run('1 < 1.5 && 2.0 > 1 && 1u < 2'), true);
  assert.equal(run('dyn(1) == 1.0'), true);
  assert.equal(run("'abc' < 'abd'"), true);
  assert.equal(run("[1, dyn('a')] == [dyn(1), 'a']"), true);
  assert.equal(run("{'a': 1} == dyn({'a': 1.0})"), true);
  assert.equal(run("timestamp('2024-01-01T00:00:00Z') < timestamp('2024-01-02T00:00:00Z')"), true);
  assert.equal(run("duration('90m') == duration('1h30m')"), true);
  assert.equal(run("timestamp('2024-01-01T10:00:00Z').getHours()"), 10);
  assert.equal(run("string(timestamp('2024-01-01T00:00:00Z') + duration('1.5s'))"), '2024-01-01T00:00:01.5Z');
});

test('string functions: the strings extension, matches (RE2), size in code points', () => {
  assert.equal(run("'a-b-c'.split('-').join('+')"), 'a+b+c');
  assert.equal(run("'Hello'.lowerAscii().upperAscii()"), 'HELLO');
  assert.equal(run("'  x '.trim()"), 'x');
  assert.equal(run("'abcdef'.substring(1, 3)"), 'bc');
  assert.equal(run("'abcabc'.lastIndexOf('b')"), 4);
  assert.equal(run("'a.b'.replace('.', '-')"), 'a-b');
  // Kubernetes' homogeneous-literal rule: mixed format arguments need dyn().
  assert.equal(run("'%s=%d'.format([dyn('x'), 3])"), 'x=3');
  assert.equal(run("size('héllo😀')"), 6);
  assert.equal(run("'registry.example.com/app:1.0'.matches('^registry\\\\.example\\\\.com/')"), true);
  assert.equal(run("string(1234567.0) + ' ' + string(0.5) + ' ' + string(100.0)"), '1.234567e+06 0.5 100');
});

test('compile errors are cel-go shaped and point into the expression', () => {
  assert.throws(() => env.compile('object.spec.replicas >'), (e: Error) => e instanceof CelCompileError && /^ERROR: <input>:1:\d+: Syntax error/.test(e.message));
  assert.throws(() => env.compile('objct.spec'), (e: Error) => e.message.startsWith("ERROR: <input>:1:1: undeclared reference to 'objct' (in container '')\n | objct.spec\n | ^"));
  assert.throws(() => env.compile("size(1) + 'a'"), /found no matching overload for 'size' applied to '\(int\)'/);
  assert.throws(() => env.compile("[1, 'a']"), /expected type 'int' but found 'string'/);
  assert.throws(() => env.compile("'x'.matches('(?=a)')"), /invalid regular expression/);
  assert.throws(() => env.compile("duration('5 minutes')"), /invalid duration literal/);
  assert.throws(() => env.compile('object.?'), CelCompileError);
  assert.throws(() => env.compile('has(object)'), /invalid argument to has\(\) macro/);
});

test('declared object types reject unknown fields at compile time', () => {
  const e = new CelEnv({ variables: { request: T.struct('kubernetes.AdmissionRequest', { operation: T.string, name: T.string }) } });
  assert.equal(e.compile("request.operation == 'CREATE'").type.k, 'prim');
  assert.throws(() => e.compile('request.operaton'), /undefined field 'operaton'/);
});

test('hidden variables keep their slot but are not visible', () => {
  const e = env.with({ hidden: ['params'] });
  assert.throws(() => e.compile('params.x'), /undeclared reference to 'params'/);
  assert.equal(e.compile('object.a').evaluate({ vars: [fromJson({ a: 1 }), null] }).value, 1n);
});

test('expected result types (validations must be bool)', () => {
  assert.throws(() => env.compile("'x'", { types: [T.bool], what: 'must evaluate to bool' }), /must evaluate to bool, found 'string'/);
  assert.equal(env.compile('object.spec.replicas', { types: [T.bool], what: 'must evaluate to bool' }).type.k, 'dyn');
});

test('the cost limit stops runaway comprehensions with an error value', () => {
  const p = env.compile('lists.range(2000).all(i, lists.range(2000).all(j, i + j >= 0))');
  const { value } = p.evaluate({ vars: {} });
  assert.ok(value instanceof CelEvalError);
  assert.equal(value.message, COST_EXCEEDED);
  const small = p.evaluate({ vars: {}, limit: PER_CALL_LIMIT * 10 });
  assert.equal(small.value, true);
});

test('lazy variables are evaluated once per evaluation, on first use', () => {
  const e = env.with({ lazy: { name: 'variables', fields: [['a', T.dyn], ['b', T.dyn]] } });
  let calls = 0;
  const lazy = (i: number): Value => {
    calls++;
    return i === 0 ? 2n : new CelEvalError('b failed');
  };
  assert.equal(e.compile('variables.a + variables.a == 4').evaluate({ vars: {}, lazy }).value, true);
  assert.equal(calls, 2); // memoisation is the caller's (vap/ keeps a per-request cache)
  assert.ok(isError(e.compile('variables.b').evaluate({ vars: {}, lazy }).value));
  assert.throws(() => e.compile('variables.c'), /undefined field 'c'/);
});

test('values and JSON round-trip', () => {
  const v = fromJson({ a: [1, 2.5, 'x', null, true], b: { c: 9007199254740993 } });
  // Beyond 2^53 JSON.parse has rounded already; such ints print as strings of digits.
  assert.deepEqual(toJson(v), { a: [1, 2.5, 'x', null, true], b: { c: '9007199254740992' } });
  assert.ok(Optional.of(1).hasValue);
});

test('hostile input: deep nesting is a compile error, big comprehensions stay linear', () => {
  assert.throws(() => env.compile(`${'('.repeat(20000)}1${')'.repeat(20000)}`), (e: Error) => e instanceof CelCompileError);
  const t0 = Date.now();
  const m = env.compile('lists.range(50000).transformMap(i, v, v * 2)').eval();
  assert.ok(m instanceof Map && m.size === 50000 && m.get(49999n) === 99998n);
  const l = env.compile('lists.range(50000).map(x, x + 1).filter(x, x % 2 == 0)').eval();
  assert.ok(Array.isArray(l) && l.length === 25000);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.deepEqual(run('lists.range(2000000)'), { error: COST_EXCEEDED });
});
