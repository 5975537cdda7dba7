import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internMessage, memoizeLast, memoizeString, RecentMessages } from './memo.js';

/** A string with `text`'s content that is a different object (built at run time). */
const fresh = (text: string) => [...text].join('');

test('memoizeString computes once per distinct key and empties itself when full', () => {
  let calls = 0;
  const twice = memoizeString((s) => {
    calls++;
    return s + s;
  }, 2);
  assert.equal(twice('ab'), 'abab');
  assert.equal(twice(fresh('ab')), 'abab');
  assert.equal(calls, 1);
  twice('cd');
  twice('ef'); // the cache held 2: emptied before this one was added
  twice('ab');
  assert.equal(calls, 4);
});

test('memoizeLast recomputes only when the key changes', () => {
  let calls = 0;
  const keys = memoizeLast((o: object) => {
    calls++;
    return Object.keys(o);
  });
  const a = { x: 1 };
  keys(a);
  keys(a);
  keys({ y: 2 });
  keys(a);
  assert.equal(calls, 3);
});

test('RecentMessages returns the one shared copy of a message, whatever came in between', () => {
  const recent = new RecentMessages();
  const name = fresh('web');
  const first = recent.intern(`container "${name}" has no limit`);
  const again = recent.intern(`container "${fresh('web')}" has no limit`);
  assert.equal(again, first);
  assert.equal(first, internMessage(fresh('container "web" has no limit')));
  // Another message of the same length takes the slot; both still come back right.
  const other = recent.intern('container "api" has no limit');
  assert.equal(other, 'container "api" has no limit');
  assert.equal(recent.intern(fresh('container "web" has no limit')), 'container "web" has no limit');
  // Lengths 64 apart share a slot too.
  const long = 'x'.repeat(70);
  assert.equal(recent.intern('x'.repeat(6)), 'xxxxxx');
  assert.equal(recent.intern(fresh(long)), long);
  assert.equal(recent.intern('x'.repeat(6)), 'xxxxxx');
});
