import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LabelledItems, LabelSelectors, requiredLabel } from './selector-index.js';
import { isEmptySelector, labelsOf, selectorMatches, type Labels } from './selector.js';
import { isObj } from './podspec.js';

// Few keys and values, so that selectors and labels meet often.
const key = fc.constantFrom('app', 'tier', 'team', '__proto__', 'x/y');
const value = fc.oneof(fc.constantFrom('web', 'db', '', '1'), fc.constant(1), fc.constant(true), fc.constant(null));
const labels = fc.dictionary(key, fc.constantFrom('web', 'db', '', '1'), { maxKeys: 3 }).map((l) => labelsOf(l));
const expression = fc.record({
  key,
  operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'),
  values: fc.array(fc.constantFrom('web', 'db', '1'), { maxLength: 2 }),
});
/** Selectors as manifests hold them, strange ones included. */
const selector = fc.oneof(
  fc.record({ matchLabels: fc.dictionary(key, value, { maxKeys: 2 }), matchExpressions: fc.array(expression, { maxLength: 2 }) }, { requiredKeys: [] }),
  fc.constantFrom(null, undefined, {}, 'app=web', { matchLabels: 'app' }, { matchLabels: { app: 'web' }, matchExpressions: 'bad' }),
);

test('requiredLabel: every object a selector selects carries the label it names', () => {
  fc.assert(fc.property(selector, labels, (sel, l) => {
    const need = requiredLabel(sel);
    if (need && selectorMatches(sel, l)) assert.equal(l[need[0]], need[1]);
  }), { numRuns: 2000 });
  assert.deepEqual(requiredLabel({ matchLabels: { app: 'web', tier: 'db' } }), ['app', 'web']);
  assert.deepEqual(requiredLabel({ matchLabels: { port: 8080 } }), ['port', '8080']);
  assert.equal(requiredLabel({ matchLabels: { app: null } }), undefined);
  assert.equal(requiredLabel({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }), undefined);
  assert.equal(requiredLabel({}), undefined);
});

test('LabelledItems.someSelected answers as testing every item with selectorMatches', () => {
  fc.assert(fc.property(fc.array(labels, { maxLength: 30 }), fc.array(selector, { maxLength: 40 }), (items, selectors) => {
    const index = new LabelledItems(items, (l) => l);
    for (const sel of selectors) assert.equal(index.someSelected(sel), items.some((l) => selectorMatches(sel, l)), JSON.stringify(sel));
  }), { numRuns: 1000 });
});

/** A PodDisruptionBudget's selector in policy/v1: `{}` selects every pod, anything but an object none. */
const pdbSelects = (sel: unknown, l: Labels) => isObj(sel) && (isEmptySelector(sel) || selectorMatches(sel, l));

test('LabelledItems.allSelected answers as filtering every item, in item order', () => {
  fc.assert(fc.property(fc.array(labels, { maxLength: 30 }), fc.array(selector, { maxLength: 20 }), (items, selectors) => {
    const index = new LabelledItems(items, (l) => l);
    for (const sel of selectors) {
      assert.deepEqual(index.allSelected(sel), items.filter((l) => selectorMatches(sel, l)), JSON.stringify(sel));
      assert.deepEqual(index.allSelected(sel, (l) => pdbSelects(sel, l)), items.filter((l) => pdbSelects(sel, l)), JSON.stringify(sel));
    }
  }), { numRuns: 1000 });
});

test('a large namespace: only the workloads with the required label are tested', () => {
  const workloads = Array.from({ length: 1000 }, (_, i) => ({ labels: labelsOf({ app: `app-${i}` }) }));
  let tested = 0;
  const index = new LabelledItems(workloads, (w) => { tested++; return w.labels; });
  // The first questions scan the items; later ones go through the index.
  for (let i = 0; i < 16; i++) assert.equal(index.someSelected({ matchLabels: { app: `app-${i}` } }), true);
  assert.equal(index.someSelected({ matchLabels: { app: 'app-999' } }), true);
  const afterIndexing = tested;
  assert.equal(index.someSelected({ matchLabels: { app: 'app-500' } }), true);
  assert.equal(index.someSelected({ matchLabels: { app: 'nope' } }), false);
  assert.equal(tested - afterIndexing, 1, 'one candidate tested, none for a value nobody has');
  assert.equal(index.someSelected({ matchExpressions: [{ key: 'app', operator: 'In', values: ['app-7'] }] }), true);
});

test('LabelSelectors.someSelects answers as testing every selector', () => {
  // A NetworkPolicy's podSelector: null or absent selects every pod.
  const policySelects = (sel: unknown, l: Labels) => sel === null || sel === undefined || selectorMatches(sel, l);
  for (const selects of [selectorMatches, policySelects, pdbSelects]) {
    fc.assert(fc.property(fc.array(selector, { maxLength: 30 }), fc.array(labels, { maxLength: 30 }), (selectors, items) => {
      const index = new LabelSelectors(selectors, (s) => s, selects);
      for (const l of items) assert.equal(index.someSelects(l), selectors.some((s) => selects(s, l)), JSON.stringify(l));
    }), { numRuns: 1000 });
  }
});

test('a namespace with many policies: a workload is tested only against the policies that could select it', () => {
  const policies = Array.from({ length: 100 }, (_, i) => ({ sel: { matchLabels: { app: `app-${i}`, tier: 'web' } } }));
  policies.push({ sel: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } as never });
  let tested = 0;
  const index = new LabelSelectors(policies, (p) => { tested++; return p.sel; });
  tested = 0;
  assert.equal(index.someSelects(labelsOf({ app: 'app-42', tier: 'web' })), true);
  assert.equal(tested, 2, 'the expression-only policy, then app-42');
  tested = 0;
  assert.equal(index.someSelects(labelsOf({ app: 'app-42', tier: 'db' })), false);
  assert.equal(index.someSelects(labelsOf({ app: 'nope' })), false);
  assert.equal(index.someSelects(labelsOf({ team: 'a' })), true);
  assert.equal(tested, 4, 'per question the expression-only policy, and app-42 for the first (its tier differs)');
});
