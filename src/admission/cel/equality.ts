/**
 * CEL equality and ordering with heterogeneous numeric semantics (cel-go's defaults since
 * v0.10, which Kubernetes uses): `1 == 1.0 == 1u`, values of different types are simply
 * unequal, lists compare element-wise, maps by key set and values, NaN equals nothing.
 */
import { isCelUint } from '@bufbuild/cel';
import { Opaque, Optional, TypeValue, isList, isMap, mapGet, type Value } from './values.js';

/** seconds/nanos of a bufbuild Timestamp or Duration value, else undefined. */
export function timeParts(v: Value): { kind: string; seconds: bigint; nanos: number } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const msg = (v as { message?: { $typeName?: string; seconds?: bigint; nanos?: number } }).message;
  if (msg === undefined || msg === null) return undefined;
  const kind = msg.$typeName;
  if (kind !== 'google.protobuf.Timestamp' && kind !== 'google.protobuf.Duration') return undefined;
  return { kind, seconds: msg.seconds ?? 0n, nanos: msg.nanos ?? 0 };
}

/** Numeric value as [kind, value] for cross-type comparison. */
function numeric(v: Value): bigint | number | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (isCelUint(v)) return v.value;
  return undefined;
}

/** Exact comparison of an integer with a double: -1, 0, 1, or undefined for NaN. */
export function cmpIntDouble(i: bigint, d: number): number | undefined {
  if (Number.isNaN(d)) return undefined;
  if (d === Infinity) return -1;
  if (d === -Infinity) return 1;
  const t = Math.trunc(d);
  const bt = BigInt(t);
  if (i < bt) return -1;
  if (i > bt) return 1;
  const frac = d - t;
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

function cmpNumeric(a: bigint | number, b: bigint | number): number | undefined {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint') return cmpIntDouble(a, b as number);
  const r = cmpIntDouble(b as bigint, a);
  return r === undefined ? undefined : -r;
}

export function equals(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean') return false;
  const na = numeric(a);
  if (na !== undefined) {
    const nb = numeric(b);
    return nb !== undefined && cmpNumeric(na, nb) === 0;
  }
  if (a === null || b === null || typeof b !== 'object') return false;
  if (isList(a)) {
    if (!isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      const w = mapGet(b, k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Optional) {
    if (!(b instanceof Optional) || a.hasValue !== b.hasValue) return false;
    return !a.hasValue || equals(a.value, b.value);
  }
  if (a instanceof TypeValue) return b instanceof TypeValue && a.name === b.name;
  if (a instanceof Opaque) return b instanceof Opaque && a.typeName === b.typeName && a.equalTo(b);
  const ta2 = timeParts(a);
  if (ta2 !== undefined) {
    const tb = timeParts(b);
    return tb !== undefined && ta2.kind === tb.kind && ta2.seconds === tb.seconds && ta2.nanos === tb.nanos;
  }
  return false;
}

/**
 * Ordering for `<`, `<=`, `>`, `>=`, `sort()`, `min()`: -1/0/1, or undefined when the two
 * values are not comparable (different non-numeric types, NaN). `null` is never comparable.
 */
export function compare(a: Value, b: Value): number | undefined {
  const na = numeric(a);
  if (na !== undefined) {
    const nb = numeric(b);
    return nb === undefined ? undefined : cmpNumeric(na, nb);
  }
  if (typeof a === 'string') return typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : undefined;
  if (typeof a === 'boolean') return typeof b === 'boolean' ? (a === b ? 0 : a ? 1 : -1) : undefined;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array)) return undefined;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  const ta = timeParts(a);
  if (ta !== undefined) {
    const tb = timeParts(b);
    if (tb === undefined || tb.kind !== ta.kind) return undefined;
    if (ta.seconds !== tb.seconds) return ta.seconds < tb.seconds ? -1 : 1;
    return ta.nanos === tb.nanos ? 0 : ta.nanos < tb.nanos ? -1 : 1;
  }
  return undefined;
}
