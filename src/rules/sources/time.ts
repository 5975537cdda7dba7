/** Timestamps as nanoseconds since the epoch (bigint: 64-bit ns do not fit a double). */
import { memoizeString } from '../../model/index.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** One second of RFC 3339 text (the text before any fraction, plus the zone), parsed. */
interface Second {
  /** The second as ns since the epoch. */
  ns: bigint;
  /** ns / 10^9 in decimal when the second is after the epoch (then ns + f prints as this and 9 digits of f). */
  seconds: string | undefined;
  /** The second as µs since the epoch (exact: a second is a whole number of µs). */
  micros: number;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'] as const;

/**
 * Where the zone starts, after `YYYY-MM-DDThh:mm:ss` and an optional fraction: 19 without a
 * fraction; -1 when the text does not have this shape (the regex decides); -2 when the
 * fraction has no digits or more than 9 (Go rejects both).
 */
function zoneStart(text: string): number {
  if (!(text.length > 20 && text.charCodeAt(19) === 46 /* . */)) return 19;
  for (let i = 20; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 90 /* Z */ || c === 43 /* + */ || c === 45 /* - */) {
      const digits = i - 20;
      return digits < 1 || digits > 9 ? -2 : i;
    }
    if (c < 48 || c > 57) return -1;
  }
  return -1;
}

// Events of one second share everything but the fraction. They come in time order, so the
// last second is remembered apart (no key string to build); others go through a bounded memo.
let lastHead = '';
let lastZone = '';
let lastSecond: Second | undefined;

const parseSecondKey = memoizeString((key): Second | undefined => {
  const ns = slowParse(key);
  if (ns === undefined) return undefined;
  return { ns, seconds: ns > 0n ? (ns / 1_000_000_000n).toString() : undefined, micros: Number(ns / 1000n) };
});

/** The second of `text` whose zone starts at `zoneAt`: the same as parsing text[0, 19) + text[zoneAt, end). */
function secondOf(text: string, zoneAt: number): Second | undefined {
  if (lastSecond !== undefined && text.length - zoneAt === lastZone.length && text.startsWith(lastHead) && text.endsWith(lastZone)) {
    return lastSecond;
  }
  const head = text.slice(0, 19);
  const zone = text.slice(zoneAt);
  const second = parseSecondKey(head + zone);
  if (second !== undefined) {
    // A valid key starts with 19 characters of date and time, so lastHead has all of them.
    lastHead = head;
    lastZone = zone;
    lastSecond = second;
  }
  return second;
}

/** The fraction's value in ns (its digits are checked by zoneStart). */
function fractionNs(text: string, zoneAt: number): number {
  if (zoneAt === 19) return 0;
  let frac = 0;
  for (let i = 20; i < zoneAt; i++) frac = frac * 10 + (text.charCodeAt(i) - 48);
  return frac * 10 ** (9 - (zoneAt - 20));
}

/** RFC 3339 with optional fraction (Go's time.RFC3339Nano layout) → ns; undefined if malformed. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const zoneAt = zoneStart(text);
  if (zoneAt === -2) return undefined;
  if (zoneAt === -1) return slowParse(text);
  const second = secondOf(text, zoneAt);
  if (second === undefined) return undefined;
  return zoneAt === 19 ? second.ns : second.ns + BigInt(fractionNs(text, zoneAt));
}

/**
 * `parseRfc3339Nanos(text)?.toString()`, built as text for times after the epoch (the
 * second's digits, then the fraction's padded to 9): no bigint arithmetic or printing per
 * event. `jevt.rawtime` is this, and nearly every upstream k8s_audit rule reads it.
 */
export function rfc3339NanosText(text: string): string | undefined {
  const zoneAt = zoneStart(text);
  if (zoneAt === -2) return undefined;
  if (zoneAt === -1) return slowParse(text)?.toString();
  const second = secondOf(text, zoneAt);
  if (second === undefined) return undefined;
  if (second.seconds === undefined) return (second.ns + BigInt(fractionNs(text, zoneAt))).toString();
  if (zoneAt === 19) return `${second.seconds}000000000`;
  return second.seconds + text.slice(20, zoneAt) + ZEROS[29 - zoneAt]; // 9 - (zoneAt - 20) zeros
}

/**
 * `Number(parseRfc3339Nanos(text) / 1000n)` (µs, toward zero), in numbers for times after the
 * epoch: the audit store keys events by µs, and bigint arithmetic per event cost ~1 µs.
 */
export function rfc3339Micros(text: string): number | undefined {
  const zoneAt = zoneStart(text);
  if (zoneAt === -2) return undefined;
  if (zoneAt === -1) {
    const ns = slowParse(text);
    return ns === undefined ? undefined : Number(ns / 1000n);
  }
  const second = secondOf(text, zoneAt);
  if (second === undefined) return undefined;
  // Before the epoch, flooring the fraction is not rounding toward zero: take the exact way.
  if (second.seconds === undefined) return Number((second.ns + BigInt(fractionNs(text, zoneAt))) / 1000n);
  return second.micros + Math.floor(fractionNs(text, zoneAt) / 1000);
}

function slowParse(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  // Date.UTC rolls Feb 30 into March; Go rejects it, and so do we.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  let ns = BigInt(ms) * 1_000_000n;
  if (frac) ns += BigInt(frac.padEnd(9, '0'));
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const offsetMin = BigInt(Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    ns -= sign * offsetMin * 60_000_000_000n;
  }
  return ns;
}

/** A nanosecond count given as a JSON number or a decimal string. */
export function parseNanos(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}
