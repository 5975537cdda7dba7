/**
 * k8s.io/apimachinery resource.Quantity, as far as CEL can observe it: parsing (with its
 * error messages and rounding up to nano units), exact comparison, addition and
 * subtraction, and whether the value is readable as an int64. Go keeps a quantity either
 * in a fast int64 form (value × 10^scale) or an arbitrary-precision form; `asInteger()`
 * succeeds only in the fast form, so the two are kept apart here too.
 */

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export class QuantityError extends Error {}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const ERR_FORMAT = `quantities must match the regular expression '${SPLIT_RE}'`;
const ERR_NUMERIC = 'unable to parse numeric part of quantity';
const ERR_SUFFIX = "unable to parse quantity's suffix";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const MAX_INT64_FACTORS = 18;
const NANO = -9;

/** value = unscaled × 10^exp. `fast`: Go's int64Amount form (unscaled fits int64). */
export class Quantity {
  constructor(
    readonly unscaled: bigint,
    readonly exp: number,
    readonly fast: boolean,
    readonly format: QuantityFormat,
  ) {}

  sign(): number {
    return this.unscaled > 0n ? 1 : this.unscaled < 0n ? -1 : 0;
  }

  /** Exact comparison: -1, 0, 1. */
  cmp(o: Quantity): number {
    const e = Math.min(this.exp, o.exp);
    const a = this.unscaled * 10n ** BigInt(this.exp - e);
    const b = o.unscaled * 10n ** BigInt(o.exp - e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Go's AsInt64: only in the fast form, with a non-negative scale, without overflow. */
  asInt64(): bigint | undefined {
    if (!this.fast) return undefined;
    if (this.exp === 0) return this.unscaled;
    if (this.exp < 0) return undefined;
    const v = this.unscaled * 10n ** BigInt(this.exp);
    return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
  }

  asApproximateFloat(): number {
    const base = Number(this.unscaled);
    return this.exp === 0 ? base : base * 10 ** this.exp;
  }

  add(o: Quantity): Quantity {
    return combine(this, o, 1n);
  }

  sub(o: Quantity): Quantity {
    return combine(this, o, -1n);
  }

  mul(n: bigint): Quantity {
    const v = this.unscaled * n;
    const fast = this.fast && fitsInt64(v);
    return new Quantity(v, this.exp, fast, this.format);
  }

  static fromInt(n: bigint): Quantity {
    return new Quantity(n, 0, true, 'DecimalExponent');
  }
}

function fitsInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** Go's Add/Sub: stays in int64 form when both are and nothing overflows; format follows a zero receiver. */
function combine(a: Quantity, b: Quantity, sign: bigint): Quantity {
  const format = a.sign() === 0 ? b.format : a.format;
  const bv = b.unscaled * sign;
  if (a.fast && b.fast) {
    if (bv === 0n) return new Quantity(a.unscaled, a.exp, true, format);
    if (a.unscaled === 0n) {
      if (fitsInt64(bv)) return new Quantity(bv, b.exp, true, format);
    } else {
      const e = Math.min(a.exp, b.exp);
      const av = a.unscaled * 10n ** BigInt(a.exp - e);
      const bs = bv * 10n ** BigInt(b.exp - e);
      if (fitsInt64(av) && fitsInt64(bs) && fitsInt64(av + bs)) return new Quantity(av + bs, e, true, format);
    }
  }
  const e = Math.min(a.exp, b.exp);
  const v = a.unscaled * 10n ** BigInt(a.exp - e) + bv * 10n ** BigInt(b.exp - e);
  return new Quantity(v, e, false, format);
}

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function interpretSuffix(suf: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  if (Object.prototype.hasOwnProperty.call(DEC_SUFFIX, suf)) return { base: 10, exponent: DEC_SUFFIX[suf], format: 'DecimalSI' };
  if (Object.prototype.hasOwnProperty.call(BIN_SUFFIX, suf)) return { base: 2, exponent: BIN_SUFFIX[suf], format: 'BinarySI' };
  if (suf.length > 1 && (suf[0] === 'e' || suf[0] === 'E') && /^[+-]?\d+$/.test(suf.slice(1))) {
    const n = Number(suf.slice(1));
    if (Math.abs(n) > 2 ** 31) return undefined;
    return { base: 10, exponent: n, format: 'DecimalExponent' };
  }
  return undefined;
}

interface Split {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Go's parseQuantityString scanner. */
function scan(str: string): Split {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  for (;;) {
    if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[pos] === '0') pos++;
    else break;
  }
  let i = pos;
  while (i < end && str[i] >= '0' && str[i] <= '9') i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  let num = str.slice(pos, i);
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && str[j] >= '0' && str[j] <= '9') j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = j;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  let k = pos;
  while (k < end && 'eEinumkKMGTP'.includes(str[k])) k++;
  if (k >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = k;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (let m = pos; ; m++) {
    if (m >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (str[m] < '0' || str[m] > '9') break;
  }
  throw new QuantityError(ERR_FORMAT);
}

export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(ERR_FORMAT);
  if (str === '0') return new Quantity(0n, 0, true, 'DecimalSI');
  const { positive, value, num, denom, suffix } = scan(str);
  const suf = interpretSuffix(suffix);
  if (suf === undefined) throw new QuantityError(ERR_SUFFIX);
  const { base, exponent } = suf;
  let format = suf.format;

  // Go's fast path: an int64 value × 10^scale.
  let precision = 0;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = MAX_INT64_FACTORS - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= NANO) {
      const shifted = num + denom;
      if (!/^\d+$/.test(shifted)) throw new QuantityError(ERR_NUMERIC);
      const v = BigInt(shifted);
      if (v <= INT64_MAX) {
        const result = v * mantissa;
        if (result <= INT64_MAX) return new Quantity(positive ? result : -result, scale, true, format);
      }
    }
  }

  // Arbitrary precision: the decimal value, rounded up (away from zero) to nano units.
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(ERR_NUMERIC);
  let unscaled = BigInt((m[2] || '0') + (m[3] ?? ''));
  let exp = -(m[3] ?? '').length;
  if (base === 10) exp += exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (unscaled !== 0n && exp < NANO) {
    const div = 10n ** BigInt(NANO - exp);
    const q = unscaled / div;
    unscaled = q * div === unscaled ? q : q + 1n;
    exp = NANO;
  }
  if (format === 'BinarySI') {
    const cmpMax = new Quantity(unscaled, exp, false, format).cmp(new Quantity(INT64_MAX, 0, false, format));
    if (cmpMax > 0) {
      unscaled = INT64_MAX;
      exp = 0;
    }
    const one = new Quantity(unscaled, exp, false, format);
    if (one.cmp(new Quantity(1n, 0, false, format)) < 0 && unscaled > 0n) format = 'DecimalSI';
  }
  return new Quantity(positive ? unscaled : -unscaled, exp, false, format);
}
