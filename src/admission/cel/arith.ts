/**
 * CEL arithmetic on the common types, natively (it is on every hot path): int with int64
 * overflow errors, double with IEEE semantics, string/bytes/list concatenation. Everything
 * else (uint, timestamps, durations) goes to @bufbuild/cel through the bridge.
 */
import { callBuf } from './bridge.js';
import { timeParts } from './equality.js';
import { noSuchOverload } from './registry.js';
import { CelEvalError, checkedInt, isList, isUint, type Value } from './values.js';

/** Only uint, timestamp and duration arithmetic is left to @bufbuild/cel; other mixes are type errors. */
function other(op: string, args: Value[]): Value {
  if (args.some((a) => isUint(a) || timeParts(a) !== undefined)) return callBuf(op, false, args);
  return noSuchOverload(op, args);
}

export function add(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(a + b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (isList(a) && isList(b)) return a.length === 0 ? b : b.length === 0 ? a : a.concat(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }
  return other('_+_', [a, b]);
}

export function sub(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(a - b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return other('_-_', [a, b]);
}

export function mul(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInt(a * b);
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  return other('_*_', [a, b]);
}

export function div(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return new CelEvalError('division by zero');
    return checkedInt(a / b);
  }
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  return other('_/_', [a, b]);
}

export function mod(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return new CelEvalError('modulus by zero');
    return a % b;
  }
  return other('_%_', [a, b]);
}

export function neg(a: Value): Value {
  if (typeof a === 'bigint') return checkedInt(-a);
  if (typeof a === 'number') return -a;
  return other('-_', [a]);
}

/** Go's `%g` (strconv 'g', shortest): how cel-go turns a double into a string. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return '+Inf';
  if (d === -Infinity) return '-Inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const [mant, expText] = Math.abs(d).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const dp = exp + 1;
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return `${sign}${digits}${'0'.repeat(dp - digits.length)}`;
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Go's time.RFC3339Nano in UTC (trailing zeros of the fraction dropped), as cel-go prints timestamps. */
export function formatTimestamp(seconds: bigint, nanos: number): string {
  const ms = Number(seconds) * 1000;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const base = iso.slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  const frac = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${base}.${frac}Z`;
}
