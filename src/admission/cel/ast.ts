/**
 * The expression tree the checker and the interpreter work on: @bufbuild/cel's parse tree
 * (cel.expr.Expr), simplified, with what its parser leaves undone finished here:
 * optional syntax markers become optional nodes (see optional-syntax.ts) and the macros it
 * does not expand (two-variable comprehensions, `sortBy`, `optMap`, `optFlatMap`) become
 * comprehension or lambda nodes.
 */
import type { Value } from './values.js';
import { OPT_ARG_FN, OPT_SELECT_PREFIX } from './optional-syntax.js';
import { celUint } from '@bufbuild/cel';

export type Node =
  | { t: 'const'; pos: number; value: Value }
  | { t: 'ident'; pos: number; name: string }
  /** `opt`: `a.?b`; `test`: `has(a.b)`. */
  | { t: 'select'; pos: number; operand: Node; field: string; test: boolean; opt: boolean }
  | { t: 'call'; pos: number; fn: string; target: Node | undefined; args: Node[] }
  | { t: 'list'; pos: number; elems: Node[]; optional: ReadonlySet<number> }
  | { t: 'map'; pos: number; entries: { key: Node; value: Node; optional: boolean }[] }
  | {
      t: 'comp'; pos: number; iterVar: string; iterVar2: string; range: Node; accuVar: string;
      init: Node; cond: Node; step: Node; result: Node;
    }
  /** Macros that bind one variable over a body: `l.sortBy(e, key)`, `o.optMap(v, expr)`. */
  | { t: 'lambda'; pos: number; fn: 'sortBy' | 'optMap' | 'optFlatMap'; target: Node; v: string; body: Node }
  /** Something the parser accepted that CEL (as Kubernetes configures it) does not. */
  | { t: 'invalid'; pos: number; message: string };

/** Where bufbuild's parse tree came from, to map node positions back to the user's text. */
export interface PosMap {
  positions: Record<string, number>;
  original: (offset: number) => number;
}

// Minimal structural view of bufbuild's generated cel.expr types (we only read them).
interface PExpr {
  id: bigint;
  exprKind: { case: string | undefined; value?: unknown };
}
interface PConst { constantKind: { case: string | undefined; value?: unknown } }
interface PSelect { operand?: PExpr; field: string; testOnly: boolean }
interface PCall { target?: PExpr; function: string; args: PExpr[] }
interface PList { elements: PExpr[]; optionalIndices: number[] }
interface PStruct {
  messageName: string;
  entries: { keyKind: { case: string | undefined; value?: unknown }; value?: PExpr; optionalEntry: boolean }[];
}
interface PComp {
  iterVar: string; iterVar2?: string; iterRange?: PExpr; accuVar: string; accuInit?: PExpr;
  loopCondition?: PExpr; loopStep?: PExpr; result?: PExpr;
}

const ACCU = '@result';

