import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelEnv } from './env.js';
import { toJson } from './json.js';
import { AUTHZ_TYPE, AuthorizerValue, NO_AUTHORIZER_REASON, RESOURCE_CHECK_TYPE, ResourceCheckValue, stubDecide, type AuthzAttributes } from './lib/authz.js';
import { T } from './types.js';
import { isError, type Value } from './values.js';

const env = new CelEnv({ variables: { authorizer: AUTHZ_TYPE, 'authorizer.requestResource': RESOURCE_CHECK_TYPE } });

function run(expr: string, vars: Record<string, Value> = {}): unknown {
  const v = env.compile(expr).eval(vars);
  return isError(v) ? { error: v.message } : toJson(v);
}

test('Kubernetes lists library', () => {
  assert.equal(run('[1, 2, 2, 3].isSorted()'), true);
  assert.equal(run("['b', 'a'].isSorted()"), false);
  assert.equal(run('[1, 3].sum()'), 4);
  assert.equal(run('[1.5, 3.0].sum()'), 4.5);
  assert.equal(run("[duration('1m'), duration('1s')].sum() == duration('61s')"), true);
  assert.equal(run('[].sum()'), 0);
  assert.equal(run('[3, 1, 2].min()'), 1);
  assert.equal(run("['b', 'c', 'a'].max()"), 'c');
  assert.deepEqual(run('[].min()'), { error: 'min called on empty list' });
  assert.equal(run('[1, 2, 2, 3].indexOf(2)'), 1);
  assert.equal(run('[1, 2, 2, 3].lastIndexOf(2)'), 2);
  assert.equal(run('[1.0].indexOf(1.1)'), -1);
  assert.equal(run('[1, 2, 3].includes(2)'), true);
  assert.equal(run("'model-a'.includes('model-a')"), true);
});

test('cel-go list and set extensions', () => {
  assert.deepEqual(run('[1, 2, 3, 4].slice(1, 3)'), [2, 3]);
  assert.deepEqual(run('[1, 2].slice(2, 1)'), { error: 'cannot slice(2, 1), start index must be less than or equal to end index' });
  assert.deepEqual(run('[[1], [2, dyn([3])]].flatten()'), [1, 2, [3]]);
  assert.deepEqual(run('[[1], [2, dyn([3])]].flatten(2)'), [1, 2, 3]);
  assert.deepEqual(run('[1, 2, 1, 3, 2].distinct()'), [1, 2, 3]);
  assert.deepEqual(run('[1, 2, 3].reverse()'), [3, 2, 1]);
  assert.deepEqual(run("['b', 'a', 'c'].sort()"), ['a', 'b', 'c']);
  assert.deepEqual(run("[{'n': 2}, {'n': 1}].sortBy(e, e.n).map(e, e.n)"), [1, 2]);
  assert.deepEqual(run('lists.range(4)'), [0, 1, 2, 3]);
  assert.equal(run('sets.contains([1, 2, 3], [3, 1])'), true);
  assert.equal(run('sets.equivalent([1, 2, 1], [2, 1])'), true);
  assert.equal(run('sets.intersects([1, 2], [3])'), false);
});

test('regex library: find and findAll with Go semantics', () => {
  assert.equal(run("'abc 123'.find('[0-9]+')"), '123');
  assert.equal(run("'abc'.find('x')"), '');
  assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+')"), ['123', '456']);
  assert.deepEqual(run("'123 abc 456'.findAll('[0-9]+', 1)"), ['123']);
  // Go's FindAllString keeps empty matches except right after a match.
  assert.deepEqual(run("'a1'.findAll('[0-9]*')"), ['', '1']);
  assert.deepEqual(run("'x'.find(dyn('('))"), { error: 'Illegal regex: error parsing regexp: missing closing ): `(`' });
});

test('URL library', () => {
  const u = "url('https://user:pw@example.com:8443/a%20b/c?k=1&k=2&q=x+y#frag')";
  assert.equal(run(`${u}.getScheme()`), 'https');
  assert.equal(run(`${u}.getHost()`), 'example.com:8443');
  assert.equal(run(`${u}.getHostname()`), 'example.com');
  assert.equal(run(`${u}.getPort()`), '8443');
  assert.equal(run(`${u}.getEscapedPath()`), '/a%20b/c');
  assert.deepEqual(run(`${u}.getQuery()`), { k: ['1', '2'], q: ['x y'] });
  assert.equal(run("url('https://[::1]:80/').getHostname()"), '::1');
  assert.equal(run("url('/absolute').getHost()"), '');
  assert.equal(run("isURL('../relative')"), false);
  assert.deepEqual(run("url('https://a:b:c/')"), { error: 'URL parse error during conversion from string: parse "https://a:b:c/": invalid port ":c" after host' });
});

