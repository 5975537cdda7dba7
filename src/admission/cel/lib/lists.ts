/**
 * List functions: Kubernetes' lists library (isSorted, sum, min, max, indexOf, lastIndexOf,
 * includes; k8s.io/apiserver/pkg/cel/library/lists.go), cel-go's ext.Lists (slice, flatten,
 * lists.range, distinct, reverse, sort; `sortBy` is a macro in the interpreter) and ext.Sets
 * (sets.contains, sets.equivalent, sets.intersects).
 */
import { add } from '../arith.js';
import { compare, equals } from '../equality.js';
import type { Registry } from '../registry.js';
import { A, T } from '../types.js';
import { CelEvalError, fail, isList, isError, typeNameOf, type ListValue, type Value } from '../values.js';

function isSorted(l: ListValue): Value {
  for (let i = 1; i < l.length; i++) {
    const c = compare(l[i - 1], l[i]);
    if (c === undefined) return new CelEvalError(`no such overload: isSorted(list(${typeNameOf(l[i])}))`);
    if (c > 0) return false;
  }
  return true;
}

function sum(l: ListValue): Value {
  if (l.length === 0) return 0n;
  let acc: Value = l[0];
  for (let i = 1; i < l.length; i++) {
    acc = add(acc, l[i]);
    if (isError(acc)) return acc;
  }
  return acc;
}

function extreme(name: 'min' | 'max') {
  return (l: ListValue): Value => {
    if (l.length === 0) return new CelEvalError(`${name} called on empty list`);
    let best = l[0];
    for (let i = 1; i < l.length; i++) {
      const c = compare(best, l[i]);
      if (c === undefined) return new CelEvalError(`no such overload: ${name}(list(${typeNameOf(l[i])}))`);
      if (name === 'min' ? c > 0 : c < 0) best = l[i];
    }
    return best;
  };
}

function indexOf(l: ListValue, x: Value): bigint {
  for (let i = 0; i < l.length; i++) if (equals(l[i], x)) return BigInt(i);
  return -1n;
}

function lastIndexOf(l: ListValue, x: Value): bigint {
  for (let i = l.length - 1; i >= 0; i--) if (equals(l[i], x)) return BigInt(i);
  return -1n;
}

function slice(l: ListValue, start: bigint, end: bigint): Value {
  if (start < 0n || end < 0n) return new CelEvalError(`cannot slice(${start}, ${end}), negative indexes not supported`);
  if (start > end) return new CelEvalError(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
  if (end > BigInt(l.length)) return new CelEvalError(`cannot slice(${start}, ${end}), list is length ${l.length}`);
  return l.slice(Number(start), Number(end));
}

function flatten(l: ListValue, depth: bigint): Value {
  if (depth < 0n) return new CelEvalError('level must be non-negative');
  const out: Value[] = [];
  const walk = (xs: ListValue, d: bigint): void => {
    for (const x of xs) {
      if (isList(x) && d > 0n) walk(x, d - 1n);
      else out.push(x);
    }
  };
  walk(l, depth);
  return out;
}

function distinct(l: ListValue): Value[] {
  const out: Value[] = [];
  const seen = new Set<Value>();
  for (const x of l) {
    // Strings and bools are the common case: a Set answers them; others compare by value.
    if (typeof x === 'string' || typeof x === 'boolean') {
      if (seen.has(x)) continue;
      seen.add(x);
      out.push(x);
    } else if (!out.some((y) => equals(x, y))) {
      out.push(x);
    }
  }
  return out;
}

export function sortValues(l: ListValue, keys: ListValue = l): Value {
  const idx = l.map((_, i) => i);
  let bad: CelEvalError | undefined;
  idx.sort((i, j) => {
    const c = compare(keys[i], keys[j]);
    if (c === undefined) {
      bad ??= new CelEvalError('list elements must have the same type');
      return 0;
    }
    return c;
  });
  return bad ?? idx.map((i) => l[i]);
}

function range(n: bigint): Value {
  // As cel-go charges one unit per element, a range beyond the per-expression limit cannot finish.
  if (n > 1_000_000n) return new CelEvalError('operation cancelled: actual cost limit exceeded');
  const out: bigint[] = [];
  for (let i = 0n; i < n; i++) out.push(i);
  return out;
}

function setContains(a: ListValue, b: ListValue): boolean {
  return b.every((x) => a.some((y) => equals(x, y)));
}

export function registerLists(reg: Registry): void {
  const LA = T.list(A);
  reg.method('isSorted', LA, [], T.bool, isSorted);
  reg.method('sum', LA, [], A, sum);
  reg.method('min', LA, [], A, extreme('min'));
  reg.method('max', LA, [], A, extreme('max'));
  reg.method('indexOf', LA, [A], T.int, indexOf);
  reg.method('lastIndexOf', LA, [A], T.int, lastIndexOf);
  reg.method('includes', T.dyn, [T.dyn], T.bool, (target: Value, x: Value) =>
    isList(target) ? target.some((y) => equals(y, x)) : equals(target, x));

  reg.method('slice', LA, [T.int, T.int], LA, slice);
  reg.method('flatten', T.list(T.dyn), [], T.list(T.dyn), (l: ListValue) => flatten(l, 1n));
  reg.method('flatten', T.list(T.dyn), [T.int], T.list(T.dyn), flatten);
  reg.fn('lists.range', [T.int], T.list(T.int), range);
  reg.method('distinct', LA, [], LA, distinct);
  reg.method('reverse', LA, [], LA, (l: ListValue) => [...l].reverse());
  reg.method('sort', LA, [], LA, (l: ListValue) => sortValues(l));
  // `sortBy` runs as a macro; this declaration is for its result type and internal helper.
  reg.fn('@sortByAssociatedKeys', [LA, T.list(T.dyn)], LA, (l: ListValue, keys: ListValue) =>
    l.length === keys.length ? sortValues(l, keys) : fail('@sortByAssociatedKeys: key list length mismatch'));

  reg.fn('sets.contains', [LA, LA], T.bool, setContains);
  reg.fn('sets.equivalent', [LA, LA], T.bool, (a: ListValue, b: ListValue) => setContains(a, b) && setContains(b, a));
  reg.fn('sets.intersects', [LA, LA], T.bool, (a: ListValue, b: ListValue) => a.some((x) => b.some((y) => equals(x, y))));
}
