/**
 * Static CEL types for the checker. The checker is deliberately lenient: anything it cannot
 * know is `dyn`, and `dyn` is assignable both ways, so it only reports what cel-go would
 * also report (a call no overload accepts, an undeclared name, a field a declared object
 * type does not have, a mixed list literal).
 */

export type CelT =
  | { readonly k: 'prim'; readonly name: PrimName }
  | { readonly k: 'dyn' }
  | { readonly k: 'list'; readonly elem: CelT }
  | { readonly k: 'map'; readonly key: CelT; readonly val: CelT }
  /** Library and parameterised types: `net.IP`, `optional_type(T)`. */
  | { readonly k: 'opaque'; readonly name: string; readonly params: readonly CelT[] }
  /** The type of a type value: `type(int)`. */
  | { readonly k: 'type'; readonly of: CelT }
  /** A type parameter in an overload signature (`A` in `list(A).indexOf(A)`). */
  | { readonly k: 'param'; readonly name: string }
  /** A declared object type with known fields (`request`, `variables`). */
  | { readonly k: 'struct'; readonly name: string; readonly fields: ReadonlyMap<string, CelT> };

export type PrimName =
  | 'int' | 'uint' | 'double' | 'bool' | 'string' | 'bytes' | 'null_type'
  | 'google.protobuf.Timestamp' | 'google.protobuf.Duration';

const prims = new Map<PrimName, CelT>();
function prim(name: PrimName): CelT {
  let t = prims.get(name);
  if (!t) prims.set(name, (t = { k: 'prim', name }));
  return t;
}

export const T = {
  int: prim('int'),
  uint: prim('uint'),
  double: prim('double'),
  bool: prim('bool'),
  string: prim('string'),
  bytes: prim('bytes'),
  null: prim('null_type'),
  timestamp: prim('google.protobuf.Timestamp'),
  duration: prim('google.protobuf.Duration'),
  dyn: { k: 'dyn' } as CelT,
  list: (elem: CelT): CelT => ({ k: 'list', elem }),
  map: (key: CelT, val: CelT): CelT => ({ k: 'map', key, val }),
  opaque: (name: string, ...params: CelT[]): CelT => ({ k: 'opaque', name, params }),
  optional: (of: CelT): CelT => ({ k: 'opaque', name: 'optional_type', params: [of] }),
  type: (of: CelT): CelT => ({ k: 'type', of }),
  param: (name: string): CelT => ({ k: 'param', name }),
  struct: (name: string, fields: Record<string, CelT>): CelT => ({ k: 'struct', name, fields: new Map(Object.entries(fields)) }),
};

export const A = T.param('A');
export const B = T.param('B');

/** cel-go's spelling of a type in messages: `list(int)`, `map(string, dyn)`, `net.CIDR`. */
export function formatType(t: CelT): string {
  switch (t.k) {
    case 'prim':
      return t.name;
    case 'dyn':
      return 'dyn';
    case 'list':
      return `list(${formatType(t.elem)})`;
    case 'map':
      return `map(${formatType(t.key)}, ${formatType(t.val)})`;
    case 'opaque':
      return t.params.length === 0 ? t.name : `${t.name}(${t.params.map(formatType).join(', ')})`;
    case 'type':
      return `type(${formatType(t.of)})`;
    case 'param':
      return t.name;
    case 'struct':
      return t.name;
  }
}

export type Bindings = Map<string, CelT>;

/**
 * Whether a value of static type `arg` may be passed where `param` is expected, binding type
 * parameters as cel-go's unifier does. `dyn` on either side always fits.
 */
export function assignable(param: CelT, arg: CelT, b: Bindings): boolean {
  if (arg.k === 'dyn') return true;
  switch (param.k) {
    case 'dyn':
      return true;
    case 'param': {
      const bound = b.get(param.name);
      if (bound === undefined || isNull(bound)) {
        if (bound === undefined || !isNull(arg)) b.set(param.name, arg);
        return true;
      }
      // `null` fits where a value is expected (`cond ? 'text' : null`, `x == null`): lenient,
      // so that nothing cel-go accepts is refused here.
      if (isNull(arg)) return true;
      if (assignable(bound, arg, b)) return true;
      // The bound type may be the less specific one (`[]` then `[1]`): widen it.
      if (assignable(arg, bound, new Map(b))) {
        b.set(param.name, arg);
        return true;
      }
      return false;
    }
    case 'prim':
      return arg.k === 'prim' && arg.name === param.name;
    case 'list':
      return arg.k === 'list' && assignable(param.elem, arg.elem, b);
    case 'map':
      return arg.k === 'map' && assignable(param.key, arg.key, b) && assignable(param.val, arg.val, b);
    case 'opaque':
      return arg.k === 'opaque' && arg.name === param.name && arg.params.length === param.params.length
        && param.params.every((p, i) => assignable(p, arg.params[i], b));
    case 'type':
      return arg.k === 'type';
    case 'struct':
      return arg.k === 'struct' && arg.name === param.name;
  }
}

function isNull(t: CelT): boolean {
  return t.k === 'prim' && t.name === 'null_type';
}

/** `t` with its type parameters replaced by what they were bound to (unbound ones: dyn). */
export function substitute(t: CelT, b: Bindings): CelT {
  switch (t.k) {
    case 'param':
      return b.get(t.name) ?? T.dyn;
    case 'list':
      return T.list(substitute(t.elem, b));
    case 'map':
      return T.map(substitute(t.key, b), substitute(t.val, b));
    case 'opaque':
      return t.params.length === 0 ? t : { k: 'opaque', name: t.name, params: t.params.map((p) => substitute(p, b)) };
    case 'type':
      return T.type(substitute(t.of, b));
    default:
      return t;
  }
}

export function sameType(a: CelT, b: CelT): boolean {
  return formatType(a) === formatType(b);
}

/** True when a type holds no `dyn` anywhere (then a mismatch is certain, not a guess). */
export function isConcrete(t: CelT): boolean {
  switch (t.k) {
    case 'dyn':
    case 'param':
      return false;
    case 'list':
      return isConcrete(t.elem);
    case 'map':
      return isConcrete(t.key) && isConcrete(t.val);
    case 'opaque':
      return t.params.every(isConcrete);
    default:
      return true;
  }
}

/** The element type a comprehension iterates over: list elements, map keys. */
export function iterationTypes(range: CelT): { first: CelT; second: CelT } | undefined {
  switch (range.k) {
    case 'list':
      return { first: range.elem, second: range.elem };
    case 'map':
      return { first: range.key, second: range.val };
    case 'dyn':
      return { first: T.dyn, second: T.dyn };
    default:
      return undefined;
  }
}

/** The static type of a runtime type name (for `type` identifiers such as `int`, `net.IP`). */
export function typeOfName(name: string): CelT {
  switch (name) {
    case 'int': case 'uint': case 'double': case 'bool': case 'string': case 'bytes': case 'null_type':
    case 'google.protobuf.Timestamp': case 'google.protobuf.Duration':
      return prim(name);
    case 'list':
      return T.list(T.dyn);
    case 'map':
      return T.map(T.dyn, T.dyn);
    case 'dyn':
      return T.dyn;
    case 'type':
      return T.type(T.dyn);
    default:
      return T.opaque(name);
  }
}
