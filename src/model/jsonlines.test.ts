import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { JsonPositions } from './jsonlines.js';
import type { JsonPath } from './types.js';

function paths(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...prefix, i], out));
    out.push([...prefix, value.length]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    out.push([...prefix, 'missing', 0]);
  }
  return out;
}

/** Reference: jsonc-parser's full tree (member offset for keys, element offset for items). */
function reference(text: string, path: JsonPath): number {
  const tree = parseTree(text)!;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, path.slice(0, n) as (string | number)[]);
    if (!node) continue;
    return node.parent?.type === 'property' ? node.parent.offset : node.offset;
  }
  return tree.offset;
}

test('offsets agree with a full JSON tree on every path (property)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.oneof(fc.object({ maxDepth: 2 }), fc.constant({}), fc.integer()), { maxLength: 6 })), fc.constantFrom(0, 2, 4), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      const pos = new JsonPositions(text);
      const informed = new JsonPositions(text, value);
      for (const p of paths(value)) {
        assert.equal(informed.offsetOf(p), reference(text, p), `path ${JSON.stringify(p)} in ${text} (with the parsed value)`);
        // JSON objects with duplicate keys cannot come out of stringify; first occurrence wins anyway.
        assert.equal(pos.offsetOf(p), reference(text, p), `path ${JSON.stringify(p)} in ${text}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('lines in a kubectl-style List, looked up out of order', () => {
  const items = Array.from({ length: 50 }, (_, i) => ({ kind: 'Pod', metadata: { name: `p${i}`, annotations: { 'a"b\\': '}]"' } }, spec: { hostPID: i % 7 === 0 } }));
  const text = JSON.stringify({ apiVersion: 'v1', items, kind: 'List' }, null, 4);
  const lines = text.split('\n');
  const pos = new JsonPositions(text);
  for (const i of [49, 0, 21, 7, 48]) {
    const line = pos.lineOf(['items', i, 'spec', 'hostPID']);
    assert.match(lines[line - 1], /"hostPID": (true|false)/);
    assert.equal(lines[pos.lineOf(['items', i, 'metadata', 'name']) - 1].trim(), `"name": "p${i}",`);
  }
  assert.equal(pos.lineOf(['items', 3, 'spec', 'nothing', 'here']), pos.lineOf(['items', 3, 'spec']));
});

test('splitPrettyJsonList cuts kubectl-style Lists into items with their lines', async () => {
  const { splitPrettyJsonList } = await import('./jsonlines.js');
  fc.assert(
    fc.property(fc.array(fc.object({ maxDepth: 3 }), { minLength: 1, maxLength: 8 }), fc.constantFrom(2, 4), fc.boolean(), (raw, indent, kindFirst) => {
      const items = JSON.parse(JSON.stringify(raw)) as unknown[];
      const list = kindFirst ? { kind: 'PodList', apiVersion: 'v1', items, metadata: {} } : { apiVersion: 'v1', items, kind: 'List', metadata: {} };
      const text = JSON.stringify(list, null, indent);
      const cut = splitPrettyJsonList(text);
      assert.ok(cut, text);
      assert.deepEqual(cut.map((c) => JSON.parse(c.text)), items);
      const pos = new JsonPositions(text, list);
      assert.deepEqual(cut.map((c) => c.firstLine), items.map((_, i) => pos.lineOf(['items', i])));
    }),
    { numRuns: 300 },
  );
  // Not a List, compact, empty, or items that are not objects: left to the whole-text parse.
  assert.equal(splitPrettyJsonList(JSON.stringify({ kind: 'Pod', items: [{}] }, null, 2)), undefined);
  assert.equal(splitPrettyJsonList(JSON.stringify({ kind: 'List', items: [{ a: 1 }] })), undefined);
  assert.equal(splitPrettyJsonList(JSON.stringify({ kind: 'List', items: [] }, null, 2)), undefined);
  assert.equal(splitPrettyJsonList(JSON.stringify({ kind: 'List', items: [{ a: 1 }, 2] }, null, 2)), undefined);
});
