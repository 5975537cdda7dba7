/**
 * Compiles a checked expression tree into nested closures, once; evaluating is then a plain
 * call per node with no tree walking, no name lookups (variables and comprehension
 * variables are array slots resolved here) and no allocation beyond the values produced.
 *
 * Semantics follow cel-go: errors are values; `&&`/`||` are commutative over errors
 * (`false && error` is false, `error || true` is true); `all`/`exists` likewise;
 * everything else is strict. Comprehension loops and calls count towards a cost limit
 * (an approximation of cel-go's cost model: one unit per loop iteration and per call).
 */
import { add, div, mod, mul, neg, sub } from './arith.js';
import type { Node } from './ast.js';
import { equals } from './equality.js';
import { escapeName, mayBeEscaped, unescapeName } from './escape.js';
import { compareOp, inOp, size } from './lib/core.js';
import { sortValues } from './lib/lists.js';
import { candidates, dispatch, fits, noSuchOverload, toEvalError, type Registry } from './registry.js';
import {
  CelEvalError, Optional, display, isError, isUint, noteUintKey, isList, isMap, isValidMapKey, mapGet, typeNameOf,
  type MapKey, type MapValue, type Value,
} from './values.js';

export interface Frame {
  /** Declared variables by index. */
  vars: Value[];
  /** Comprehension and lambda variables by slot. */
  locals: Value[];
  /** Composited variables (`variables.x`), evaluated on first use. */
  lazy: ((index: number) => Value) | undefined;
  cost: number;
  limit: number;
}

export type Eval = (f: Frame) => Value;

export const COST_EXCEEDED = 'operation cancelled: actual cost limit exceeded';

export interface CompileContext {
  registry: Registry;
  /** Declared variable name → index into Frame.vars. */
  varIndex: ReadonlyMap<string, number>;
  /** The struct-typed variable whose fields are lazily evaluated, and its field indices. */
  lazyVar?: { name: string; fields: ReadonlyMap<string, number> };
}

