/**
 * The static checker: resolves names (comprehension variables, declared variables, dotted
 * names such as `authorizer.requestResource`, type names such as `net.IP`, namespaced
 * functions such as `format.named`), infers types, and reports what cel-go would reject at
 * compile time: undeclared names, calls no overload accepts (`found no matching overload for
 * 'isIP' applied to '(net.CIDR)'`), fields a declared object type lacks, mixed list or map
 * literals, invalid regex/timestamp/duration literals. Unknown things are `dyn`, which fits
 * everywhere, so the checker never rejects what cel-go would accept for lack of knowledge.
 */
import { type Node, qualifiedName } from './ast.js';
import { callBuf } from './bridge.js';
import { re2Error } from './regex.js';
import { candidates, type Registry } from './registry.js';
import {
  T, assignable, formatType, isConcrete, iterationTypes, sameType, substitute, typeOfName, type Bindings, type CelT,
} from './types.js';
import { isError, typeValue, typeNameOf, type Value } from './values.js';

export interface Declarations {
  /** Declared variables, including dotted names (`authorizer.requestResource`). */
  readonly vars: ReadonlyMap<string, CelT>;
  readonly registry: Registry;
  /** Identifiers that denote types (`int`, `net.IP`) → the runtime type name. */
  readonly typeNames: ReadonlySet<string>;
}

export interface Issue {
  pos: number;
  message: string;
}

export interface Checked {
  node: Node;
  type: CelT;
}

type Scope = ReadonlyMap<string, CelT>;

const REGEX_FUNCTIONS = new Set(['matches', 'find', 'findAll']);