export function convert(e: PExpr, pm: PosMap): Node {
  const pos = pm.original(pm.positions[e.id.toString()] ?? 0);
  switch (e.exprKind.case) {
    case 'constExpr':
      return { t: 'const', pos, value: constValue(e.exprKind.value as PConst) };
    case 'identExpr': {
      const name = (e.exprKind.value as { name: string }).name;
      if (name.startsWith(OPT_SELECT_PREFIX) || name === OPT_ARG_FN) return { t: 'invalid', pos, message: "unexpected '?'" };
      return { t: 'ident', pos, name };
    }
    case 'selectExpr': {
      const s = e.exprKind.value as PSelect;
      const operand = s.operand ? convert(s.operand, pm) : { t: 'invalid' as const, pos, message: 'invalid select' };
      if (s.field.startsWith(OPT_SELECT_PREFIX)) {
        const field = s.field.slice(OPT_SELECT_PREFIX.length);
        if (field === '') return { t: 'invalid', pos, message: "Syntax error: expected a field name after '.?'" };
        if (s.testOnly) return { t: 'invalid', pos, message: 'has() does not take an optional field selection' };
        return { t: 'select', pos, operand, field, test: false, opt: true };
      }
      return { t: 'select', pos, operand, field: s.field, test: s.testOnly, opt: false };
    }
    case 'callExpr':
      return convertCall(e.exprKind.value as PCall, pos, pm);
    case 'listExpr': {
      const l = e.exprKind.value as PList;
      const optional = new Set<number>(l.optionalIndices);
      const elems = l.elements.map((x, i) => {
        const inner = unwrapOptArg(x, pm);
        if (inner !== undefined) {
          optional.add(i);
          return inner;
        }
        return convert(x, pm);
      });
      return { t: 'list', pos, elems, optional };
    }
    case 'structExpr': {
      const s = e.exprKind.value as PStruct;
      if (s.messageName !== '') return { t: 'invalid', pos, message: `message construction (${s.messageName}{...}) is not supported` };
      const entries = s.entries.map((en) => {
        const keyExpr = en.keyKind.value as PExpr;
        const inner = unwrapOptArg(keyExpr, pm);
        const value = en.value ? convert(en.value, pm) : ({ t: 'invalid', pos, message: 'map entry without value' } as Node);
        return { key: inner ?? convert(keyExpr, pm), value, optional: en.optionalEntry || inner !== undefined };
      });
      return { t: 'map', pos, entries };
    }
    case 'comprehensionExpr': {
      const c = e.exprKind.value as PComp;
      const need = (x: PExpr | undefined): Node => (x ? convert(x, pm) : { t: 'invalid', pos, message: 'invalid comprehension' });
      return {
        t: 'comp', pos, iterVar: c.iterVar, iterVar2: c.iterVar2 ?? '', range: need(c.iterRange), accuVar: c.accuVar,
        init: need(c.accuInit), cond: need(c.loopCondition), step: need(c.loopStep), result: need(c.result),
      };
    }
    default:
      return { t: 'invalid', pos, message: 'unsupported expression' };
  }
}

function constValue(c: PConst): Value {
  const v = c.constantKind.value;
  switch (c.constantKind.case) {
    case 'nullValue':
      return null;
    case 'uint64Value':
      return celUint(v as bigint);
    case 'int64Value':
      return BigInt(v as bigint);
    default:
      return v;
  }
}

/** The argument of a `__palisade_optarg__(x)` marker call, converted; else undefined. */
function unwrapOptArg(e: PExpr, pm: PosMap): Node | undefined {
  if (e.exprKind.case !== 'callExpr') return undefined;
  const c = e.exprKind.value as PCall;
  if (c.function !== OPT_ARG_FN || c.target !== undefined || c.args.length !== 1) return undefined;
  return convert(c.args[0], pm);
}

const TWO_VAR = new Set(['all', 'exists', 'existsOne', 'exists_one', 'transformList', 'transformMap', 'transformMapEntry']);

function convertCall(c: PCall, pos: number, pm: PosMap): Node {
  if (c.function === OPT_ARG_FN) return { t: 'invalid', pos, message: "unexpected '?'" };
  if (c.function === '_[_]' && c.target === undefined && c.args.length === 2) {
    const inner = unwrapOptArg(c.args[1], pm);
    if (inner !== undefined) return { t: 'call', pos, fn: '_[?_]', target: undefined, args: [convert(c.args[0], pm), inner] };
  }
  const target = c.target ? convert(c.target, pm) : undefined;
  const args = c.args.map((a) => convert(a, pm));
  if (target !== undefined) {
    const macro = expandMacro(c.function, target, args, pos);
    if (macro !== undefined) return macro;
  }
  return { t: 'call', pos, fn: c.function, target, args };
}

function ident(name: string, pos: number): Node {
  return { t: 'ident', pos, name };
}
function call(fn: string, pos: number, ...args: Node[]): Node {
  return { t: 'call', pos, fn, target: undefined, args };
}
function konst(value: Value, pos: number): Node {
  return { t: 'const', pos, value };
}

