/**
 * CEL runtime values as this interpreter holds them. Plain JS where possible, because most
 * values come straight from JSON and must not be re-wrapped on every access:
 *
 * | CEL type  | JS value                                                        |
 * |-----------|-----------------------------------------------------------------|
 * | null_type | `null`                                                          |
 * | bool      | `boolean`                                                       |
 * | int       | `bigint` (always within int64; arithmetic checks overflow)      |
 * | uint      | `CelUint` from @bufbuild/cel (so its functions accept it as is) |
 * | double    | `number`                                                        |
 * | string    | `string`                                                        |
 * | bytes     | `Uint8Array`                                                    |
 * | list      | `readonly Value[]` (JS array)                                   |
 * | map       | `ReadonlyMap<MapKey, Value>`                                    |
 * | timestamp, duration | @bufbuild/cel's message values (only its functions make them) |
 * | everything else (type, optional, IP, CIDR, Quantity, …) | a subclass of `Opaque`  |
 *
 * Errors are values too: `CelEvalError` is returned, never thrown across the evaluator, so a
 * failing branch of `||` can be absorbed exactly as CEL's commutative logic requires.
 */
import { celType, isCelUint, type CelUint } from '@bufbuild/cel';

export type Value = unknown;
export type MapKey = string | bigint | boolean | CelUint;
export type ListValue = readonly Value[];
export type MapValue = ReadonlyMap<MapKey, Value>;

/** An evaluation error: a value with a message (no stack: errors are frequent and cheap). */
export class CelEvalError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export function isError(v: Value): v is CelEvalError {
  return v instanceof CelEvalError;
}

/** Thrown by library code (never crosses the evaluator: call sites turn it into a value). */
export function fail(message: string): never {
  throw new CelEvalError(message);
}

/** Values of library types. `typeName` is the CEL type name users see (`net.IP`, `kubernetes.Quantity`). */
export abstract class Opaque {
  abstract readonly typeName: string;
  /** Same type and same value; called only with another Opaque of the same typeName. */
  abstract equalTo(other: Opaque): boolean;
}

/** A CEL type as a value: `type(1) == int`, `type(ip('::1')) == net.IP`. */
export class TypeValue extends Opaque {
  readonly typeName = 'type';
  constructor(readonly name: string) {
    super();
  }
  equalTo(other: Opaque): boolean {
    return other instanceof TypeValue && other.name === this.name;
  }
}

const typeValues = new Map<string, TypeValue>();
export function typeValue(name: string): TypeValue {
  let t = typeValues.get(name);
  if (t === undefined) typeValues.set(name, (t = new TypeValue(name)));
  return t;
}

/** `optional_type(T)`: `optional.of(x)`, `optional.none()`, the result of `m.?k`. */
export class Optional extends Opaque {
  readonly typeName = 'optional_type';
  private constructor(readonly hasValue: boolean, readonly value: Value) {
    super();
  }
  static readonly NONE = new Optional(false, undefined);
  static of(value: Value): Optional {
    return new Optional(true, value);
  }
  equalTo(): boolean {
    // Compared in equality.ts, which knows how to compare the wrapped values.
    return false;
  }
}

export const isList = Array.isArray as (v: Value) => v is ListValue;

export function isMap(v: Value): v is MapValue {
  return v instanceof Map;
}

export function isUint(v: Value): v is CelUint {
  return isCelUint(v);
}

/** CEL's runtime type name of a value (the name `type(x)` returns). */
export function typeNameOf(v: Value): string {
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      if (v === null) return 'null_type';
      if (Array.isArray(v)) return 'list';
      if (v instanceof Map) return 'map';
      if (v instanceof Opaque) return v.typeName;
      if (v instanceof Uint8Array) return 'bytes';
      if (isCelUint(v)) return 'uint';
      try {
        return celType(v as Parameters<typeof celType>[0]).name;
      } catch {
        return 'unknown';
      }
    default:
      return 'unknown';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int result, or the overflow error CEL requires instead of wrapping. */
export function checkedInt(v: bigint): bigint | CelEvalError {
  return v < INT64_MIN || v > INT64_MAX ? new CelEvalError('integer overflow') : v;
}

export function inInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/**
 * A map lookup with CEL's numeric key equivalence (`m[1]`, `m[1u]` and `m[1.0]` find the
 * same entry). Returns undefined when absent, an error for a key type maps cannot hold.
 */
export function mapGet(m: MapValue, key: Value): Value | undefined {
  switch (typeof key) {
    case 'string':
    case 'boolean':
      return m.get(key);
    case 'bigint':
      return m.has(key) ? m.get(key) : uintKeyScan(m, key);
    case 'number':
      if (!Number.isInteger(key)) return undefined;
      return mapGet(m, BigInt(key));
    case 'object':
      if (isCelUint(key)) return m.has(key.value) ? m.get(key.value) : uintKeyScan(m, key.value);
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Maps holding uint keys. Such maps are rare (JSON has only string keys), so only they pay
 * for the scan that finds `1u` by `1`; a plain miss stays a hash lookup.
 */
const uintKeyed = new WeakSet<MapValue>();

/** Records that `m` has a uint key (call after inserting one). */
export function noteUintKey(m: MapValue, key: MapKey): void {
  if (isCelUint(key)) uintKeyed.add(m);
}

/** A mutable copy of a map (keeping its uint-key mark). */
export function copyMap(m: MapValue): Map<MapKey, Value> {
  const out = new Map(m);
  if (uintKeyed.has(m)) uintKeyed.add(out);
  return out;
}

function uintKeyScan(m: MapValue, n: bigint): Value | undefined {
  if (!uintKeyed.has(m)) return undefined;
  for (const [k, v] of m) if (isCelUint(k) && k.value === n) return v;
  return undefined;
}

export function mapHas(m: MapValue, key: Value): boolean {
  return mapGet(m, key) !== undefined;
}

/** Whether a value can be a map key at all (CEL: int, uint, bool, string). */
export function isValidMapKey(k: Value): k is MapKey {
  return typeof k === 'string' || typeof k === 'bigint' || typeof k === 'boolean' || isCelUint(k);
}

/** How a value is printed inside messages (`no such key: x`). */
export function display(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (isCelUint(v)) return `${v.value}u`;
  return String(v);
}
