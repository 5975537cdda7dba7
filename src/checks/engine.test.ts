import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readUnits, splitYamlDocuments, type Unit } from '../model/index.js';
import { byLocation, Engine, type UnitResult } from './engine.js';
import { factRecords, type FactRows } from './catalogue/index.js';
import { isPodFact } from './catalogue/inventory.js';
import { emptyConfig } from '../policy/index.js';

function deployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: registry.example.com/${name}:1.0
`;
}

function unitsOf(text: string): Unit[] {
  return splitYamlDocuments(text).map((chunk, doc) => ({ type: 'yaml', file: 'shop.yaml', doc, chunk }));
}

/** Findings of the default-ServiceAccount check over `text` (or units), with the PodFacts' kept locators. */
function run(text: string | Unit[], keepLinesFor: number) {
  const selection = { checks: ['serviceaccount/default-service-account'], exclude: [] };
  const engine = new Engine({ selection, config: emptyConfig(), now: 0, keepLinesFor });
  const facts: FactRows = [];
  for (const unit of typeof text === 'string' ? unitsOf(text) : text) facts.push(...engine.runUnit(unit).facts);
  const kept = factRecords(facts).map((f) => (isPodFact(f.fact) ? f.fact.later !== null && f.fact.later !== undefined : undefined));
  const findings = engine.catalogue.evaluate(facts).map(({ finding }) => [finding.resource.name, finding.path, finding.line]);
  return { kept, findings };
}

test('the main thread keeps documents for cross-resource lines within its budget, then looks lines up at once; the lines are the same', () => {
  const text = [deployment('a'), deployment('b'), deployment('c')].join('---\n');
  const expected = [
    ['a', 'spec.template.spec', 10],
    ['b', 'spec.template.spec', 24],
    ['c', 'spec.template.spec', 38],
  ];
  const eager = run(text, 0);
  assert.deepEqual(eager.kept, [false, false, false]);
  assert.deepEqual(eager.findings, expected);
  // A budget of one and a half documents: the first is kept, the budget runs out in the second.
  const partly = run(text, Math.floor(deployment('a').length * 1.5));
  assert.deepEqual(partly.kept, [true, false, false]);
  assert.deepEqual(partly.findings, expected);
  const all = run(text, 1 << 20);
  assert.deepEqual(all.kept, [true, true, true]);
  assert.deepEqual(all.findings, expected);
});

test('documents that can be read again from their file keep no text: their lines are kept for later whatever the budget', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-engine-'));
  try {
    const path = join(dir, 'shop.yaml');
    await writeFile(path, [deployment('a'), deployment('b'), deployment('c')].join('---\n'));
    const units: Unit[] = [];
    const st = statSync(path);
    for await (const u of readUnits({ kind: 'file', path, display: 'shop.yaml' }, undefined, { path, size: st.size, mtimeMs: st.mtimeMs })) units.push(u);
    const tiny = run(units, 1);
    assert.deepEqual(tiny.kept, [true, true, true]);
    assert.deepEqual(tiny.findings, run([deployment('a'), deployment('b'), deployment('c')].join('---\n'), 0).findings);
    // The budget still holds for text that cannot be read again (here: the same documents, given as text).
    assert.deepEqual(run([deployment('a'), deployment('b'), deployment('c')].join('---\n'), 1).kept, [false, false, false]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('facts copy strings out of documents on the main thread, also where it keeps their lines; not in a worker, whose facts are copied when posted', () => {
  const selection = { checks: ['serviceaccount/default-service-account'], exclude: [] };
  const main = new Engine({ selection, config: emptyConfig(), now: 0, keepLinesFor: 1 << 20 });
  assert.equal(main.catalogue.keepLines, true);
  assert.equal(main.catalogue.copyStrings, true);
  const worker = new Engine({ selection, config: emptyConfig(), now: 0, keepLinesFor: 0, postsResults: true });
  assert.equal(worker.catalogue.copyStrings, false);
});

test('runUnits: batches of units parsed, then checked, give what runUnit gives unit by unit, in order (errors and empty documents too)', () => {
  const docs: string[] = [];
  for (let i = 0; i < 75; i++) {
    if (i % 17 === 5) docs.push('kind: [unclosed\n');
    else if (i % 23 === 7) docs.push('# only a comment\n');
    else docs.push(deployment(`web-${i}`).replace('1.0', i % 2 === 0 ? 'latest' : '1.0'));
  }
  const units: Unit[] = [...unitsOf(`---\n${docs.join('---\n')}`), { type: 'error', file: 'gone.yaml', line: 0, message: 'cannot read gone.yaml' }];
  const opts = () => ({ pss: { level: 'restricted' as const, minor: 30 }, selection: { checks: ['image/latest-tag', 'serviceaccount/default-service-account'], exclude: [] }, config: emptyConfig(), now: 0 });
  const oneByOne = units.map((u) => new Engine(opts()).runUnit(u));
  const batched = new Engine(opts()).runUnits(units);
  const shape = (r: UnitResult) => ({
    resources: r.resources,
    errors: r.errors,
    findings: r.findings.map((f) => [f.check, f.resource.name, f.path, f.line]),
    facts: factRecords(r.facts).map((f) => [f.checks, f.subject.name]),
    warnings: r.warnings,
  });
  // One result for the run: the units' results one after the other.
  const concatenated = oneByOne.reduce((a, r) => ({
    resources: a.resources + r.resources,
    errors: [...a.errors, ...r.errors],
    findings: [...a.findings, ...r.findings],
    facts: [...a.facts, ...r.facts],
    warnings: [...a.warnings, ...r.warnings],
  }));
  assert.deepEqual(shape(batched), shape(concatenated));
  // What the comparison covers: findings on many units, parse errors, the unreadable file.
  assert.ok(new Set(batched.findings.filter((f) => f.check === 'image/latest-tag').map((f) => f.resource.name)).size >= 30);
  assert.equal(batched.errors.length, 6);
  assert.deepEqual(batched.errors.at(-1), { file: 'gone.yaml', line: 0, message: 'cannot read gone.yaml' });
  assert.equal(batched.resources, 75 - 5 - 3);
});

test('runUnits: each unit\'s findings come sorted by resource, line and check; units stay in input order', () => {
  // Two units, each with findings from PSS (at the container) and from the catalogue, one of
  // those above them (the default namespace, at metadata.namespace) and one below (the image's tag).
  const inDefault = (name: string) => deployment(name).replace('1.0', 'latest').replace('namespace: shop', 'namespace: default');
  const units = unitsOf(`${inDefault('b')}---\n${inDefault('a')}`);
  const pss = { level: 'restricted' as const, minor: 30 };
  const selection = { checks: ['image/latest-tag', 'namespace/default-namespace'], exclude: [] };
  const r = new Engine({ pss, selection, config: emptyConfig(), now: 0 }).runUnits(units);
  const names = r.findings.map((f) => f.resource.name);
  assert.deepEqual(names, [...names].sort().reverse(), 'unit b (first in the file) before unit a');
  for (const name of ['a', 'b']) {
    const mine = r.findings.filter((f) => f.resource.name === name);
    assert.ok(mine.length >= 3);
    assert.deepEqual(mine, [...mine].sort(byLocation));
    assert.deepEqual([mine[0].check, mine.at(-1)!.check], ['namespace/default-namespace', 'image/latest-tag']);
    assert.ok(mine.some((f) => f.check.startsWith('pss/')));
  }
});

test('with nothing to check, units are parsed and counted: resources and errors, no findings, facts or warnings', () => {
  const units: Unit[] = [...unitsOf(`${deployment('web')}---\nkind: [unclosed\n---\n${deployment('api')}`)];
  const engine = new Engine({ config: emptyConfig(), now: 0 });
  const result = engine.runUnits(units);
  assert.equal(result.resources, 2);
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0].message, /./);
  assert.deepEqual([result.findings.length, result.facts.length, result.warnings.length], [0, 0, 0]);
  assert.deepEqual(units.map((u) => engine.runUnit(u).resources), [1, 0, 1]);
});
