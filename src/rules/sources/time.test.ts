import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339Nanos } from './time.js';

test('RFC 3339 timestamps to ns: fractions, zones, and what Go rejects', () => {
  assert.equal(parseRfc3339Nanos('2016-08-04T16:17:57.881781397Z'), 1470327477881781397n);
  assert.equal(parseRfc3339Nanos('2016-08-04T16:17:57Z'), 1470327477000000000n);
  assert.equal(parseRfc3339Nanos('2016-08-04T16:17:57.5Z'), 1470327477500000000n);
  assert.equal(parseRfc3339Nanos('2016-08-04T18:17:57.000001+02:00'), 1470327477000001000n);
  assert.equal(parseRfc3339Nanos('2016-08-04T14:17:57-02:00'), 1470327477000000000n);
  for (const bad of ['2016-02-30T00:00:00Z', '2016-08-04T16:17:57.Z', '2016-08-04T16:17:57.1234567890Z', '2016-08-04T16:17:57', '2016-08-04 16:17:57Z', '2016-08-04T16:17:57Zjunk', '2016-08-04T24:00:00Z', '2016-08-04T16:17:57.12a4Z', '']) {
    assert.equal(parseRfc3339Nanos(bad), undefined, bad);
  }
});

test('the cached fast path agrees with Date for every millisecond-precision time', () => {
  fc.assert(fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999_999 }), (d, extra) => {
    const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const text = `${iso.slice(0, 23)}${String(extra).padStart(6, '0')}Z`;
    assert.equal(parseRfc3339Nanos(text), BigInt(d.getTime()) * 1_000_000n + BigInt(extra));
    assert.equal(parseRfc3339Nanos(iso), BigInt(d.getTime()) * 1_000_000n);
  }), { numRuns: 2000 });
});
