// The fast line finder agrees with a full positional parse on every path of every
// upstream YAML fixture (../shared/data/pss).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { dataSet, report } from '../conformance/data.js';
import { YamlLocator } from './locate.js';
import { splitYamlDocuments } from './split.js';
import type { JsonPath } from './types.js';

const dir = dataSet('pss');

function files(d: string, out: string[] = []): string[] {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) files(p, out);
    else if (n.endsWith('.yaml')) out.push(p);
  }
  return out;
}

function paths(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
    out.push([...prefix, 'securityContext', 'missing']);
  }
  return out;
}

test('line positions: fast finder = full parse on every path of the PSS fixtures', { skip: dir === undefined }, () => {
  const seen = new Set<string>();
  let passed = 0;
  const failures: string[] = [];
  for (const file of files(join(dir!, 'testdata'))) {
    const text = readFileSync(file, 'utf8');
    if (seen.has(text)) continue;
    seen.add(text);
    for (const chunk of splitYamlDocuments(text)) {
      for (const p of paths(jsYaml.load(chunk.text))) {
        const fast = new YamlLocator(chunk.text, chunk.startLine).lineOf(p);
        const slow = new YamlLocator(chunk.text, chunk.startLine).slowLineOf(p);
        if (fast === slow) passed++;
        else failures.push(`${file} ${JSON.stringify(p)}: ${fast} != ${slow}`);
      }
    }
  }
  report('line positions (pss fixtures)', passed, failures.length);
  assert.deepEqual(failures.slice(0, 10), []);
});
