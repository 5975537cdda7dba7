/** Timestamps as nanoseconds since the epoch (bigint: 64-bit ns do not fit a double). */
import { memoizeString } from '../../model/index.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with optional fraction (Go's time.RFC3339Nano layout) → ns; undefined if malformed. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  // Events of one second share everything but the fraction: reuse the second's value.
  const dot = text.length > 20 && text.charCodeAt(19) === 46 /* . */;
  const zoneAt = dot ? firstZoneChar(text, 20) : 19;
  if (zoneAt < 0) return slowParse(text);
  const key = text.slice(0, 19) + text.slice(zoneAt);
  const base = parseSecond(key);
  if (base === undefined) return undefined;
  if (!dot) return base;
  const digits = zoneAt - 20;
  if (digits < 1 || digits > 9) return undefined;
  let frac = 0;
  for (let i = 20; i < zoneAt; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    frac = frac * 10 + c;
  }
  return base + BigInt(frac * 10 ** (9 - digits));
}

const parseSecond = memoizeString((text) => slowParse(text));

/** Index of the `Z`, `+` or `-` that starts the zone after a fraction, or -1. */
function firstZoneChar(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 90 /* Z */ || c === 43 /* + */ || c === 45 /* - */) return i;
    if (c < 48 || c > 57) return -1;
  }
  return -1;
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