export function compileNode(root: Node, ctx: CompileContext): { run: Eval; locals: number } {
  let nextSlot = 0;
  const scope = new Map<string, number>();

  function bind<R>(names: string[], body: (slots: number[]) => R): R {
    const saved = names.map((n) => scope.get(n));
    const slots = names.map((n) => {
      const s = nextSlot++;
      scope.set(n, s);
      return s;
    });
    try {
      return body(slots);
    } finally {
      names.forEach((n, i) => {
        const old = saved[i];
        if (old === undefined) scope.delete(n);
        else scope.set(n, old);
      });
    }
  }

  function c(n: Node): Eval {
    switch (n.t) {
      case 'const': {
        const v = n.value;
        return () => v;
      }
      case 'ident':
        return ident(n.name);
      case 'select':
        return select(n);
      case 'call':
        return call(n);
      case 'list':
        return list(n);
      case 'map':
        return mapLit(n);
      case 'comp':
        return comprehension(n);
      case 'lambda':
        return lambda(n);
      case 'invalid': {
        const e = new CelEvalError(n.message);
        return () => e;
      }
    }
  }

  function ident(name: string): Eval {
    const slot = scope.get(name);
    if (slot !== undefined) return (f) => f.locals[slot];
    if (ctx.lazyVar !== undefined && name === ctx.lazyVar.name) {
      const fields = [...ctx.lazyVar.fields];
      return (f) => {
        const m = new Map<MapKey, Value>();
        for (const [k, i] of fields) {
          const v = f.lazy ? f.lazy(i) : undefined;
          if (isError(v)) return v;
          m.set(k, v);
        }
        return m;
      };
    }
    const idx = ctx.varIndex.get(name);
    if (idx !== undefined) return (f) => f.vars[idx];
    const e = new CelEvalError(`undeclared reference to '${name}'`);
    return () => e;
  }

  function select(n: Extract<Node, { t: 'select' }>): Eval {
    const field = n.field;
    // `variables.x`: the lazily evaluated composited variable x.
    if (!n.test && !n.opt && n.operand.t === 'ident' && ctx.lazyVar !== undefined && n.operand.name === ctx.lazyVar.name && !scope.has(n.operand.name)) {
      const i = ctx.lazyVar.fields.get(field);
      if (i !== undefined) return (f) => (f.lazy ? f.lazy(i) : new CelEvalError(`no such key: ${field}`));
    }
    const o = c(n.operand);
    if (n.test) {
      return (f) => {
        const v = o(f);
        if (v instanceof Map) return v.has(field) || escapedKey(v, field) !== undefined;
        if (isError(v)) return v;
        if (v instanceof Optional) return v.hasValue && isMap(v.value) ? mapHasField(v.value, field) : false;
        return new CelEvalError(`invalid type for field selection: ${typeNameOf(v)}`);
      };
    }
    if (n.opt) return (f) => optSelect(o(f), field);
    return (f) => {
      const v = o(f);
      if (v instanceof Map) {
        const x = v.get(field);
        if (x !== undefined) return x;
        const k = escapedKey(v, field);
        return k !== undefined ? v.get(k) : new CelEvalError(`no such key: ${field}`);
      }
      if (v instanceof Optional) return optSelect(v, field);
      if (isError(v)) return v;
      return new CelEvalError(`invalid type for field selection: ${typeNameOf(v)}`);
    };
  }

  function call(n: Extract<Node, { t: 'call' }>): Eval {
    const args = n.args.map(c);
    const target = n.target !== undefined ? c(n.target) : undefined;
    const [a, b] = target !== undefined ? [target, args[0]] : [args[0], args[1]];
    switch (n.fn) {
      case '_&&_':
        return (f) => {
          const x = a(f);
          if (x === false) return false;
          const y = b(f);
          if (y === false) return false;
          if (x === true && y === true) return true;
          return logicError(x, y, '_&&_');
        };
      case '_||_':
        return (f) => {
          const x = a(f);
          if (x === true) return true;
          const y = b(f);
          if (y === true) return true;
          if (x === false && y === false) return false;
          return logicError(x, y, '_||_');
        };
      case '!_':
        return (f) => {
          const x = a(f);
          return typeof x === 'boolean' ? !x : isError(x) ? x : noSuchOverload('!_', [x]);
        };
      case '@not_strictly_false':
        return (f) => a(f) !== false;
      case '_?_:_': {
        const t = args[1];
        const e = args[2];
        return (f) => {
          const x = a(f);
          if (x === true) return t(f);
          if (x === false) return e(f);
          return isError(x) ? x : noSuchOverload('_?_:_', [x]);
        };
      }
      case '_==_':
      case '_!=_': {
        const want = n.fn === '_==_';
        return (f) => {
          const x = a(f);
          if (isError(x)) return x;
          const y = b(f);
          if (isError(y)) return y;
          return equals(x, y) === want;
        };
      }
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_': {
        const op = n.fn;
        return (f) => {
          const x = a(f);
          if (isError(x)) return x;
          const y = b(f);
          if (isError(y)) return y;
          if (typeof x === 'bigint' && typeof y === 'bigint') {
            return op === '_<_' ? x < y : op === '_<=_' ? x <= y : op === '_>_' ? x > y : x >= y;
          }
          return compareOp(op, x, y);
        };
      }
      case '_+_': return binary(a, b, add);
      case '_-_': return binary(a, b, sub);
      case '_*_': return binary(a, b, mul);
      case '_/_': return binary(a, b, div);
      case '_%_': return binary(a, b, mod);
      case '-_':
        return (f) => {
          const x = a(f);
          return isError(x) ? x : neg(x);
        };
      case '@in': return binary(a, b, inOp);
      case '_[_]': return binary(a, b, index);
      case '_[?_]': return binary(a, b, optIndex);
      case 'size':
        if (args.length + (target ? 1 : 0) === 1) {
          return (f) => {
            const x = a(f);
            return isError(x) ? x : size(x);
          };
        }
        break;
      case 'dyn':
        if (target === undefined && args.length === 1) return a;
        break;
      case 'or':
      case 'orValue':
        // Optional alternatives evaluate their argument only when the receiver is empty.
        if (target !== undefined && args.length === 1) {
          const alt = args[0];
          const generic = generalCall(n, args, target);
          const isOr = n.fn === 'or';
          return (f) => {
            const x = target(f);
            if (x instanceof Optional) {
              if (x.hasValue) return isOr ? x : x.value;
              const y = alt(f);
              if (isError(y)) return y;
              if (isOr && !(y instanceof Optional)) return noSuchOverload('or', [x, y]);
              return y;
            }
            return generic(f);
          };
        }
        break;
      default:
        break;
    }
    return generalCall(n, args, target);
  }

  function generalCall(n: Extract<Node, { t: 'call' }>, args: Eval[], target: Eval | undefined): Eval {
    const member = target !== undefined;
    const all: Eval[] = target ? [target, ...args] : args;
    const overloads = candidates(ctx.registry, n.fn, member, all.length);
    const name = n.fn;
    if (overloads.length === 0) {
      const e = new CelEvalError(`no such overload: ${name}`);
      return () => e;
    }
    if (overloads.length === 1) {
      const o = overloads[0];
      return (f) => {
        const vals = evalArgs(all, f);
        if (isError(vals)) return vals;
        f.cost++;
        for (let i = 0; i < vals.length; i++) if (!fits(o.params[i], vals[i])) return noSuchOverload(name, vals);
        try {
          return o.impl(vals);
        } catch (err) {
          return toEvalError(err);
        }
      };
    }
    return (f) => {
      const vals = evalArgs(all, f);
      if (isError(vals)) return vals;
      f.cost++;
      return dispatch(overloads, name, vals);
    };
  }

  function list(n: Extract<Node, { t: 'list' }>): Eval {
    const elems = n.elems.map(c);
    if (n.optional.size === 0) {
      return (f) => {
        const out = new Array<Value>(elems.length);
        for (let i = 0; i < elems.length; i++) {
          const v = elems[i](f);
          if (isError(v)) return v;
          out[i] = v;
        }
        return out;
      };
    }
    const optional = elems.map((_, i) => n.optional.has(i));
    return (f) => {
      const out: Value[] = [];
      for (let i = 0; i < elems.length; i++) {
        const v = elems[i](f);
        if (isError(v)) return v;
        if (optional[i]) {
          if (!(v instanceof Optional)) return new CelEvalError(`cannot initialize optional list element from non-optional value ${typeNameOf(v)}`);
          if (v.hasValue) out.push(v.value);
        } else {
          out.push(v);
        }
      }
      return out;
    };
  }

  function mapLit(n: Extract<Node, { t: 'map' }>): Eval {
    const entries = n.entries.map((e) => ({ key: c(e.key), value: c(e.value), optional: e.optional }));
    return (f) => {
      const m = new Map<MapKey, Value>();
      for (const e of entries) {
        const k = e.key(f);
        if (isError(k)) return k;
        if (!isValidMapKey(k)) return new CelEvalError(`unsupported key type: ${typeNameOf(k)}`);
        let v = e.value(f);
        if (isError(v)) return v;
        if (e.optional) {
          if (!(v instanceof Optional)) return new CelEvalError(`cannot initialize optional entry from non-optional value ${typeNameOf(v)}`);
          if (!v.hasValue) continue;
          v = v.value;
        }
        if (mapGet(m, k) !== undefined) return new CelEvalError(`Failed with repeated key: ${display(k)}`);
        m.set(k, v);
        noteUintKey(m, k);
      }
      return m;
    };
  }

  function comprehension(n: Extract<Node, { t: 'comp' }>): Eval {
    const range = c(n.range);
    const init = c(n.init);
    const twoVar = n.iterVar2 !== '';
    return bind([n.accuVar], ([accuSlot]) => {
      const result = c(n.result);
      return bind(twoVar ? [n.iterVar, n.iterVar2] : [n.iterVar], ([iSlot, vSlot]) => {
        const special = specialLoop(n, accuSlot);
        if (special !== undefined) return loop(range, iSlot, vSlot, twoVar, special);
        const cond = c(n.cond);
        const step = c(n.step);
        return loop(range, iSlot, vSlot, twoVar, {
          start: (f) => {
            const v = init(f);
            f.locals[accuSlot] = v;
            return isError(v) ? v : undefined;
          },
          each: (f) => {
            const k = cond(f);
            if (k === false) return STOP;
            if (k !== true) return isError(k) ? k : noSuchOverload('loop condition', [k]);
            f.locals[accuSlot] = step(f);
            return undefined;
          },
          finish: (f) => result(f),
        });
      });
    });
  }

  /**
   * Shapes the macros expand into, run without the generic accumulator:
   * all/exists (short-circuit, cel-go's error absorption) and map/filter/transformList
   * (append to one array instead of copying the accumulator at every step).
   */
  function specialLoop(n: Extract<Node, { t: 'comp' }>, accuSlot: number): LoopBody | undefined {
    const isAccu = (x: Node): boolean => x.t === 'ident' && x.name === n.accuVar;
    const s = n.step;
    const resultIsAccu = isAccu(n.result);
    if (s.t === 'call' && (s.fn === '_&&_' || s.fn === '_||_') && s.args.length === 2 && isAccu(s.args[0]) && resultIsAccu
      && n.init.t === 'const' && n.init.value === (s.fn === '_&&_')) {
      const pred = c(s.args[1]);
      const stopOn = s.fn === '_||_';
      let err: Value;
      return {
        start: () => {
          err = undefined;
          return undefined;
        },
        each: (f) => {
          const v = pred(f);
          if (v === stopOn) return RESULT(stopOn);
          if (v !== !stopOn) err ??= isError(v) ? v : noSuchOverload(s.fn, [v]);
          return undefined;
        },
        finish: () => err ?? !stopOn,
      };
    }
    const mapLoop = specialMapLoop(n, isAccu);
    if (mapLoop !== undefined) return mapLoop;
    const appendOf = (x: Node): Node | undefined =>
      x.t === 'call' && x.fn === '_+_' && x.args.length === 2 && isAccu(x.args[0]) && x.args[1].t === 'list'
        && x.args[1].elems.length === 1 && x.args[1].optional.size === 0 ? x.args[1].elems[0] : undefined;
    if (n.init.t !== 'list' || n.init.elems.length !== 0 || !resultIsAccu) return undefined;
    let elem = appendOf(s);
    let filter: Eval | undefined;
    if (elem === undefined && s.t === 'call' && s.fn === '_?_:_' && isAccu(s.args[2])) {
      elem = appendOf(s.args[1]);
      if (elem !== undefined) filter = c(s.args[0]);
    }
    if (elem === undefined) return undefined;
    const produce = c(elem);
    let out: Value[] = [];
    void accuSlot;
    return {
      start: () => {
        out = [];
        return undefined;
      },
      each: (f) => {
        if (filter !== undefined) {
          const k = filter(f);
          if (k === false) return undefined;
          if (k !== true) return isError(k) ? k : noSuchOverload('_?_:_', [k]);
        }
        const v = produce(f);
        if (isError(v)) return v;
        out.push(v);
        return undefined;
      },
      finish: () => out,
    };
  }

  /**
   * transformMap / transformMapEntry: `@mapInsert(accu, k, v)` or `@mapInsert(accu, entries)`,
   * possibly behind a filter, inserted into one Map instead of copying it at every step.
   */
  function specialMapLoop(n: Extract<Node, { t: 'comp' }>, isAccu: (x: Node) => boolean): LoopBody | undefined {
    if (n.init.t !== 'map' || n.init.entries.length !== 0 || !isAccu(n.result)) return undefined;
    const insertOf = (x: Node): Node[] | undefined =>
      x.t === 'call' && x.fn === '@mapInsert' && x.args.length >= 2 && isAccu(x.args[0]) ? x.args.slice(1) : undefined;
    let parts = insertOf(n.step);
    let filter: Eval | undefined;
    if (parts === undefined && n.step.t === 'call' && n.step.fn === '_?_:_' && isAccu(n.step.args[2])) {
      parts = insertOf(n.step.args[1]);
      if (parts !== undefined) filter = c(n.step.args[0]);
    }
    if (parts === undefined) return undefined;
    const evals = parts.map(c);
    let out = new Map<MapKey, Value>();
    const insert = (k: Value, v: Value): Value => {
      if (!isValidMapKey(k)) return new CelEvalError(`unsupported key type: ${typeNameOf(k)}`);
      if (mapGet(out, k) !== undefined) return new CelEvalError(`insert failed: key ${display(k)} already exists`);
      out.set(k, v);
      noteUintKey(out, k);
      return undefined;
    };
    return {
      start: () => {
        out = new Map();
        return undefined;
      },
      each: (f) => {
        if (filter !== undefined) {
          const k = filter(f);
          if (k === false) return undefined;
          if (k !== true) return isError(k) ? k : noSuchOverload('_?_:_', [k]);
        }
        const vals: Value[] = [];
        for (const e of evals) {
          const v = e(f);
          if (isError(v)) return v;
          vals.push(v);
        }
        if (vals.length === 2) return insert(vals[0], vals[1]);
        const entries = vals[0];
        if (!isMap(entries)) return noSuchOverload('@mapInsert', [out, entries]);
        for (const [k, v] of entries) {
          const r = insert(k, v);
          if (r !== undefined) return r;
        }
        return undefined;
      },
      finish: () => out,
    };
  }

  function lambda(n: Extract<Node, { t: 'lambda' }>): Eval {
    const target = c(n.target);
    return bind([n.v], ([slot]) => {
      const body = c(n.body);
      if (n.fn === 'sortBy') {
        return (f) => {
          const l = target(f);
          if (isError(l)) return l;
          if (!isList(l)) return noSuchOverload('sortBy', [l]);
          const keys: Value[] = [];
          for (const x of l) {
            if (++f.cost > f.limit) return new CelEvalError(COST_EXCEEDED);
            f.locals[slot] = x;
            const k = body(f);
            if (isError(k)) return k;
            keys.push(k);
          }
          return sortValues(l, keys);
        };
      }
      const flat = n.fn === 'optFlatMap';
      return (f) => {
        const o = target(f);
        if (isError(o)) return o;
        if (!(o instanceof Optional)) return noSuchOverload(n.fn, [o]);
        if (!o.hasValue) return o;
        f.locals[slot] = o.value;
        const v = body(f);
        if (isError(v)) return v;
        if (flat) return v instanceof Optional ? v : noSuchOverload('optFlatMap', [v]);
        return Optional.of(v);
      };
    });
  }

  const run = c(root);
  return { run, locals: nextSlot };
}

