/**
 * The bridge to @bufbuild/cel's own function library: timestamps and durations (time zones,
 * RFC 3339, Go duration syntax), conversions, and the cel-go `strings` extension. Its
 * functions read an evaluation context only its planner sets up, so each one is called
 * through a tiny planned expression (`a0.getHours(a1)`), built once per function and arity
 * and cached: the public API, no reach into its internals.
 */
import { celEnv, isCelError, isCelList, isCelMap, isCelType, plan, type CelType, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { T, type CelT } from './types.js';
import { CelEvalError, noteUintKey, typeValue, type MapKey, type Value } from './values.js';
import type { Overload, Registry } from './registry.js';

const env = celEnv({ funcs: strings });

type Planned = (ctx: Record<string, never>) => unknown;
const planned = new Map<string, Planned>();

function identExpr(id: number, name: string): unknown {
  return { $typeName: 'cel.expr.Expr', id: BigInt(id), exprKind: { case: 'identExpr', value: { $typeName: 'cel.expr.Expr.Ident', name } } };
}

function program(name: string, member: boolean, arity: number): Planned {
  const key = `${member ? 'm' : 'f'}:${name}/${arity}`;
  let p = planned.get(key);
  if (p !== undefined) return p;
  const args = Array.from({ length: arity }, (_, i) => identExpr(i + 1, `a${i}`));
  const call = {
    $typeName: 'cel.expr.Expr',
    id: BigInt(arity + 1),
    exprKind: {
      case: 'callExpr',
      value: member
        ? { $typeName: 'cel.expr.Expr.Call', function: name, target: args[0], args: args.slice(1) }
        : { $typeName: 'cel.expr.Expr.Call', function: name, args },
    },
  };
  p = plan(env, call as never) as unknown as Planned;
  planned.set(key, p);
  return p;
}

/** Calls bufbuild's `name` on CEL values of ours; its errors come back as error values. */
export function callBuf(name: string, member: boolean, args: Value[]): Value {
  const ctx: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) ctx[`a${i}`] = args[i];
  let r: unknown;
  try {
    r = program(name, member, args.length)(ctx as Record<string, never>);
  } catch (err) {
    return new CelEvalError(err instanceof Error ? err.message : String(err));
  }
  if (isCelError(r)) return new CelEvalError(r.message);
  return fromBuf(r as CelValue);
}

/** bufbuild's list/map/type wrappers to our plain representation. */
export function fromBuf(v: CelValue): Value {
  if (typeof v !== 'object' || v === null) return v;
  if (isCelList(v)) return Array.from(v, (x) => fromBuf(x));
  if (isCelMap(v)) {
    const m = new Map<MapKey, Value>();
    for (const [k, x] of v.entries()) {
      m.set(k as MapKey, fromBuf(x));
      noteUintKey(m, k as MapKey);
    }
    return m;
  }
  if (isCelType(v)) return typeValue(v.name);
  return v;
}

export function celTypeToT(t: CelType): CelT {
  switch (t.kind) {
    case 'list':
      return T.list(celTypeToT(t.element));
    case 'map':
      return T.map(celTypeToT(t.key), celTypeToT(t.value));
    case 'object':
      if (t.name === 'google.protobuf.Timestamp') return T.timestamp;
      if (t.name === 'google.protobuf.Duration') return T.duration;
      return T.opaque(t.name);
    default:
      switch (t.name) {
        case 'int': return T.int;
        case 'uint': return T.uint;
        case 'double': return T.double;
        case 'bool': return T.bool;
        case 'string': return T.string;
        case 'bytes': return T.bytes;
        case 'null_type': return T.null;
        case 'type': return T.type(T.dyn);
        default: return T.dyn;
      }
  }
}

/**
 * Adds bufbuild's overloads of `name` to the registry (signatures for the checker, the
 * bridge as implementation), skipping those `skip` rejects (ours take precedence there).
 */
export function importBuf(reg: Registry, name: string, skip: (o: Overload) => boolean = () => false): void {
  for (const f of env.funcs.find(name) ?? []) {
    const member = f.target !== undefined;
    const params = [...(member ? [celTypeToT(f.target as CelType)] : []), ...f.arguments.map(celTypeToT)];
    const o: Overload = {
      name, member, params, result: celTypeToT(f.result),
      impl: (args) => callBuf(name, member, args),
    };
    if (!skip(o)) reg.add(o);
  }
}
