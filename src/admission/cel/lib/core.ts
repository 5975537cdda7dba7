/**
 * The CEL standard library: operators, size, string predicates, RE2 `matches`,
 * conversions and time accessors. Operators the interpreter evaluates inline (==, <, +, [],
 * in, …) are still declared here so the checker knows their signatures.
 */
import { add, div, formatDouble, formatTimestamp, mod, mul, neg, sub } from '../arith.js';
import { importBuf } from '../bridge.js';
import { compare, equals, timeParts } from '../equality.js';
import { compileRe2 } from '../regex.js';
import type { Registry } from '../registry.js';
import { A, B, T, type CelT } from '../types.js';
import {
  CelEvalError, copyMap, display, fail, isList, isMap, isValidMapKey, mapGet, noteUintKey, typeNameOf, typeValue, type MapValue, type Value,
} from '../values.js';

const NUMS: CelT[] = [T.int, T.uint, T.double];
const ORDERED: CelT[][] = [
  ...NUMS.flatMap((a) => NUMS.map((b) => [a, b])),
  [T.string, T.string], [T.bool, T.bool], [T.bytes, T.bytes], [T.timestamp, T.timestamp], [T.duration, T.duration],
];

/** Code points, as CEL counts string length. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function size(v: Value): Value {
  if (typeof v === 'string') return BigInt(codePointLength(v));
  if (isList(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(v.size);
  if (v instanceof Uint8Array) return BigInt(v.length);
  return new CelEvalError(`no such overload: size(${typeNameOf(v)})`);
}

export function compareOp(op: string, a: Value, b: Value): Value {
  const c = compare(a, b);
  if (c === undefined) {
    // NaN compares false to everything; other mismatches are type errors.
    if ((typeof a === 'number' && Number.isNaN(a)) || (typeof b === 'number' && Number.isNaN(b))) return false;
    return new CelEvalError(`no such overload: ${op}(${typeNameOf(a)}, ${typeNameOf(b)})`);
  }
  switch (op) {
    case '_<_': return c < 0;
    case '_<=_': return c <= 0;
    case '_>_': return c > 0;
    default: return c >= 0;
  }
}

export function inOp(x: Value, coll: Value): Value {
  if (isList(coll)) {
    for (const e of coll) if (equals(e, x)) return true;
    return false;
  }
  if (isMap(coll)) return mapGet(coll, x) !== undefined;
  return new CelEvalError(`no such overload: @in(${typeNameOf(x)}, ${typeNameOf(coll)})`);
}

export function registerCore(reg: Registry): void {
  for (const op of ['_==_', '_!=_']) reg.fn(op, [A, A], T.bool, (a: Value, b: Value) => (op === '_==_') === equals(a, b));
  for (const op of ['_<_', '_<=_', '_>_', '_>=_']) {
    for (const [a, b] of ORDERED) reg.fn(op, [a, b], T.bool, (x: Value, y: Value) => compareOp(op, x, y));
  }
  const arith: [string, (a: Value, b: Value) => Value, CelT[]][] = [
    ['_+_', add, [T.int, T.uint, T.double, T.string, T.bytes]],
    ['_-_', sub, [T.int, T.uint, T.double]],
    ['_*_', mul, [T.int, T.uint, T.double]],
    ['_/_', div, [T.int, T.uint, T.double]],
    ['_%_', mod, [T.int, T.uint]],
  ];
  for (const [op, f, types] of arith) for (const t of types) reg.fn(op, [t, t], t, f);
  reg.fn('_+_', [T.list(A), T.list(A)], T.list(A), add);
  reg.fn('_+_', [T.timestamp, T.duration], T.timestamp, add);
  reg.fn('_+_', [T.duration, T.timestamp], T.timestamp, add);
  reg.fn('_+_', [T.duration, T.duration], T.duration, add);
  reg.fn('_-_', [T.timestamp, T.timestamp], T.duration, sub);
  reg.fn('_-_', [T.timestamp, T.duration], T.timestamp, sub);
  reg.fn('_-_', [T.duration, T.duration], T.duration, sub);
  reg.fn('-_', [T.int], T.int, neg);
  reg.fn('-_', [T.double], T.double, neg);
  reg.fn('!_', [T.bool], T.bool, (a: boolean) => !a);
  reg.fn('@in', [A, T.list(A)], T.bool, inOp);
  reg.fn('@in', [A, T.map(A, B)], T.bool, inOp);
  reg.fn('_[_]', [T.list(A), T.int], A, () => fail('internal: index is evaluated inline'));
  reg.fn('_[_]', [T.map(A, B), A], B, () => fail('internal: index is evaluated inline'));
  reg.fn('_[?_]', [T.list(A), T.int], T.optional(A), () => fail('internal: index is evaluated inline'));
  reg.fn('_[?_]', [T.map(A, B), A], T.optional(B), () => fail('internal: index is evaluated inline'));

  for (const t of [T.string, T.bytes, T.list(A), T.map(A, B)]) {
    reg.fn('size', [t], T.int, size);
    reg.method('size', t, [], T.int, size);
  }
  reg.method('contains', T.string, [T.string], T.bool, (s: string, x: string) => s.includes(x));
  reg.method('startsWith', T.string, [T.string], T.bool, (s: string, x: string) => s.startsWith(x));
  reg.method('endsWith', T.string, [T.string], T.bool, (s: string, x: string) => s.endsWith(x));
  const matches = (s: string, re: string): boolean => compileRe2(re).test(s);
  reg.method('matches', T.string, [T.string], T.bool, matches);
  reg.fn('matches', [T.string, T.string], T.bool, matches);

  // Conversions: cel-go's spelling where bufbuild's differs, bufbuild's for the rest.
  // Common conversions natively (they sit in message expressions); the rest through the bridge.
  reg.fn('string', [T.string], T.string, (x: string) => x);
  reg.fn('string', [T.int], T.string, (x: bigint) => x.toString());
  reg.fn('string', [T.bool], T.string, (x: boolean) => (x ? 'true' : 'false'));
  reg.fn('string', [T.double], T.string, formatDouble);
  reg.fn('string', [T.timestamp], T.string, (t: Value) => {
    const p = timeParts(t);
    return p ? formatTimestamp(p.seconds, p.nanos) : fail('invalid timestamp');
  });
  for (const name of ['int', 'uint', 'double', 'string', 'bool', 'bytes', 'timestamp', 'duration']) {
    importBuf(reg, name, (o) => name === 'string' && [T.double, T.timestamp, T.string, T.int, T.bool].includes(o.params[0]));
  }
  reg.fn('dyn', [A], T.dyn, (x: Value) => x);
  reg.fn('type', [A], T.type(A), (x: Value) => typeValue(typeNameOf(x)));
  for (const name of [
    'getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfYear', 'getDayOfWeek',
    'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds',
  ]) importBuf(reg, name);

  // Internal: the accumulator step of transformMap / transformMapEntry (see ast.ts).
  reg.fn('@mapInsert', [T.map(A, B), A, B], T.map(A, B), mapInsert);
  reg.fn('@mapInsert', [T.map(A, B), T.map(A, B)], T.map(A, B), mapMerge);
  reg.fn('@not_strictly_false', [T.bool], T.bool, (b: Value) => b !== false);
}

function mapInsert(m: MapValue, k: Value, v: Value): Value {
  if (!isValidMapKey(k)) return new CelEvalError(`unsupported key type: ${typeNameOf(k)}`);
  if (mapGet(m, k) !== undefined) return new CelEvalError(`insert failed: key ${display(k)} already exists`);
  const out = copyMap(m);
  out.set(k, v);
  noteUintKey(out, k);
  return out;
}

function mapMerge(m: MapValue, entry: MapValue): Value {
  const out = copyMap(m);
  for (const [k, v] of entry) {
    if (mapGet(out, k) !== undefined) return new CelEvalError(`insert failed: key ${display(k)} already exists`);
    out.set(k, v);
    noteUintKey(out, k);
  }
  return out;
}
