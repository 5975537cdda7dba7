// The runner's fact records: a workload's shared PodFact travels as one record naming every
// check that keeps it; other facts as one record per check; evaluate() hands each check its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlText } from '../../model/index.js';
import { defaultParams } from './params.js';
import { addFactRow, CatalogueRunner, MASK_CHECKS, type FactRows } from './run.js';
import { CATALOGUE } from './registry.js';
import { deployment, manifest, namedBrief, runOne } from './testkit.js';

const IDS = [
  'serviceaccount/automount-token', 'serviceaccount/default-service-account',
  'networkpolicy/pod-not-selected', 'networkpolicy/no-default-deny', 'networkpolicy/selects-nothing',
  'runtimeclass/unknown-runtime-class',
];

test('a workload keeps one fact record for all the checks of its PodFact; evaluate gives each check its facts', () => {
  const text = [
    manifest('v1', 'ServiceAccount', 'web', 'shop', 'automountServiceAccountToken: false'),
    deployment('web', { namespace: 'shop', podSpec: '      serviceAccountName: web\n      runtimeClassName: gvisor\n' }),
    deployment('api', { namespace: 'shop' }),
    deployment('db', { namespace: 'shop' }),
    manifest('networking.k8s.io/v1', 'NetworkPolicy', 'web-only', 'shop', 'spec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]'),
    manifest('node.k8s.io/v1', 'RuntimeClass', 'runc', undefined, 'handler: runc'),
  ].join('\n---\n');
  const { resources, errors } = parseYamlText(text, 'x.yaml');
  assert.deepEqual(errors, []);
  const runner = new CatalogueRunner(IDS, defaultParams());
  const runs = resources.map((r) => runOne(runner, r).facts);
  // web: automount false on the pod's ServiceAccount only, so automount-token keeps its PodFact too.
  assert.deepEqual(runs[1].map((f) => f.checks), [[
    'serviceaccount/automount-token', 'serviceaccount/default-service-account', 'networkpolicy/pod-not-selected',
    'networkpolicy/selects-nothing', 'runtimeclass/unknown-runtime-class',
  ]]);
  // Without a runtimeClassName the runtime class check keeps nothing; records with the same checks share one list.
  assert.deepEqual(runs[2][0].checks, runs[1][0].checks.slice(0, 4));
  assert.equal(runs[2][0].checks, runs[3][0].checks);
  assert.deepEqual(runs[0].map((f) => f.checks), [['serviceaccount/automount-token'], ['serviceaccount/default-service-account']]);
  const facts: FactRows = [];
  for (const f of runs.flat()) addFactRow(facts, f.checks, f.subject, f.fact, f.ignores);
  const warnings: string[] = [];
  const found = runner.evaluate(facts, warnings).map((x) => namedBrief(x.finding));
  assert.deepEqual(warnings, []);
  assert.deepEqual(found.map((f) => [f.check, f.name]), [
    ['serviceaccount/automount-token', 'api'],
    ['serviceaccount/automount-token', 'db'],
    ['serviceaccount/default-service-account', 'api'],
    ['serviceaccount/default-service-account', 'db'],
    ['networkpolicy/pod-not-selected', 'api'],
    ['networkpolicy/pod-not-selected', 'db'],
    ['runtimeclass/unknown-runtime-class', 'web'],
  ]);
});

test('facts copy what they take from the document only where the runner asks for copies (copyStrings)', () => {
  const text = [
    manifest('networking.k8s.io/v1', 'NetworkPolicy', 'web-only', 'shop', 'spec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]'),
    deployment('web', { namespace: 'shop' }),
  ].join('\n---\n');
  const factsWith = (copyStrings: boolean) => {
    const { resources } = parseYamlText(text, 'x.yaml');
    const runner = new CatalogueRunner(['networkpolicy/pod-not-selected'], defaultParams());
    runner.copyStrings = copyStrings;
    const [policy, web] = resources.map((r) => runOne(runner, r).facts[0].fact as { sel?: { matchLabels: unknown }; labels?: unknown });
    const podSelector = (resources[0].object.spec as { podSelector: { matchLabels: unknown } }).podSelector;
    return { policy, web, podSelector };
  };
  const copied = factsWith(true);
  const viewed = factsWith(false);
  // The same facts either way; only whether their parts are the document's own objects differs.
  assert.deepEqual(copied.policy, viewed.policy);
  assert.deepEqual(copied.web, viewed.web);
  assert.deepEqual(viewed.web.labels, { app: 'web' });
  assert.notEqual(copied.policy.sel!.matchLabels, copied.podSelector.matchLabels);
  assert.equal(viewed.policy.sel!.matchLabels, viewed.podSelector.matchLabels);
});

test('the catalogue has no more cross-resource checks than a fact mask can name', () => {
  const inventory = CATALOGUE.filter((c) => c.scope === 'inventory');
  assert.ok(inventory.length > 0 && inventory.length <= MASK_CHECKS, `${inventory.length} cross-resource checks`);
  // Every one of them active at once: the runner takes them.
  assert.equal(new CatalogueRunner(inventory.map((c) => c.id), defaultParams()).inventoryChecks.length, inventory.length);
});