const STOP = Symbol('stop');
const RESULT_TAG = Symbol('result');
interface Result {
  [RESULT_TAG]: true;
  value: Value;
}
function RESULT(value: Value): Result {
  return { [RESULT_TAG]: true, value };
}

interface LoopBody {
  /** Initialise; an error value aborts. */
  start: (f: Frame) => Value | undefined;
  /** One iteration: undefined to go on, STOP to finish normally, RESULT(v) or an error to return early. */
  each: (f: Frame) => Value | undefined;
  finish: (f: Frame) => Value;
}

function loop(range: Eval, iSlot: number, vSlot: number | undefined, twoVar: boolean, body: LoopBody): Eval {
  return (f) => {
    const r = range(f);
    if (isError(r)) return r;
    const s = body.start(f);
    if (s !== undefined) return s;
    if (isList(r)) {
      for (let i = 0; i < r.length; i++) {
        if (++f.cost > f.limit) return new CelEvalError(COST_EXCEEDED);
        if (twoVar) {
          f.locals[iSlot] = BigInt(i);
          f.locals[vSlot as number] = r[i];
        } else {
          f.locals[iSlot] = r[i];
        }
        const x = body.each(f);
        if (x === undefined) continue;
        if (x === STOP) break;
        return unwrapResult(x);
      }
    } else if (isMap(r)) {
      for (const [k, v] of r) {
        if (++f.cost > f.limit) return new CelEvalError(COST_EXCEEDED);
        f.locals[iSlot] = k;
        if (twoVar) f.locals[vSlot as number] = v;
        const x = body.each(f);
        if (x === undefined) continue;
        if (x === STOP) break;
        return unwrapResult(x);
      }
    } else {
      return new CelEvalError(`cannot iterate over ${typeNameOf(r)}`);
    }
    return body.finish(f);
  };
}

