import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPath, inApiGroup, inApiGroups, imageMatches, isEmptySelector, memoizeLast, parseImage, parseQuantity, selectorMatches } from './index.js';

test('quantities: decimal and binary suffixes, exponents, numbers, junk', () => {
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity(2), 2);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('128Mi'), 128 * 2 ** 20);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('1.5k'), 1500);
  assert.equal(parseQuantity('lots'), undefined);
  assert.equal(parseQuantity(null), undefined);
  // Zero with a huge exponent is zero, not NaN (0 × Infinity); a huge non-zero one is Infinity.
  assert.equal(parseQuantity('0e999'), 0);
  assert.equal(parseQuantity('1e999'), Infinity);
});

test('quantities: the fast path for whole numbers with a suffix agrees with the full parser', () => {
  // A leading blank is trimmed by the full parser but sends the text past the fast path.
  const suffix = fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'i', 'Xi', 'mi', 'KiB', 'e3', '.5',
    // Characters past ASCII, and ones whose code lands on a suffix's once truncated to a byte.
    '\u00b5', '\u00b5i', '\u016d', '\u014b', '\u014bi', '\u0000', ' ');
  fc.assert(fc.property(fc.stringMatching(/^[0-9]{1,20}$/), suffix, (digits, unit) => {
    const text = digits + unit;
    assert.equal(parseQuantity(text), parseQuantity(` ${text}`), text);
  }), { numRuns: 2000 });
});

test('image references: registries, ports, tags, digests and Docker Hub defaults', () => {
  assert.deepEqual(parseImage('nginx'), { registry: 'docker.io', repository: 'library/nginx', tag: undefined, digest: undefined, name: 'docker.io/library/nginx' });
  assert.equal(parseImage('nginx:1.25')!.tag, '1.25');
  const p = parseImage('registry.example.com:5000/team/app:v2@sha256:abc')!;
  assert.deepEqual([p.registry, p.repository, p.tag, p.digest], ['registry.example.com:5000', 'team/app', 'v2', 'sha256:abc']);
  assert.equal(parseImage('localhost:5000/app')!.tag, undefined);
  assert.equal(parseImage('ghcr.io/org/app@sha256:0f')!.tag, undefined);
  assert.equal(parseImage('bitnami/redis:7')!.name, 'docker.io/bitnami/redis');
  assert.ok(imageMatches(parseImage('registry.example.com/team/app:1')!, 'registry.example.com'));
  assert.ok(imageMatches(parseImage('registry.example.com/team/app:1')!, 'registry.example.com/team'));
  assert.ok(!imageMatches(parseImage('registry.example.com/teamx/app:1')!, 'registry.example.com/team'));
  assert.ok(imageMatches(parseImage('nginx')!, 'docker.io'));
  assert.ok(imageMatches(parseImage('nginx:1')!, 'nginx'));
});

test('label selectors: matchLabels AND matchExpressions; {} selects all', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(selectorMatches({}, labels));
  assert.ok(isEmptySelector({}));
  assert.ok(selectorMatches({ matchLabels: { app: 'web' } }, labels));
  assert.ok(!selectorMatches({ matchLabels: { app: 'db' } }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels));
  assert.ok(!selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels));
  assert.ok(!selectorMatches(null, labels));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'x', operator: 'Bogus' }] }, labels));
});

test('memoizeLast computes once per run of the same argument, by identity, undefined included', () => {
  const calls: unknown[] = [];
  const f = memoizeLast((key: object | undefined) => {
    calls.push(key);
    return { of: key };
  });
  const a = {};
  const b = {};
  const first = f(undefined);
  assert.equal(f(undefined), first);
  assert.equal(f(a).of, a);
  assert.equal(f(a), f(a));
  assert.equal(f(b).of, b);
  assert.notEqual(f(a), f(b));
  assert.deepEqual(calls, [undefined, a, b, a, b]);
});

test('formatPath: the identifier test without a regular expression, and the reused pieces, format as the reference does', () => {
  const reference = (path: ReadonlyArray<string | number>): string =>
    path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) ? (i === 0 ? seg : `.${seg}`) : `[${JSON.stringify(seg)}]`)).join('');
  const segment = fc.oneof(
    fc.constantFrom('spec', 'template', 'containers', 'securityContext', 'app.kubernetes.io/name', 'a b', '', '_x', '9z', 'x-y'),
    fc.string({ maxLength: 6 }),
    fc.integer({ min: -3, max: 300 }),
    fc.constantFrom(0.5, 1e21),
  );
  fc.assert(fc.property(fc.array(segment, { maxLength: 8 }), (path) => {
    assert.equal(formatPath(path), reference(path));
  }), { numRuns: 2000, seed: 7 });
  assert.equal(formatPath(['spec', 'containers', 0, 'env', 3, 'valueFrom']), 'spec.containers[0].env[3].valueFrom');
  assert.equal(formatPath(['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/app']), 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]');
});

test('formatPath: remembered paths stay right past the bound of the tree, and a number never answers for its string', () => {
  // More distinct paths than the tree holds (8,192 nodes): it is emptied and filled again.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20_000; i++) {
      assert.equal(formatPath(['data', `key-${i}`, i % 3]), `data.key-${i}[${i % 3}]`);
    }
  }
  assert.equal(formatPath(['spec', 'ports', 0]), 'spec.ports[0]');
  assert.equal(formatPath(['spec', 'ports', '0']), 'spec.ports["0"]');
  assert.equal(formatPath(['spec', 'ports', 0]), 'spec.ports[0]');
  assert.equal(formatPath([]), '');
});

test('inApiGroup: the group of an apiVersion, compared in place', () => {
  const cases: Array<[unknown, string, boolean]> = [
    ['v1', '', true], ['apps/v1', 'apps', true], ['apps/v1', '', false], ['v1', 'apps', false],
    ['networking.k8s.io/v1', 'networking.k8s.io', true], ['networking.k8s.io/v1', 'networking', false],
    ['appsx/v1', 'apps', false], ['/v1', '', true], [undefined, '', true], [3, 'apps', false],
  ];
  for (const [apiVersion, group, want] of cases) assert.equal(inApiGroup(apiVersion, group), want, `${String(apiVersion)} in "${group}"`);
  assert.equal(inApiGroups('extensions/v1beta1', ['apps', 'extensions']), true);
  assert.equal(inApiGroups('batch/v1', ['apps', 'extensions']), false);
});
