/**
 * CEL optional values (cel-go's OptionalTypes, enabled in Kubernetes since 1.28):
 * optional.of/none/ofNonZeroValue, hasValue, value, orValue, or. `a.?b`, `m[?k]` and the
 * optMap/optFlatMap macros are evaluated by the interpreter; `or`/`orValue` evaluate their
 * argument only when needed, also in the interpreter.
 */
import type { Registry } from '../registry.js';
import { A, T } from '../types.js';
import { Optional, fail, isList, isMap, type Value } from '../values.js';
import { isCelUint } from '@bufbuild/cel';

function isZero(v: Value): boolean {
  switch (typeof v) {
    case 'bigint': return v === 0n;
    case 'number': return v === 0;
    case 'string': return v === '';
    case 'boolean': return !v;
    default:
      if (v === null) return true;
      if (isList(v)) return v.length === 0;
      if (isMap(v)) return v.size === 0;
      if (v instanceof Uint8Array) return v.length === 0;
      if (isCelUint(v)) return v.value === 0n;
      return false;
  }
}

export function registerOptional(reg: Registry): void {
  const OA = T.optional(A);
  reg.fn('optional.of', [A], OA, (v: Value) => Optional.of(v));
  reg.fn('optional.none', [], T.optional(T.dyn), () => Optional.NONE);
  reg.fn('optional.ofNonZeroValue', [A], OA, (v: Value) => (isZero(v) ? Optional.NONE : Optional.of(v)));
  reg.method('hasValue', OA, [], T.bool, (o: Optional) => o.hasValue);
  reg.method('value', OA, [], A, (o: Optional) => (o.hasValue ? o.value : fail('optional.none() dereference')));
  reg.method('orValue', OA, [A], A, (o: Optional, v: Value) => (o.hasValue ? o.value : v));
  reg.method('or', OA, [OA], OA, (o: Optional, p: Optional) => (o.hasValue ? o : p));
}
