/**
 * JSON ⇄ CEL values. kube-apiserver decodes integral JSON numbers as int64, so they become
 * `bigint` here (`object.spec.replicas + 1` is int arithmetic); other numbers are doubles.
 * Objects become `Map`s once per request, so field access is a hash lookup and nothing is
 * re-wrapped while expressions run.
 */
import { isCelUint } from '@bufbuild/cel';
import { CelEvalError, Opaque, Optional, isError, type MapKey, type Value } from './values.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export function fromJson(v: unknown): Value {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v)) {
        // Integers past 2^53 have already lost precision in JSON.parse; keep their double
        // value but as an int when it fits int64, as Go's decoder would.
        if (Math.abs(v) <= MAX_SAFE || Math.abs(v) < 9.2e18) return BigInt(v);
        return v;
      }
      return v;
    case 'string':
    case 'boolean':
    case 'bigint':
      return v;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(fromJson);
      if (v instanceof Map) return v;
      const m = new Map<MapKey, Value>();
      for (const k in v) {
        if (Object.prototype.hasOwnProperty.call(v, k)) m.set(k, fromJson((v as Record<string, unknown>)[k]));
      }
      return m;
    }
    default:
      return null;
  }
}

/**
 * A CEL value as JSON-compatible data (for output: messages, audit annotations, tests).
 * Ints that fit a JS number become numbers; others stay strings of digits.
 */
export function toJson(v: Value): unknown {
  if (isError(v)) return { error: (v as CelEvalError).message };
  switch (typeof v) {
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(toJson);
      if (v instanceof Map) {
        const o: Record<string, unknown> = {};
        for (const [k, x] of v) o[isCelUint(k) ? String(k.value) : String(k)] = toJson(x);
        return o;
      }
      if (isCelUint(v)) return Number(v.value);
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      if (v instanceof Optional) return v.hasValue ? toJson(v.value) : null;
      if (v instanceof Opaque) return String(v);
      return String(v);
    }
    default:
      return v;
  }
}
