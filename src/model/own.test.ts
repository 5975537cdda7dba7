import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ownString, ownStrings } from './own.js';

test('ownString: the same text, short or long, sliced or concatenated', () => {
  const doc = `metadata:\n  name: ${'x'.repeat(40)}\n`;
  const slice = doc.slice(18, 58);
  assert.equal(ownString(slice), slice);
  assert.equal(ownString('short'), 'short');
  assert.equal(ownString(''), '');
  assert.equal(ownString(`${slice}-${slice}`), `${slice}-${slice}`);
});

test('ownStrings: plain data is rebuilt equal; class instances are kept as they are', () => {
  const line = new URL('https://example.com/');
  const fact = { t: 'w', ns: 'team-with-a-long-name', labels: { 'app.kubernetes.io/name': 'payments-api-worker' }, path: ['spec', 'template', 0], line, n: 3, none: null };
  const owned = ownStrings(fact);
  assert.deepEqual(owned, fact);
  assert.notEqual(owned, fact);
  assert.notEqual(owned.labels, fact.labels);
  assert.equal(owned.line, line);
  // Shared parts stay shared (and cycles end).
  const labels = { app: 'web' };
  const pair = ownStrings({ a: labels, b: labels });
  assert.equal(pair.a, pair.b);
  assert.notEqual(pair.a, labels);
  const proto = JSON.parse('{"__proto__": "kept as a key"}') as Record<string, unknown>;
  const ownedProto = ownStrings(proto);
  assert.deepEqual(Object.keys(ownedProto), ['__proto__']);
  assert.equal(Object.getPrototypeOf(ownedProto), Object.prototype);
});

test('property: ownStrings of any JSON value is deep-equal to it', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    assert.deepEqual(ownStrings(v), v);
  }));
});
