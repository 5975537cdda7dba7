import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeferredLine, parseYamlText } from '../../model/index.js';
import { CatalogueRunner, defaultParams, numberSubjects, type FactRecord } from './index.js';
import { deployment, manifest } from './testkit.js';

const CHECK = 'networkpolicy/pod-not-selected';

/** A policy in another namespace: the check runs, and every workload of `shop` is reported. */
const POLICY = manifest('networking.k8s.io/v1', 'NetworkPolicy', 'deny', 'other', 'spec:\n  podSelector: {}');

/** Facts and findings of one runner over `yaml`. */
function run(yaml: string, deferFactLinesChars: number) {
  const runner = new CatalogueRunner([CHECK], defaultParams(), { deferFactLinesChars });
  const facts: FactRecord[] = [];
  for (const r of parseYamlText(yaml, 'x.yaml').resources) facts.push(...runner.run(r, () => []).facts);
  numberSubjects(facts);
  const findings = runner.evaluate(facts).map(({ finding }) => [finding.resource.name, finding.path, finding.line]);
  return { facts, findings };
}

test('fact lines are deferred while the budget of input characters lasts, then looked up at once; the findings are the same', () => {
  const yaml = [deployment('a', { namespace: 'shop' }), deployment('b', { namespace: 'shop' }), deployment('c', { namespace: 'shop' }), POLICY].join('\n---\n');
  const eager = run(yaml, 0);
  assert.ok(eager.facts.every((f) => typeof (f.fact as { line: unknown }).line === 'number'));
  assert.equal(eager.findings.length, 3);
  // A budget smaller than one document: the first resource is deferred, the rest are not.
  const budget = run(yaml, 10);
  assert.deepEqual(budget.facts.map((f) => (f.fact as { line: unknown }).line instanceof DeferredLine), [true, false, false, false]);
  assert.deepEqual(budget.findings, eager.findings);
  const all = run(yaml, 1 << 20);
  assert.deepEqual(all.facts.map((f) => (f.fact as { line: unknown }).line instanceof DeferredLine), [true, true, true, false]);
  assert.deepEqual(all.findings, eager.findings);
  // The lines are real: each names the labels line of its own document.
  const lines = yaml.split('\n');
  for (const [name, path, line] of all.findings) {
    assert.equal(path, 'spec.template.metadata.labels');
    assert.match(lines[(line as number) - 1], /^\s+labels:/, `line of ${name}`);
  }
});

test('deferred fact lines of Helm-rendered output count from the template, like every other line', () => {
  const yaml = `---\n# Source: shop/templates/web.yaml\n${deployment('web', { namespace: 'shop' })}\n---\n${POLICY}`;
  const eager = run(yaml, 0);
  assert.deepEqual(run(yaml, 1 << 20).findings, eager.findings);
  const template = deployment('web', { namespace: 'shop' }).split('\n');
  assert.match(template[(eager.findings[0][2] as number) - 1], /^\s+labels:/);
});
