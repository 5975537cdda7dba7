import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, escapePointerToken, JsonPatchError, parsePointer, toPointer, type JsonPatchOp } from './jsonpatch.js';

test('pointers escape ~ and / (RFC 6901) and parse back', () => {
  assert.equal(escapePointerToken('a/b~c'), 'a~1b~0c');
  assert.equal(escapePointerToken('~1'), '~01');
  assert.equal(toPointer(['metadata', 'annotations', 'example.com/x~y', 0]), '/metadata/annotations/example.com~1x~0y/0');
  assert.equal(toPointer([]), '');
  assert.deepEqual(parsePointer('/metadata/annotations/example.com~1x~0y/0'), ['metadata', 'annotations', 'example.com/x~y', '0']);
  assert.deepEqual(parsePointer('/~01'), ['~1']);
  assert.deepEqual(parsePointer(''), []);
  assert.deepEqual(parsePointer('/'), ['']);
  assert.equal(parsePointer('spec'), undefined);
  assert.equal(parsePointer('/a~2b'), undefined);
  assert.equal(parsePointer('/a~'), undefined);
});

test('add and replace on objects, arrays and the root; the input is left alone', () => {
  const input = { spec: { list: [1, 2], obj: { a: 1 } } };
  const before = structuredClone(input);
  const value = { nested: true };
  const ops: JsonPatchOp[] = [
    { op: 'add', path: '/spec/obj/b', value },
    { op: 'add', path: '/spec/obj/a', value: 9 }, // add on an existing member replaces it
    { op: 'replace', path: '/spec/list/0', value: 'zero' },
    { op: 'add', path: '/spec/list/1', value: 'inserted' },
    { op: 'add', path: '/spec/list/-', value: 'last' },
    { op: 'add', path: '/spec/list/4', value: 'end' }, // index == length appends
    { op: 'add', path: '/spec/a~1b', value: 'slash' },
  ];
  const out = applyJsonPatch(input, ops) as { spec: { obj: { b: unknown } } };
  assert.deepEqual(out, { spec: { list: ['zero', 'inserted', 2, 'last', 'end'], obj: { a: 9, b: { nested: true } }, 'a/b': 'slash' } });
  assert.deepEqual(input, before);
  assert.notEqual(out.spec.obj.b, value, 'values are copied into the result');
  assert.deepEqual(applyJsonPatch(input, [{ op: 'replace', path: '', value: [1] }]), [1]);
  assert.deepEqual(applyJsonPatch({ a: null }, [{ op: 'replace', path: '/a', value: {} }]), { a: {} });
});

test('operations that do not apply throw JsonPatchError naming the operation', () => {
  const doc = { spec: { list: [1], s: 'text' } };
  const bad: [JsonPatchOp, RegExp][] = [
    [{ op: 'add', path: '/spec/missing/field', value: 1 }, /operation 0: \/spec\/missing does not exist/],
    [{ op: 'replace', path: '/spec/absent', value: 1 }, /\/spec\/absent does not exist/],
    [{ op: 'add', path: '/spec/list/2', value: 1 }, /out of range/],
    [{ op: 'add', path: '/spec/list/01', value: 1 }, /out of range/],
    [{ op: 'replace', path: '/spec/list/-', value: 1 }, /does not exist/],
    [{ op: 'add', path: '/spec/s/x', value: 1 }, /\/spec\/s is not an object or array/],
    [{ op: 'add', path: '/spec/list/5/x', value: 1 }, /\/spec\/list\/5 does not exist/],
    [{ op: 'add', path: 'spec', value: 1 }, /invalid JSON pointer/],
    [{ op: 'remove', path: '/spec' } as unknown as JsonPatchOp, /unsupported op "remove"/],
    [{ op: 'add', path: '/spec/x' } as unknown as JsonPatchOp, /no value/],
  ];
  for (const [op, message] of bad) {
    assert.throws(() => applyJsonPatch(doc, [op]), (e: unknown) => e instanceof JsonPatchError && message.test(e.message), JSON.stringify(op));
  }
  assert.deepEqual(doc, { spec: { list: [1], s: 'text' } }, 'a failed patch leaves the input alone');
});

test('a member named __proto__ is data, not a prototype', () => {
  const input = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
  const out = applyJsonPatch(input, [{ op: 'add', path: '/__proto__/polluted', value: true }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const added = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { y: 2 } }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(added), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(added, '__proto__'));
});
