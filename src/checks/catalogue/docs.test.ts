import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueMarkdown, describeCatalogue } from './index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('docs/checks.md is generated from the check definitions (run `npm run docs` after changing a check)', () => {
  const onDisk = readFileSync(join(root, 'docs', 'checks.md'), 'utf8');
  assert.equal(onDisk, catalogueMarkdown());
});

test('every check is documented: ids unique, STRIDE, remediation, example and references', () => {
  const all = describeCatalogue();
  const ids = all.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'check ids are unique');
  for (const c of all) {
    assert.match(c.id, /^[a-z0-9]+(\/[A-Za-z0-9_-]+)+$/, c.id);
    assert.ok(c.stride.length > 0, `${c.id}: STRIDE`);
    assert.ok(c.description.length > 20, `${c.id}: description`);
    assert.ok(c.remediation.length > 10, `${c.id}: remediation`);
    assert.ok(c.example.trim().length > 0, `${c.id}: example`);
    assert.ok(c.references.length > 0, `${c.id}: references`);
  }
});