export function check(root: Node, decls: Declarations): { checked: Checked; issues: Issue[] } {
  const issues: Issue[] = [];
  const err = (pos: number, message: string): CelT => {
    issues.push({ pos, message });
    return T.dyn;
  };

  const isBound = (name: string, scope: Scope): boolean => scope.has(name) || decls.vars.has(name);

  function visit(n: Node, scope: Scope): Checked {
    switch (n.t) {
      case 'const':
        return { node: n, type: constType(n.value) };
      case 'ident': {
        const local = scope.get(n.name);
        if (local !== undefined) return { node: n, type: local };
        const v = decls.vars.get(n.name);
        if (v !== undefined) return { node: n, type: v };
        if (decls.typeNames.has(n.name)) return typeConst(n.pos, n.name);
        return { node: n, type: err(n.pos, `undeclared reference to '${n.name}' (in container '')`) };
      }
      case 'select':
        return visitSelect(n, scope);
      case 'call':
        return visitCall(n, scope);
      case 'list': {
        const elems = n.elems.map((e) => visit(e, scope));
        const types = elems.map((e, i) => (n.optional.has(i) ? unwrapOptional(e.type) : e.type));
        const elem = homogeneous(types, n.elems.map((e) => e.pos));
        return { node: { ...n, elems: elems.map((e) => e.node) }, type: T.list(elem) };
      }
      case 'map': {
        const entries = n.entries.map((e) => ({ key: visit(e.key, scope), value: visit(e.value, scope), optional: e.optional }));
        for (const e of entries) {
          const k = e.key.type;
          if (k.k !== 'dyn' && !(k.k === 'prim' && ['int', 'uint', 'bool', 'string'].includes(k.name))) {
            err(e.key.node.pos, `unsupported map key type: ${formatType(k)}`);
          }
        }
        const key = homogeneous(entries.map((e) => e.key.type), entries.map((e) => e.key.node.pos));
        const val = homogeneous(entries.map((e) => (e.optional ? unwrapOptional(e.value.type) : e.value.type)), entries.map((e) => e.value.node.pos));
        return {
          node: { ...n, entries: entries.map((e) => ({ key: e.key.node, value: e.value.node, optional: e.optional })) },
          type: T.map(key, val),
        };
      }
      case 'comp': {
        const range = visit(n.range, scope);
        const it = iterationTypes(range.type);
        if (it === undefined) err(n.range.pos, `expression of type '${formatType(range.type)}' cannot be the range of a comprehension (must be list, map, or dynamic)`);
        const inner = new Map(scope);
        if (n.iterVar2 !== '') {
          const isList = range.type.k === 'list';
          inner.set(n.iterVar, isList ? T.int : (it?.first ?? T.dyn));
          inner.set(n.iterVar2, it?.second ?? T.dyn);
        } else {
          inner.set(n.iterVar, it?.first ?? T.dyn);
        }
        const init = visit(n.init, scope);
        inner.set(n.accuVar, init.type);
        const cond = visit(n.cond, inner);
        const step = visit(n.step, inner);
        const accuScope = new Map(scope);
        accuScope.set(n.accuVar, widen(init.type, step.type));
        const result = visit(n.result, accuScope);
        return {
          node: { ...n, range: range.node, init: init.node, cond: cond.node, step: step.node, result: result.node },
          type: result.type,
        };
      }
      case 'lambda':
        return visitLambda(n, scope);
      case 'invalid':
        return { node: n, type: err(n.pos, n.message) };
    }
  }

  function typeConst(pos: number, name: string): Checked {
    return { node: { t: 'const', pos, value: typeValue(name) }, type: T.type(typeOfName(name)) };
  }

  /** `a.b.c` as a declared dotted variable or a type name, when `a` is not itself bound. */
  function resolveQualified(n: Node, scope: Scope): Checked | undefined {
    const q = qualifiedName(n);
    if (q === undefined || !q.includes('.')) return undefined;
    const root = q.slice(0, q.indexOf('.'));
    if (scope.has(root)) return undefined;
    if (decls.vars.has(q)) return { node: { t: 'ident', pos: n.pos, name: q }, type: decls.vars.get(q) as CelT };
    if (decls.typeNames.has(q) && !decls.vars.has(root)) return typeConst(n.pos, q);
    return undefined;
  }

  function visitSelect(n: Extract<Node, { t: 'select' }>, scope: Scope): Checked {
    if (!n.test && !n.opt) {
      const q = resolveQualified(n, scope);
      if (q !== undefined) return q;
    }
    const operand = visit(n.operand, scope);
    const node: Node = { ...n, operand: operand.node };
    const ot = operand.type;
    if (n.test) {
      if (ot.k !== 'dyn' && ot.k !== 'map' && ot.k !== 'struct' && !isOptional(ot)) {
        err(n.pos, `type '${formatType(ot)}' does not support presence testing`);
      } else if (ot.k === 'struct' && !ot.fields.has(n.field)) {
        err(n.pos, `undefined field '${n.field}'`);
      }
      return { node, type: T.bool };
    }
    if (isOptional(ot)) return { node, type: T.optional(fieldType(unwrapOptional(ot), n)) };
    const ft = fieldType(ot, n);
    return { node, type: n.opt ? T.optional(ft) : ft };
  }

  function fieldType(ot: CelT, n: Extract<Node, { t: 'select' }>): CelT {
    switch (ot.k) {
      case 'dyn':
        return T.dyn;
      case 'map':
        return ot.val;
      case 'struct': {
        const f = ot.fields.get(n.field);
        return f ?? err(n.pos, `undefined field '${n.field}'`);
      }
      default:
        return err(n.pos, `type '${formatType(ot)}' does not support field selection`);
    }
  }

  function visitCall(n: Extract<Node, { t: 'call' }>, scope: Scope): Checked {
    // Namespaced functions: `format.named(x)`, `optional.of(x)`, `sets.contains(a, b)`.
    if (n.target !== undefined) {
      const q = qualifiedName(n.target);
      if (q !== undefined && !isBound(q.split('.')[0], scope) && decls.registry.has(`${q}.${n.fn}`)) {
        return visitCall({ ...n, fn: `${q}.${n.fn}`, target: undefined }, scope);
      }
    }
    if (n.fn === 'has' && n.target === undefined) {
      return { node: n, type: err(n.pos, 'invalid argument to has() macro') };
    }
    const target = n.target !== undefined ? visit(n.target, scope) : undefined;
    const args = n.args.map((a) => visit(a, scope));
    const node: Node = { ...n, target: target?.node, args: args.map((a) => a.node) };
    const types = [...(target ? [target.type] : []), ...args.map((a) => a.type)];

    switch (n.fn) {
      case '_&&_':
      case '_||_':
      case '!_':
      case '@not_strictly_false':
        for (let i = 0; i < types.length; i++) {
          if (!assignable(T.bool, types[i], new Map())) return { node, type: noMatch(n, types) };
        }
        return { node, type: T.bool };
      case '_?_:_': {
        const b: Bindings = new Map();
        if (!assignable(T.bool, types[0], b)) return { node, type: noMatch(n, types) };
        const [x, y] = [types[1], types[2]];
        const isNullT = (t: CelT): boolean => t.k === 'prim' && t.name === 'null_type';
        if (isNullT(x) || isNullT(y)) return { node, type: isNullT(x) ? y : x };
        if (!assignable(x, y, new Map()) && !assignable(y, x, new Map())) return { node, type: noMatch(n, types) };
        return { node, type: x.k === 'dyn' || y.k === 'dyn' ? T.dyn : x };
      }
      case '_[_]':
      case '_[?_]': {
        if (isOptional(types[0])) {
          const inner = indexType('_[_]', unwrapOptional(types[0]), types[1], n);
          return { node, type: T.optional(inner) };
        }
        return { node, type: indexType(n.fn, types[0], types[1], n) };
      }
      default:
        break;
    }
    if (REGEX_FUNCTIONS.has(n.fn)) checkRegexLiteral(n, node);
    if ((n.fn === 'timestamp' || n.fn === 'duration') && n.target === undefined) checkTimeLiteral(n);
    return { node, type: resolveOverload(n, types) };
  }

  function indexType(fn: string, container: CelT, key: CelT, n: Node): CelT {
    const b: Bindings = new Map();
    let out: CelT | undefined;
    if (container.k === 'dyn') out = T.dyn;
    else if (container.k === 'list' && assignable(T.int, key, b)) out = container.elem;
    else if (container.k === 'list' && key.k === 'prim' && (key.name === 'uint' || key.name === 'double')) out = container.elem;
    else if (container.k === 'map' && (assignable(container.key, key, b) || isNumeric(container.key) && isNumeric(key))) out = container.val;
    else if (container.k === 'struct' && assignable(T.string, key, b)) out = T.dyn;
    if (out === undefined) return noMatch({ fn: '_[_]', pos: n.pos, member: false }, [container, key]);
    return fn === '_[?_]' ? T.optional(out) : out;
  }

  function resolveOverload(n: Extract<Node, { t: 'call' }>, types: CelT[]): CelT {
    const member = n.target !== undefined;
    const all = decls.registry.get(n.fn);
    if (all === undefined || all.length === 0) {
      return err(n.pos, `undeclared reference to '${n.fn}' (in container '')`);
    }
    const results: CelT[] = [];
    for (const o of candidates(decls.registry, n.fn, member, types.length)) {
      const b: Bindings = new Map();
      if (o.params.every((p, i) => assignable(p, types[i], b))) results.push(substitute(o.result, b));
    }
    if (results.length === 0) return noMatch({ fn: n.fn, pos: n.pos, member }, types);
    return results.every((r) => sameType(r, results[0])) ? results[0] : T.dyn;
  }

  function noMatch(n: { fn: string; pos: number; member?: boolean; target?: Node }, types: CelT[]): CelT {
    const member = n.member ?? n.target !== undefined;
    const shown = types.map(formatType);
    const sig = member ? `${shown[0]}.(${shown.slice(1).join(', ')})` : `(${shown.join(', ')})`;
    return err(n.pos, `found no matching overload for '${n.fn}' applied to '${sig}'`);
  }

  function checkRegexLiteral(n: Extract<Node, { t: 'call' }>, _node: Node): void {
    // Pattern: the argument after the string (member: args[0]; global matches(s, re): args[1]).
    const pat = n.target !== undefined ? n.args[0] : n.args[1];
    if (pat?.t === 'const' && typeof pat.value === 'string') {
      const e = re2Error(pat.value);
      if (e !== undefined) err(pat.pos, `invalid regular expression ${JSON.stringify(pat.value)}: ${e}`);
    }
  }

  function checkTimeLiteral(n: Extract<Node, { t: 'call' }>): void {
    const a = n.args[0];
    if (n.args.length === 1 && a.t === 'const' && typeof a.value === 'string') {
      const r = callBuf(n.fn, false, [a.value]);
      if (isError(r)) err(a.pos, `invalid ${n.fn} literal ${JSON.stringify(a.value)}: ${r.message}`);
    }
  }

  function visitLambda(n: Extract<Node, { t: 'lambda' }>, scope: Scope): Checked {
    const target = visit(n.target, scope);
    const inner = new Map(scope);
    const tt = target.type;
    if (n.fn === 'sortBy') {
      if (tt.k !== 'list' && tt.k !== 'dyn') err(n.pos, `found no matching overload for 'sortBy' applied to '${formatType(tt)}.(dyn)'`);
      inner.set(n.v, tt.k === 'list' ? tt.elem : T.dyn);
      const body = visit(n.body, inner);
      return { node: { ...n, target: target.node, body: body.node }, type: tt.k === 'list' ? tt : T.list(T.dyn) };
    }
    if (!isOptional(tt) && tt.k !== 'dyn') err(n.pos, `found no matching overload for '${n.fn}' applied to '${formatType(tt)}.(dyn)'`);
    inner.set(n.v, isOptional(tt) ? unwrapOptional(tt) : T.dyn);
    const body = visit(n.body, inner);
    let type: CelT;
    if (n.fn === 'optMap') type = T.optional(body.type);
    else type = isOptional(body.type) ? body.type : body.type.k === 'dyn' ? T.optional(T.dyn) : err(n.pos, `optFlatMap expression must be optional, found '${formatType(body.type)}'`);
    return { node: { ...n, target: target.node, body: body.node }, type };
  }

  /** The common type of literal elements; a mix of concrete types is cel-go's error. */
  function homogeneous(types: CelT[], positions: number[]): CelT {
    let first: CelT | undefined;
    for (let i = 0; i < types.length; i++) {
      const t = types[i];
      if (t.k === 'dyn') return T.dyn;
      if (first === undefined) {
        first = t;
        continue;
      }
      if (!sameType(first, t)) {
        if (isConcrete(first) && isConcrete(t) && !(t.k === 'prim' && t.name === 'null_type') && !(first.k === 'prim' && first.name === 'null_type')) {
          err(positions[i], `expected type '${formatType(first)}' but found '${formatType(t)}'`);
        }
        return T.dyn;
      }
    }
    return first ?? T.dyn;
  }

  const checked = visit(root, new Map());
  return { checked, issues };
}

function constType(v: Value): CelT {
  return typeOfName(typeNameOf(v));
}

function isOptional(t: CelT): boolean {
  return t.k === 'opaque' && t.name === 'optional_type';
}

function unwrapOptional(t: CelT): CelT {
  return t.k === 'opaque' && t.name === 'optional_type' ? (t.params[0] ?? T.dyn) : t.k === 'dyn' ? T.dyn : t;
}

function isNumeric(t: CelT): boolean {
  return t.k === 'prim' && (t.name === 'int' || t.name === 'uint' || t.name === 'double');
}

/** The accumulator's type over a loop: the init's, unless steps produce something else. */
function widen(init: CelT, step: CelT): CelT {
  if (sameType(init, step)) return init;
  if (init.k === 'list' && step.k === 'list') return init.elem.k === 'dyn' ? step : init;
  if (init.k === 'map' && step.k === 'map') return init.key.k === 'dyn' ? step : init;
  return T.dyn;
}
