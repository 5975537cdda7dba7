import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cappedList } from './text.js';

test('cappedList names the first max items and counts the rest', () => {
  assert.equal(cappedList(['a', 'b'], 3), 'a, b');
  assert.equal(cappedList(['a', 'b', 'c'], 3), 'a, b, c');
  assert.equal(cappedList(['a', 'b', 'c', 'd', 'e'], 3), 'a, b, c and 2 more');
  assert.equal(cappedList([], 3), '');
});
