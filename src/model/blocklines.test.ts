import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { stringify } from 'yaml';
import { YamlLocator } from './locate.js';
import { splitYamlDocuments } from './split.js';
import { findBlockLine } from './blocklines.js';
import type { JsonPath } from './types.js';

/** Every path in a value, plus a missing child under each mapping. */
function paths(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    out.push([...prefix, 'no-such-key', 'deeper']);
  }
  return out;
}

/** The fast line finder must agree with the full `yaml` parse wherever it answers. */
function agree(text: string): number {
  let answered = 0;
  for (const chunk of splitYamlDocuments(text)) {
    let value: unknown;
    try {
      value = jsYaml.load(chunk.text);
    } catch {
      continue; // a generator's output that does not round-trip is not our concern
    }
    // One locator for every path too: answers from its cache must match fresh walks.
    const shared = new YamlLocator(chunk.text, chunk.startLine);
    const all = paths(value);
    for (let i = 0; i < all.length; i++) {
      const p = all[(i * 7919) % all.length] ?? all[i];
      assert.equal(shared.lineOf(p), new YamlLocator(chunk.text, chunk.startLine).slowLineOf(p), `shared locator, path ${JSON.stringify(p)} in:\n${chunk.text}`);
    }
    for (const p of all) {
      const fast = new YamlLocator(chunk.text, chunk.startLine);
      const slow = new YamlLocator(chunk.text, chunk.startLine);
      const got = fast.lineOf(p);
      const want = slow.slowLineOf(p);
      assert.equal(got, want, `path ${JSON.stringify(p)} in:\n${chunk.text}`);
      if (findBlockLine(chunk.text.split('\n'), p) !== undefined) answered++;
    }
  }
  return answered;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function manifests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) manifests(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

test('fast line finder agrees with the yaml library on every path of the examples', () => {
  let answered = 0;
  for (const file of manifests(join(root, 'examples'))) answered += agree(readFileSync(file, 'utf8'));
  assert.ok(answered > 500, `the fast path answered ${answered} lookups`);
});

test('fast line finder: tricky but common shapes', () => {
  agree(`apiVersion: v1
kind: Pod
metadata:
  name: "quoted: name"
  annotations:
    'single ''quoted'' key': v
    "double\\"key": v
    url: http://example.com:8080/x   # comment with key: value
    empty:
  labels: {app: web, tier: "a,b"}
spec:
  containers:
  - name: a
    args: [--flag, "x]y"]
    command:
    - sh
    - -c
    - |
      echo "- not: a key"
      exit 0
    env:
      - name: X
        value: >
          folded
          text
  -   name: b
      image: c

  # a comment between keys
  volumes:
  -
    name: v
    emptyDir: {}
  - - nested
    - seq
`);
});

test('fast line finder gives up (and the fallback answers) on anchors, tags and multi-line flow', () => {
  assert.equal(findBlockLine(['a: &x {b: 1}', 'c: *x'], ['a', 'b']), undefined);
  assert.equal(findBlockLine(['a: !!str x'], ['a', 'b']), undefined);
  assert.equal(findBlockLine(['a: {b: 1,', '  c: 2}'], ['a', 'c']), undefined);
  assert.equal(findBlockLine(['a:', '\tb: 1'], ['a', 'b']), undefined);
  agree('a: &x {b: 1}\nc: *x\n');
  agree('a: {b: 1,\n  c: 2}\nd: [1,\n  2]\n');
});

test('property: agreement on generated documents in block and flow styles', () => {
  const key = fc.oneof(fc.constantFrom('name', 'image', 'app.kubernetes.io/name', 'a b', 'x:y', '- dash', "it's", 'k#1', '#hash', 'on'), fc.string({ minLength: 1, maxLength: 6 }));
  const scalar = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('a: b', '- x', '# c', 'multi\nline', ' lead'));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('seq')),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    seq: fc.array(tie('node'), { maxLength: 3 }),
  })).map;
  fc.assert(
    fc.property(value, fc.boolean(), fc.integer({ min: 1, max: 3 }), (v, indentSeq, flowLevel) => {
      agree(stringify(v, { indentSeq }));
      agree(stringify(v, { indentSeq, collectionStyle: 'any', flowCollectionPadding: false }).replace(/^/, ''));
      agree(jsYaml.dump(v, { flowLevel }));
      agree(jsYaml.dump(v));
    }),
    { numRuns: 1000 },
  );
});

test('lookups that alternate between documents (which share one line table) answer as lookups on one document do', () => {
  const a = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    metadata:\n      labels:\n        app: a\n    spec:\n      containers:\n      - name: one\n        image: x\n      - name: two\n        securityContext:\n          privileged: true\n';
  const b = '# a comment\nkind: Pod\nmetadata:\n  name: b\n  annotations:\n    k: v\nspec:\n\n  serviceAccountName: sa\n  containers:\n  - name: only\n    ports:\n    - containerPort: 80\n      hostPort: 80\n';
  const docs = [a, b].map((text) => ({ text, value: jsYaml.load(text), locator: new YamlLocator(text, 1) }));
  const all = docs.map((d) => paths(d.value));
  const longest = Math.max(...all.map((p) => p.length));
  let compared = 0;
  for (let i = 0; i < longest; i++) {
    for (let d = 0; d < docs.length; d++) {
      // From the end for the second document, so that each lookup lands elsewhere in its text.
      const p = d === 0 ? all[d][i] : all[d][all[d].length - 1 - i];
      if (p === undefined) continue;
      assert.equal(docs[d].locator.lineOf(p), new YamlLocator(docs[d].text, 1).lineOf(p), `document ${d}, path ${JSON.stringify(p)}`);
      assert.equal(docs[d].locator.lineOf(p), new YamlLocator(docs[d].text, 1).slowLineOf(p), `document ${d}, path ${JSON.stringify(p)} (yaml library)`);
      compared++;
    }
  }
  assert.ok(compared > 40);
});