function unwrapResult(x: Value): Value {
  return typeof x === 'object' && x !== null && RESULT_TAG in x ? (x as Result).value : x;
}

function binary(a: Eval, b: Eval, op: (x: Value, y: Value) => Value): Eval {
  return (f) => {
    const x = a(f);
    if (isError(x)) return x;
    const y = b(f);
    if (isError(y)) return y;
    return op(x, y);
  };
}

function evalArgs(args: Eval[], f: Frame): Value[] | CelEvalError {
  const out = new Array<Value>(args.length);
  for (let i = 0; i < args.length; i++) {
    const v = args[i](f);
    if (isError(v)) return v;
    out[i] = v;
  }
  return out;
}

function logicError(x: Value, y: Value, op: string): Value {
  if (isError(x)) return x;
  if (isError(y)) return y;
  return noSuchOverload(op, [x, y]);
}

/** The key an escaped field name (`x__dash__y`) stands for, when the map has it. */
function escapedKey(m: MapValue, field: string): string | undefined {
  if (!mayBeEscaped(field)) return undefined;
  const k = unescapeName(field);
  return k !== undefined && k !== field && m.has(k) && escapeName(k) === field ? k : undefined;
}

function mapHasField(m: MapValue, field: string): boolean {
  return m.has(field) || escapedKey(m, field) !== undefined;
}