/** Macros @bufbuild/cel's parser leaves as plain calls. */
function expandMacro(fn: string, target: Node, args: Node[], pos: number): Node | undefined {
  if ((fn === 'sortBy' || fn === 'optMap' || fn === 'optFlatMap') && args.length === 2 && args[0].t === 'ident') {
    return { t: 'lambda', pos, fn, target, v: args[0].name, body: args[1] };
  }
  if (!TWO_VAR.has(fn) || (args.length !== 3 && args.length !== 4)) return undefined;
  if (args[0].t !== 'ident' || args[1].t !== 'ident') return undefined;
  const v1 = args[0].name;
  const v2 = args[1].name;
  if (v1 === v2) return { t: 'invalid', pos, message: `duplicate variable name: ${v1}` };
  const filter = args.length === 4 ? args[2] : undefined;
  const body = args[args.length - 1];
  const accu = ident(ACCU, pos);
  const comp = (init: Node, cond: Node, step: Node, result: Node): Node => ({
    t: 'comp', pos, iterVar: v1, iterVar2: v2, range: target, accuVar: ACCU, init, cond, step, result,
  });
  const filtered = (step: Node): Node => (filter ? call('_?_:_', pos, filter, step, accu) : step);
  switch (fn) {
    case 'all':
      if (filter) return undefined;
      return comp(konst(true, pos), call('@not_strictly_false', pos, accu), call('_&&_', pos, accu, body), accu);
    case 'exists':
      if (filter) return undefined;
      return comp(konst(false, pos), call('@not_strictly_false', pos, call('!_', pos, accu)), call('_||_', pos, accu, body), accu);
    case 'existsOne':
    case 'exists_one':
      if (filter) return undefined;
      return comp(konst(0n, pos), konst(true, pos), call('_?_:_', pos, body, call('_+_', pos, accu, konst(1n, pos)), accu),
        call('_==_', pos, accu, konst(1n, pos)));
    case 'transformList':
      return comp({ t: 'list', pos, elems: [], optional: new Set() }, konst(true, pos),
        filtered(call('_+_', pos, accu, { t: 'list', pos, elems: [body], optional: new Set() })), accu);
    case 'transformMap':
      return comp({ t: 'map', pos, entries: [] }, konst(true, pos), filtered(call('@mapInsert', pos, accu, ident(v1, pos), body)), accu);
    case 'transformMapEntry':
      return comp({ t: 'map', pos, entries: [] }, konst(true, pos), filtered(call('@mapInsert', pos, accu, body)), accu);
    default:
      return undefined;
  }
}

/** Every node below (and including) n, depth first. */
export function* walk(n: Node): Generator<Node> {
  yield n;
  switch (n.t) {
    case 'select':
      yield* walk(n.operand);
      break;
    case 'call':
      if (n.target) yield* walk(n.target);
      for (const a of n.args) yield* walk(a);
      break;
    case 'list':
      for (const e of n.elems) yield* walk(e);
      break;
    case 'map':
      for (const e of n.entries) {
        yield* walk(e.key);
        yield* walk(e.value);
      }
      break;
    case 'comp':
      yield* walk(n.range);
      yield* walk(n.init);
      yield* walk(n.cond);
      yield* walk(n.step);
      yield* walk(n.result);
      break;
    case 'lambda':
      yield* walk(n.target);
      yield* walk(n.body);
      break;
    default:
      break;
  }
}

/** `a.b.c` as the dotted name it spells (for qualified function and type names), else undefined. */
export function qualifiedName(n: Node): string | undefined {
  if (n.t === 'ident') return n.name;
  if (n.t === 'select' && !n.test && !n.opt) {
    const parent = qualifiedName(n.operand);
    return parent === undefined ? undefined : `${parent}.${n.field}`;
  }
  return undefined;
}