test('quantity library beyond the upstream table', () => {
  assert.equal(run("quantity('-1Gi').sign()"), -1);
  assert.equal(run("sign(quantity('0'))"), 0);
  assert.equal(run("quantity('1.5').asApproximateFloat()"), 1.5);
  assert.equal(run("quantity('500m').isInteger()"), false);
  assert.equal(run("quantity('2k').mul(3) == quantity('6k')"), true);
  assert.equal(run("quantity('1Ki').asInteger()"), 1024);
  // Values past nano precision round up, as Kubernetes does.
  assert.equal(run("quantity('0.0000000001') == quantity('1n')"), true);
  assert.equal(run("isQuantity('1,5G')"), false);
});

test('semver library with normalisation', () => {
  assert.equal(run("semver('v1.2', true) == semver('1.2.0')"), true);
  assert.equal(run("semver('1.0.0-alpha').isLessThan(semver('1.0.0'))"), true);
  assert.equal(run("semver('1.0.0-alpha.1').compareTo(semver('1.0.0-alpha.beta'))"), -1);
  assert.equal(run("semver('1.0.0+build1') == semver('1.0.0+build2')"), true);
  assert.deepEqual(run("semver('1.2.x')"), { error: 'Invalid character(s) found in patch number "x"' });
});

test('IP and CIDR edge cases', () => {
  assert.deepEqual(run("ip('fe80::1%eth0')"), { error: 'IP address "fe80::1%eth0" with zone value is not allowed' });
  assert.deepEqual(run("ip('::ffff:1.2.3.4')"), { error: 'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed' });
  assert.deepEqual(run("ip('01.2.3.4')"), { error: 'IP Address "01.2.3.4" parse error during conversion from string: ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero' });
  assert.equal(run("string(ip('2001:0db8:0000:0000:0000:0000:0000:0001'))"), '2001:db8::1');
  assert.equal(run("cidr('10.0.0.0/8').containsIP(ip('::1'))"), false);
  assert.equal(run("cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8')"), true);
  assert.equal(run("isCIDR('10.0.0.0/33')"), false);
});

test('format library', () => {
  assert.equal(run("format.named('dns1123Label').hasValue()"), true);
  assert.equal(run("format.named('dns1123Label').value().validate('ok-name').hasValue()"), false);
  assert.equal(run("format.named('nope').hasValue()"), false);
  assert.equal(run("format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()"), false);
  assert.deepEqual(run("format.uri().validate('no scheme').value()"), ['parse "no scheme": invalid URI for request']);
  const qn = run("format.qualifiedName().validate('a/b/c').value()") as string[];
  assert.equal(qn.length, 1);
  assert.match(qn[0], /^a qualified name must consist of alphanumeric characters.* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(run("format.labelValue().validate('-x').value()"), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  assert.deepEqual(run("format.date().validate('2024-02-30').value()"), ['invalid date']);
  assert.equal(run("format.datetime().validate('2024-02-29T23:59:59.5+01:00').hasValue()"), false);
});

test('authorizer: the documented stub says "no opinion"; a supplied decision function is used', () => {
  const stub = new AuthorizerValue({ username: 'alice', groups: ['dev'] }, stubDecide);
  const expr = "authorizer.group('apps').resource('deployments').namespace('ns').name('web').check('delete')";
  assert.equal(run(`${expr}.allowed()`, { authorizer: stub }), false);
  assert.equal(run(`${expr}.reason()`, { authorizer: stub }), NO_AUTHORIZER_REASON);
  assert.equal(run(`${expr}.errored()`, { authorizer: stub }), false);

  const seen: AuthzAttributes[] = [];
  const rbac = new AuthorizerValue({ username: 'alice', groups: ['dev'] }, (a) => {
    seen.push(a);
    return a.user.username === 'alice' && a.verb === 'delete' ? { decision: 'allow' } : { decision: 'deny', reason: 'nope' };
  });
  assert.equal(run(`${expr}.allowed()`, { authorizer: rbac }), true);
  assert.deepEqual(seen[0], {
    verb: 'delete', resourceRequest: true, path: '', group: 'apps', resource: 'deployments', subresource: '', namespace: 'ns', name: 'web',
    fieldSelector: '', labelSelector: '', user: { username: 'alice', groups: ['dev'] },
  });
  assert.equal(run("authorizer.serviceAccount('kube-system', 'sa').path('/healthz').check('GET').reason()", { authorizer: rbac }), 'nope');
  assert.equal(seen[1].user.username, 'system:serviceaccount:kube-system:sa');
  assert.equal(seen[1].verb, 'get');
  const rr = new ResourceCheckValue(rbac, { group: '', resource: 'pods', subresource: '', namespace: 'ns', name: 'p', fieldSelector: '', labelSelector: '' });
  assert.equal(run("authorizer.requestResource.subresource('exec').check('create').allowed()", { authorizer: rbac, 'authorizer.requestResource': rr }), false);
  assert.equal(seen[2].subresource, 'exec');
  assert.equal(T.dyn.k, 'dyn');
});
