import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, labelText, selectorMatches, selectorProblems } from './index.js';
import { requiredLabel } from './selector-index.js';

// Validation follows apimachinery's ValidateLabelSelector (k8s.io/apimachinery/pkg/apis/meta/v1/validation).
test('selectorProblems: valid selectors have none', () => {
  assert.deepEqual(selectorProblems({}), []);
  assert.deepEqual(selectorProblems(undefined), []);
  assert.deepEqual(selectorProblems({ matchLabels: { app: 'web', 'kubernetes.io/metadata.name': 'prod', empty: '' } }), []);
  assert.deepEqual(selectorProblems({ matchExpressions: [
    { key: 'tier', operator: 'In', values: ['a', 'b'] },
    { key: 'tier', operator: 'NotIn', values: ['c'] },
    { key: 'x', operator: 'Exists' },
    { key: 'y', operator: 'DoesNotExist', values: [] },
  ] }), []);
});

test('selectorProblems: unknown operator, In without values, Exists with values, bad keys and values', () => {
  const problems = selectorProblems({
    matchLabels: { 'bad key!': 'v', app: 'no spaces allowed', n: 1 },
    matchExpressions: [
      { key: 'a', operator: 'Equals', values: ['x'] },
      { key: 'b', operator: 'In', values: [] },
      { key: 'c', operator: 'NotIn' },
      { key: 'd', operator: 'Exists', values: ['x'] },
      { operator: 'Exists' },
      'nonsense',
    ],
  });
  const at = problems.map((p) => p.path.join('.'));
  assert.deepEqual(at, [
    'matchLabels.bad key!', 'matchLabels.app', 'matchLabels.n',
    'matchExpressions.0.operator', 'matchExpressions.1.values', 'matchExpressions.2.values', 'matchExpressions.3.values',
    'matchExpressions.4.key', 'matchExpressions.5',
  ]);
  assert.match(problems[3].message, /"Equals" is not a valid operator/);
  assert.match(problems[4].message, /In needs at least one value/);
  // selectorMatches agrees: an invalid selector selects nothing.
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, { a: 'x' }), false);
});

test('selectorProblems: wrong shapes', () => {
  assert.equal(selectorProblems('app=web')[0].message, 'a label selector must be an object, not string "app=web"');
  assert.deepEqual(selectorProblems({ matchLabels: ['a'] }).map((p) => p.path), [['matchLabels']]);
  assert.deepEqual(selectorProblems({ matchExpressions: { key: 'a' } }).map((p) => p.path), [['matchExpressions']]);
});

test('labels and selectors holding mappings (even one with a toString key) are compared as JSON text, never crash', () => {
  const odd = { toString: '' };
  assert.equal(labelText(odd), '{"toString":""}');
  assert.equal(labelText(['a', 1]), '["a",1]');
  assert.deepEqual([labelText(3), labelText(true), labelText('web')], ['3', 'true', 'web']);
  const labels = labelsOf({ app: odd, tier: 2, gone: null });
  assert.deepEqual(labels, { app: '{"toString":""}', tier: '2' });
  assert.equal(selectorMatches({ matchLabels: { app: { toString: '' } } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { app: 'web' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: [odd] }] }, labels), true);
  assert.deepEqual(requiredLabel({ matchLabels: { app: odd } }), ['app', '{"toString":""}']);
});
