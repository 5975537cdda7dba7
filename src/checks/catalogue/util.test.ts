import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quotedList, quotedText, shorten, shownValue } from './util.js';

test('shorten keeps text up to max and cuts longer text to exactly max characters ending in ...', () => {
  assert.equal(shorten('abcdef', 6), 'abcdef');
  assert.equal(shorten('abcdefg', 6), 'abc...');
  assert.equal(shorten('abcdefg', 6).length, 6);
});

test('shownValue shows any value as JSON (undefined as text), cut to max', () => {
  assert.equal(shownValue('Never', 60), '"Never"');
  assert.equal(shownValue(['a', 1], 60), '["a",1]');
  assert.equal(shownValue(undefined, 60), 'undefined');
  assert.equal(shownValue('x'.repeat(100), 40), `"${'x'.repeat(36)}...`);
});

test('quotedText cuts before quoting, so the quotes always close', () => {
  assert.equal(quotedText('nginx:1.27', 80), '"nginx:1.27"');
  const long = quotedText('r'.repeat(100), 80);
  assert.equal(long, JSON.stringify(`${'r'.repeat(77)}...`));
  assert.ok(long.endsWith('..."'));
});

test('quotedList quotes the first max names and counts the rest', () => {
  assert.equal(quotedList(['a', 'b'], 5), '"a", "b"');
  assert.equal(quotedList(['a', 'b', 'c'], 2), '"a", "b" and 1 more');
});
