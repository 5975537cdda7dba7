import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339Nanos, rfc3339NanosText } from './time.js';

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

test('the text form is the ns count printed, for every shape of timestamp (before the epoch too)', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const stamp = fc.record({
    ms: fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2300-01-01T00:00:00Z') }),
    digits: fc.integer({ min: 0, max: 10 }),
    frac: fc.integer({ min: 0, max: 999_999_999 }),
    zone: fc.constantFrom('Z', '+02:00', '-05:30', '+00:00', 'z', '+0200', ''),
    junk: fc.constantFrom('', '', '', 'x', ' '),
  }).map(({ ms, digits, frac, zone, junk }) => {
    const d = new Date(ms).toISOString().slice(0, 19);
    const f = digits === 0 ? '' : `.${pad(frac, 10).slice(0, digits)}`;
    return `${d}${f}${zone}${junk}`;
  });
  // Several stamps per run, so the remembered second is both hit and replaced.
  fc.assert(fc.property(fc.array(stamp, { minLength: 1, maxLength: 6 }), (texts) => {
    for (const text of [...texts, ...texts]) {
      const ns = parseRfc3339Nanos(text);
      assert.equal(rfc3339NanosText(text), ns?.toString(), text);
      // The reference: the regex-checked parse, without the remembered second.
      const m = /^(.{19})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
      if (!m) assert.equal(ns, undefined, text);
      else {
        const base = Date.parse(`${m[1]}${m[3]}`);
        assert.equal(ns, BigInt(base) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0'), text);
      }
    }
  }), { numRuns: 3000 });
  for (const [text, want] of [['1970-01-01T00:00:00Z', '0'], ['1970-01-01T00:00:00.5Z', '500000000'], ['1970-01-01T00:00:01.000000001Z', '1000000001'], ['1969-12-31T23:59:59.5Z', '-500000000'], ['1970-01-01T01:00:00+01:00', '0'], ['2016-08-04T16:17:57.88Z', '1470327477880000000']] as const) {
    assert.equal(rfc3339NanosText(text), want, text);
  }
  assert.equal(rfc3339NanosText('2016-02-30T00:00:00Z'), undefined);
  assert.equal(rfc3339NanosText('2016-08-04T16:17:57.Z'), undefined);
});
