import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAuditEvent, jsonPath, jsonText, pathTextReader } from './json-walk.js';

// Keys that make JSON walks go wrong: inherited members, __proto__, array indexes, length.
const KEYS = ['a', 'b', 'auditID', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '0', '1', '-1', 'length', ''];

/** JSON text over those keys (written as text, so `__proto__` becomes an own member when parsed). */
const jsonText_ = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', '0', '7', '"x"', '""', '"7"'),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
    fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 5, selector: ([k]) => k }).map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** A path that mostly follows members the value has (else any key), so most paths reach somewhere. */
function pathInto(value: unknown, picks: Array<[number, string]>): string[] {
  const keys: string[] = [];
  let v = value;
  for (const [x, other] of picks) {
    const own = v !== null && typeof v === 'object' ? Object.keys(v) : [];
    const key = own.length > 0 && x < 0.8 ? own[Math.floor(x * 1000) % own.length]! : other;
    keys.push(key);
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return keys;
}

test('a compiled path reader is jsonText(jsonPath(...)), with and without the audit-event test', () => {
  let reached = 0;
  fc.assert(
    fc.property(jsonText_, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...KEYS)), { minLength: 1, maxLength: 4 }), fc.boolean(), (text, picks, audit) => {
      const value: unknown = JSON.parse(text);
      const keys = pathInto(value, picks);
      const read = pathTextReader(keys, audit);
      if (jsonPath(value, keys) !== undefined) reached++;
      const v = audit && !isAuditEvent(value) ? undefined : jsonPath(value, keys);
      const want = v === undefined ? undefined : jsonText(v);
      // Twice: the second call runs with the feedback of the first.
      assert.equal(read(value), want, `${text} ${JSON.stringify(keys)}`);
      assert.equal(read(value), want, `${text} ${JSON.stringify(keys)}`);
    }),
    { numRuns: 5000 },
  );
  assert.ok(reached > 1000, `only ${reached} paths reached a value`);
  const read = pathTextReader(['objectRef', 'resource'], true);
  assert.equal(read({ auditID: 'x', objectRef: { resource: 'pods' } }), 'pods');
  assert.equal(read({ objectRef: { resource: 'pods' } }), undefined);
  assert.equal(read({ auditID: 'x', objectRef: { resource: { a: [1, null] } } }), '{"a":[1,null]}');
  assert.equal(read({ auditID: 'x', objectRef: [{ resource: 'pods' }] }), undefined);
  assert.equal(read({ auditID: 'x', objectRef: { resource: null } }), 'null');
  assert.equal(read(null), undefined);
  assert.equal(pathTextReader(['a', '0'], false)({ a: ['first'] }), 'first');
});