function optSelect(v: Value, field: string): Value {
  if (isError(v)) return v;
  if (v instanceof Optional) {
    if (!v.hasValue) return v;
    v = v.value;
  }
  if (v instanceof Map) {
    const x = v.get(field);
    if (x !== undefined) return Optional.of(x);
    const k = escapedKey(v, field);
    return k !== undefined ? Optional.of(v.get(k)) : Optional.NONE;
  }
  return new CelEvalError(`invalid type for field selection: ${typeNameOf(v)}`);
}

function listIndex(l: readonly Value[], k: Value): number | CelEvalError {
  let i: number;
  if (typeof k === 'bigint') i = Number(k);
  else if (typeof k === 'number' && Number.isInteger(k)) i = k;
  else if (isUint(k)) i = Number(k.value);
  else return noSuchOverload('_[_]', [l, k]);
  if (i < 0 || i >= l.length) return new CelEvalError(`index out of bounds: ${display(k)}`);
  return i;
}

function index(c: Value, k: Value): Value {
  if (isList(c)) {
    const i = listIndex(c, k);
    return isError(i) ? i : c[i as number];
  }
  if (isMap(c)) {
    const v = mapGet(c, k);
    if (v !== undefined) return v;
    if (!isValidMapKey(k) && typeof k !== 'number') return new CelEvalError(`unsupported key type: ${typeNameOf(k)}`);
    return new CelEvalError(`no such key: ${display(k)}`);
  }
  if (c instanceof Optional) return optIndex(c, k);
  return noSuchOverload('_[_]', [c, k]);
}

function optIndex(c: Value, k: Value): Value {
  if (c instanceof Optional) {
    if (!c.hasValue) return c;
    c = c.value;
  }
  if (isList(c)) {
    const i = listIndex(c, k);
    if (isError(i)) return i.message.startsWith('index out of bounds') ? Optional.NONE : i;
    return Optional.of(c[i as number]);
  }
  if (isMap(c)) {
    const v = mapGet(c, k);
    return v === undefined ? Optional.NONE : Optional.of(v);
  }
  return noSuchOverload('_[?_]', [c, k]);
}

